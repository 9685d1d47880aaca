"""Pure logic behind the CI/CD workflows (``.github/workflows/``): which stacks a change affects, the pull-request
comment, the drift report and the workflow lint. Nothing here talks to a cloud or to GitHub; the workflows do.
"""
