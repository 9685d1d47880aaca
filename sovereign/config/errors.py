"""Config problems and their one-line rendering: ``file:line: dotted.path: what is wrong — how to fix``.

Only entry points (the CLI, the stack program) turn a :class:`ConfigError` into output; everything else raises.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ConfigError", "Problem", "Violation", "format_path"]

PathParts = tuple[str | int, ...]


def format_path(parts: PathParts) -> str:
    """('storage', 'stores', 0, 'redundancy') -> 'storage.stores[0].redundancy'."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "<document>"


@dataclass(frozen=True)
class Violation:
    """A rule broken at a path of the merged config, before it is tied to a file and line."""

    path: PathParts
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{format_path(self.path)}: {self.message} — {self.fix}"


@dataclass(frozen=True)
class Problem:
    """A violation located in a file (line is None when the value came from nowhere, e.g. a missing key)."""

    file: Path
    line: int | None
    path: str
    message: str
    fix: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        return f"{where}: {self.path}: {self.message} — {self.fix}"


class ConfigError(Exception):
    """One or more problems with the country configuration; every problem found, in one pass."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(set(problems), key=lambda p: (str(p.file), p.line or 0, p.path, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))
