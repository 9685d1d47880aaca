"""Config problems and their one-line rendering: ``file:line: dotted.path: what is wrong — how to fix``.

Only entry points (the CLI, the stack program) turn a :class:`ConfigError` into output; everything else raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ConfigError", "Problem", "Violation", "format_path", "merge_environments"]

PathParts = tuple[str | int, ...]


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def format_path(parts: PathParts) -> str:
    """('storage', 'stores', 0, 'redundancy') -> 'storage.stores[0].redundancy'; odd keys are quoted."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not _PLAIN_KEY.fullmatch(str(part)):
            out += f"[{str(part)!r}]"
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
    environments: tuple[str, ...] = ()
    """The environments (prod, staging) in which the layered value is wrong; empty for whole-file problems."""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        scope = f"[{', '.join(self.environments)}] " if self.environments else ""
        return f"{where}: {self.path}: {scope}{self.message} — {self.fix}"


def merge_environments(problems: Iterable[Problem]) -> list[Problem]:
    """One problem per place: the same mistake seen in prod and staging is reported once, tagged with both."""
    merged: dict[tuple, Problem] = {}
    for p in problems:
        key = (p.file, p.line, p.path, p.message, p.fix)
        seen = merged.get(key)
        envs = tuple(dict.fromkeys((*(seen.environments if seen else ()), *p.environments)))
        merged[key] = Problem(p.file, p.line, p.path, p.message, p.fix, envs)
    return list(merged.values())


class ConfigError(Exception):
    """One or more problems with the country configuration; every problem found, in one pass."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(set(problems), key=lambda p: (str(p.file), p.line or 0, p.path, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[ConfigError], tuple[list[Problem]]]:
        # `plan --all` raises this in a worker process; the default pickling rebuilds it from the message
        # string, which crashed the pool ("BrokenProcessPool", exit 1) instead of reporting the problems.
        return (ConfigError, (self.problems,))
