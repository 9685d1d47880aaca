"""Plan commands: ``plan``. Provider SDKs load inside the worker that plans a stack, never at import."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from sovereign.cli.output import (
    EXIT_CHECKS_FAILED,
    EXIT_INVALID,
    console,
    err_console,
    output_folder,
    parse_as_of,
    usage_error,
)
from sovereign.config.errors import ConfigError, Problem

__all__ = ["register"]


class PlanFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"


class DiffFormat(StrEnum):
    MARKDOWN = "markdown"
    JSON = "json"


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)
    app.command("diff")(diff)
    app.command("report")(report)


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
    preview: Annotated[
        bool,
        typer.Option(
            "--preview",
            help="Plan as a first `pulumi preview` of a new stack sees it: values the cloud computes are unknown.",
        ),
    ] = False,
) -> None:
    """Plan stacks offline (the real stack program under the mock engine) and run the sovereignty checks.

    Exit 0 when every check passes, 1 when a sovereignty check fails, 2 on invalid input.
    """
    from sovereign.plan.runner import PlanFailure, plan_stack, plan_stacks
    from sovereign.plan.stackfiles import default_stacks_dir, find_stacks

    date = parse_as_of(as_of)
    if not targets and not all_stacks:
        raise usage_error(
            "no stack named — name stacks or countries (sovereign plan de-prod fr), or use --all", "TARGETS"
        )
    stacks_dir = default_stacks_dir()
    stacks = find_stacks(stacks_dir, None if all_stacks else targets)
    if not stacks:  # `plan --all` over an empty or wrong folder must not pass CI with nothing planned
        raise ConfigError(
            [
                Problem(
                    stacks_dir,
                    None,
                    "<directory>",
                    "no stack files (Pulumi.<cc>-<env>.yaml) found",
                    "add one with 'sovereign new-country', or point SOVEREIGN_STACKS_DIR at the stacks folder",
                )
            ]
        )
    if out is not None:
        output_folder(out)
    try:
        if len(stacks) == 1:
            documents = [plan_stack(stacks[0], as_of=date, preview=preview)]
        else:
            documents = plan_stacks(stacks, as_of=date, workers=workers, preview=preview)
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


def diff(
    base: Annotated[str, typer.Option("--base", help="Git ref to compare with (e.g. origin/main).")],
    targets: Annotated[list[str] | None, typer.Argument(help="Stacks or countries (default: all).")] = None,
    output_format: Annotated[
        DiffFormat, typer.Option("--format", help="markdown or json.")
    ] = DiffFormat.MARKDOWN,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Validation date YYYY-MM-DD (default today).")
    ] = None,
) -> None:
    """Plan stacks at a git ref (temporary worktree) and in the work tree; report added, removed, changed and
    REPLACED resources, sovereignty-relevant changes first. Exit 0 whatever changed, 2 on invalid input."""
    from sovereign.config.loader import default_config_dir
    from sovereign.plan.diff import diff_documents, render_diff_markdown
    from sovereign.plan.gitbase import plan_at_ref
    from sovereign.plan.runner import plan_stacks
    from sovereign.plan.stackfiles import default_stacks_dir, find_stacks

    date = parse_as_of(as_of)
    stacks = find_stacks(default_stacks_dir(), targets or None)
    names = [s.name for s in stacks]
    base_documents = plan_at_ref(
        base, names, config_dir=default_config_dir(), stacks_dir=default_stacks_dir(), as_of=date
    )
    head_documents = {d["stack"]: d for d in plan_stacks(stacks, as_of=date)}
    diffs = [diff_documents(n, base_documents.get(n), head_documents.get(n)) for n in names]
    if output_format == DiffFormat.JSON:
        sys.stdout.write(
            json.dumps([d.to_json() for d in diffs], indent=2, ensure_ascii=False, default=str) + "\n"
        )
    else:
        sys.stdout.write(render_diff_markdown(diffs, base))


def report(
    stack: Annotated[str, typer.Argument(help="The stack, e.g. de-prod.")],
    out: Annotated[Path | None, typer.Option("--out", help="Write FILE (markdown) and FILE.json.")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Validation date YYYY-MM-DD (default today).")
    ] = None,
) -> None:
    """Evidence for auditors: every control with its status, the inventory with region and key, the models with
    their risk records, and the groups with access."""
    from sovereign.config.loader import default_config_dir, load_country, load_register
    from sovereign.plan.report import build_report, render_report_markdown
    from sovereign.plan.runner import plan_stack
    from sovereign.plan.stackfiles import default_stacks_dir, find_stacks

    date = parse_as_of(as_of)
    if out is not None:
        if out.is_dir():
            raise usage_error(f"is a folder: {out} — name a file, e.g. --out evidence/de-prod.md", "--out")
        output_folder(out.parent)
    [target] = find_stacks(default_stacks_dir(), [stack])[:1]
    document = plan_stack(target, as_of=date)
    config = load_country(target.country, target.environment, as_of=date)
    register, problems = load_register(default_config_dir())
    if register is None:
        raise ConfigError(problems)
    evidence = build_report(document, config, register, date)
    markdown = render_report_markdown(evidence)
    if out is None:
        sys.stdout.write(markdown)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(markdown, encoding="utf-8")
        out.with_name(out.name + ".json").write_text(
            json.dumps(evidence, indent=2, ensure_ascii=False) + "\n", "utf-8"
        )
        console.print(f"wrote {out} and {out.name}.json")
    if evidence["summary"]["controls_failed"]:
        sys.exit(EXIT_CHECKS_FAILED)
