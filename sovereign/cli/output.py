"""Shared CLI output: consoles, exit codes and argument parsing helpers.

Two kinds of bad input, two kinds of error: a mistake on the command line (no stack named, a malformed
``--as-of``, an ``--out`` that is a file) is a :func:`usage_error` (``typer.BadParameter``), which typer
prints as its usage error; a problem in the files the command reads is a
:class:`~sovereign.config.ConfigError` naming the file and line. Both exit 2.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
from pathlib import Path

import typer
from rich.console import Console

__all__ = [
    "EXIT_CHECKS_FAILED",
    "EXIT_INVALID",
    "EXIT_OK",
    "console",
    "err_console",
    "output_folder",
    "parse_as_of",
    "usage_error",
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


def usage_error(message: str, option: str) -> typer.BadParameter:
    """A command-line mistake (exit 2): typer prints it as its usage error, ``Invalid value for OPTION:
    MESSAGE``, where MESSAGE reads ``what — fix``. Raise what this returns."""
    return typer.BadParameter(message, param_hint=option)


def parse_as_of(value: str | None) -> dt.date:
    """``--as-of YYYY-MM-DD`` (default: today), or a usage error."""
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise usage_error(f"'{value}' is not a date — use YYYY-MM-DD, e.g. 2026-11-22", "--as-of") from None


def output_folder(folder: Path, option: str = "--out") -> Path:
    """Create ``folder`` for output files before any work starts, or a usage error (exit 2).

    Checked up front: a plan takes seconds per stack, and an unwritable ``--out`` found only when writing
    surfaced as an "internal error" after all that work.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        reason = None if os.access(folder, os.W_OK) else "not writable"
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
    if reason is not None:
        raise usage_error(
            f"cannot write to this folder ({reason}): {folder} — choose a writable folder", option
        )
    return folder
