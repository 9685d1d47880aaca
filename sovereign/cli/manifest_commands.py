"""``sovereign manifests``: a stack's Kubernetes objects as YAML files, for independent scanners.

The files are rendered from the same offline plan ``sovereign plan`` produces (see
``sovereign.plan.manifests``); the provider SDKs load only while the stack is planned, never at import.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from sovereign.cli.output import EXIT_INVALID, console, err_console, parse_as_of, usage_error
from sovereign.config.errors import ConfigError, Problem

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    app.command("manifests")(manifests)


def manifests(
    stack: Annotated[str, typer.Argument(help="The stack, e.g. de-prod (or a country with one stack).")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the YAML files (one per object).")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Validation date YYYY-MM-DD (default today).")
    ] = None,
) -> None:
    """Write every Kubernetes object of a stack's offline plan as YAML, one file per object, exactly as the
    toolkit declares it (secret values are never written). Files from an earlier run in the folder are
    replaced; other files there are left alone. Exit 0, or 2 on invalid input."""
    from sovereign.config.loader import load_country
    from sovereign.plan.manifests import ManifestError, helm_releases_of, manifests_of, write_manifests
    from sovereign.plan.runner import PlanFailure, plan_stack
    from sovereign.plan.stackfiles import default_stacks_dir, find_stacks

    date = parse_as_of(as_of)
    if out.exists() and not out.is_dir():
        raise usage_error(f"is a file, not a folder: {out} — name a folder to write into", "--out")
    found = find_stacks(default_stacks_dir(), [stack])
    if len(found) != 1:
        names = ", ".join(s.name for s in found)
        raise usage_error(
            f"'{stack}' names {len(found)} stacks ({names}) — name one stack, e.g. "
            f"sovereign manifests {found[0].name} --out {out}",
            "STACK",
        )
    [target] = found
    try:
        document = plan_stack(target, as_of=date)
        written = write_manifests(manifests_of(document), out)
    except (PlanFailure, ManifestError) as exc:
        err_console.print(str(exc), markup=False)
        sys.exit(EXIT_INVALID)
    except OSError as exc:
        where = Path(exc.filename) if exc.filename else out
        raise ConfigError(
            [Problem(where, None, "--out", f"cannot write: {exc.strerror}", "name a folder you can write to")]
        ) from None
    version = load_country(target.country, target.environment, as_of=date).cluster.kubernetes_version
    console.print(
        f"wrote {len(written)} manifest(s) of {target.name} (Kubernetes {version}) to {out}",
        markup=False,
        highlight=False,
    )
    for release in helm_releases_of(document):
        err_console.print(
            f"not rendered: Helm release {release}; its objects come from the chart at deploy time — scan them "
            "with `helm template` on the mirrored chart and the values in the plan",
            markup=False,
            highlight=False,
        )
