"""Benchmarks of the offline plan (issue 8): ``python -m benchmarks.run``; results in ``benchmarks/RESULTS.md``."""
