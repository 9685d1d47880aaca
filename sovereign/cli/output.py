"""Shared CLI output: consoles, exit codes and argument parsing helpers."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
from pathlib import Path

from rich.console import Console

from sovereign.config.errors import ConfigError, Problem

__all__ = [
    "EXIT_CHECKS_FAILED",
    "EXIT_INVALID",
    "EXIT_OK",
    "console",
    "err_console",
    "output_folder",
    "parse_as_of",
]

EXIT_OK = 0
EXIT_CHECKS_FAILED = 1
EXIT_INVALID = 2


def _width() -> int | None:
    # On a terminal rich measures it; in CI logs and pipes it would assume 80 columns and cut the tables.
    return None if sys.stdout.isatty() else shutil.get_terminal_size((140, 40)).columns


console = Console(soft_wrap=True, width=_width(), emoji=False)
# emoji=False: rich would turn ":100:" (line 100 of a file) into an emoji in error messages.
err_console = Console(stderr=True, soft_wrap=True, emoji=False)


def parse_as_of(value: str | None) -> dt.date:
    """``--as-of YYYY-MM-DD`` (default: today), or a clean error."""
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ConfigError(
            [
                Problem(
                    Path("<command line>"),
                    None,
                    "--as-of",
                    f"'{value}' is not a date",
                    "use YYYY-MM-DD, e.g. 2026-11-22",
                )
            ]
        ) from None


def output_folder(folder: Path, option: str = "--out") -> Path:
    """Create ``folder`` for output files before any work starts, or a clean error (exit 2).

    Checked up front: a plan takes seconds per stack, and an unwritable ``--out`` found only when writing
    surfaced as an "internal error" after all that work.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        reason = None if os.access(folder, os.W_OK) else "not writable"
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
    if reason is not None:
        raise ConfigError(
            [
                Problem(
                    folder,
                    None,
                    option,
                    f"cannot write to this folder ({reason})",
                    "choose a writable folder",
                )
            ]
        )
    return folder
