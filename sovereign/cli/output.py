"""Shared CLI output: consoles, exit codes and argument parsing helpers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.console import Console

from sovereign.config.errors import ConfigError, Problem

__all__ = ["EXIT_CHECKS_FAILED", "EXIT_INVALID", "EXIT_OK", "console", "err_console", "parse_as_of"]

EXIT_OK = 0
EXIT_CHECKS_FAILED = 1
EXIT_INVALID = 2

console = Console(soft_wrap=True)
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
