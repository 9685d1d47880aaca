"""The ``sovereign`` command line (typer + rich).

Command names and options are a contract other tooling depends on. This is the only place that turns errors
into output: a :class:`~sovereign.config.ConfigError` (bad files) prints every problem as
``file:line: path: what — fix`` on stderr and exits 2; a mistake on the command line is typer's usage error
(``typer.BadParameter``, exit 2); a traceback appears only with ``SOVEREIGN_DEBUG=1``.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys

import typer

from sovereign.cli import ci_commands, config_commands, manifest_commands, permissions_commands, plan_commands
from sovereign.cli.output import EXIT_INVALID, err_console
from sovereign.config.errors import ConfigError

__all__ = ["app", "main"]

app = typer.Typer(
    name="sovereign",
    help="Declare and check a country's sovereign AI platform (see README.md).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
config_commands.register(app)
plan_commands.register(app)
manifest_commands.register(app)
ci_commands.register(app)
permissions_commands.register(app)


def main() -> None:
    """Console-script entry point."""
    # Exit fast: a plan leaves some 30,000 SDK Outputs and thousands of provider classes behind, and the
    # interpreter's final garbage collection of them took 1.2 s of a 5.7 s `sovereign plan` (see
    # benchmarks/RESULTS.md). Frozen at exit, they are skipped; the process ends anyway. Registered once.
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    debug = os.environ.get("SOVEREIGN_DEBUG") == "1"
    try:
        # Usage errors are typer's to print (exit 2); with SOVEREIGN_DEBUG=1 they propagate, with traceback.
        app(standalone_mode=not debug)
    except ConfigError as exc:
        if debug:
            raise
        for problem in exc.problems:
            err_console.print(str(problem), markup=False, highlight=False, soft_wrap=True)
        err_console.print(f"{len(exc.problems)} problem(s); nothing was changed.", markup=False)
        sys.exit(EXIT_INVALID)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # the last line of defence: a clean message instead of a traceback
        if debug:
            raise
        err_console.print(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in the toolkit; rerun with SOVEREIGN_DEBUG=1 for the traceback and report it.",
            markup=False,
        )
        sys.exit(1)
