"""Development-only helpers (the actionlint fetcher). Not part of the installed wheel: see
``[tool.hatch.build.targets.wheel]`` in pyproject.toml, which packages only sovereign, components and stacks."""
