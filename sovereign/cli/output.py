"""Shared CLI output: consoles, exit codes and argument parsing helpers."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

from rich.console import Console

from sovereign.config.errors import ConfigError, Problem

__all__ = ["EXIT_CHECKS_FAILED", "EXIT_INVALID", "EXIT_OK", "console", "err_console", "parse_as_of"]

EXIT_OK = 0
EXIT_CHECKS_FAILED = 1
EXIT_INVALID = 2

def _width() -> int | None:
    # On a terminal rich measures it; in CI logs and pipes it would assume 80 columns and cut the tables.
    return None if sys.stdout.isatty() else shutil.get_terminal_size((140, 40)).columns


console = Console(soft_wrap=True, width=_width())
err_console = Console(stderr=True, soft_wrap=True)


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
                    Path("--as-of"),
                    None,
                    "--as-of",
                    f"'{value}' is not a date",
                    "use YYYY-MM-DD, e.g. 2026-11-22",
                )
            ]
        ) from None
