"""Plan commands: ``plan``. Provider SDKs load inside the worker that plans a stack, never at import."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from sovereign.cli.output import EXIT_CHECKS_FAILED, EXIT_INVALID, console, err_console, parse_as_of
from sovereign.config.errors import ConfigError, Problem

__all__ = ["register"]


class PlanFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)


def plan(
    targets: Annotated[
        list[str] | None,
        typer.Argument(help="Stacks (de-prod) or countries (de) to plan.", show_default=False),
    ] = None,
    all_stacks: Annotated[bool, typer.Option("--all", help="Plan every stack in stacks/.")] = False,
    output_format: Annotated[
        PlanFormat, typer.Option("--format", help="table, json or markdown.")
    ] = PlanFormat.TABLE,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write <stack>.json/.md files into this folder.")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Validation date YYYY-MM-DD (default today).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Parallel stacks (default: all cores).")
    ] = None,
) -> None:
    """Plan stacks offline (the real stack program under the mock engine) and run the sovereignty checks.

    Exit 0 when every check passes, 1 when a sovereignty check fails, 2 on invalid input.
    """
    from sovereign.plan.runner import PlanFailure, plan_stack, plan_stacks
    from sovereign.plan.stackfiles import default_stacks_dir, find_stacks

    date = parse_as_of(as_of)
    if not targets and not all_stacks:
        raise ConfigError(
            [
                Problem(
                    Path("sovereign plan"),
                    None,
                    "<arguments>",
                    "no stack named",
                    "name stacks or countries (sovereign plan de-prod fr), or use --all",
                )
            ]
        )
    stacks = find_stacks(default_stacks_dir(), None if all_stacks else targets)
    try:
        if len(stacks) == 1:
            documents = [plan_stack(stacks[0], as_of=date)]
        else:
            documents = plan_stacks(stacks, as_of=date, workers=workers)
    except PlanFailure as exc:
        err_console.print(str(exc), markup=False)
        sys.exit(EXIT_INVALID)
    _emit(documents, output_format, out)
    if any(d["summary"]["checks_failed"] for d in documents):
        sys.exit(EXIT_CHECKS_FAILED)


def _emit(documents: list[dict[str, Any]], output_format: PlanFormat, out: Path | None) -> None:
    from sovereign.plan.render import render_markdown, render_table

    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    if output_format == PlanFormat.JSON:
        if out is None:
            sys.stdout.write(json.dumps(documents, indent=2, ensure_ascii=False) + "\n")
        else:
            for d in documents:
                text = json.dumps(d, indent=2, ensure_ascii=False) + "\n"
                (out / f"{d['stack']}.json").write_text(text, encoding="utf-8")
    elif output_format == PlanFormat.MARKDOWN:
        text = render_markdown(documents)
        if out is not None:
            (out / "plan.md").write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
    else:
        for d in documents:
            console.print(render_table(d))
