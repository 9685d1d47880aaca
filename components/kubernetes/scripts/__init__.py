"""Scripts that run inside containers, kept as real files (linted, unit-tested) and sent verbatim.

A script's leading ``#`` lines are its header (what it is, lint directives) and are not sent; everything after
them is the script exactly as the container receives it (``python3 -c`` / ``sh -c``), so the pod spec does not
change when a header does. Files are read with ``importlib.resources``, so they work from the installed wheel.
"""

from __future__ import annotations

from importlib import resources

__all__ = ["read_script"]


def read_script(name: str) -> str:
    """The body of ``scripts/<name>``: the file without its leading ``#`` header lines."""
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    start = 0
    while start < len(lines) and lines[start].startswith("#"):
        start += 1
    return "".join(lines[start:])
