"""CI commands: ``affected`` (the job matrix) and the ``ci`` group the workflows call (PR comment, drift report).

``sovereign affected`` prints exactly a JSON array of stack names on stdout: a contract the workflows feed to
a job matrix. ``--matrix`` prints richer objects for the workflows instead, without changing that default.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sovereign.cli.output import EXIT_CHECKS_FAILED, err_console, usage_error
from sovereign.config.errors import ConfigError, Problem

if TYPE_CHECKING:
    from sovereign.config.schema import CountryConfig

__all__ = ["register"]

ci_app = typer.Typer(
    name="ci",
    help="Plumbing for the GitHub Actions workflows (.github/workflows/): PR comment, drift report.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.command("affected")(affected)
    app.add_typer(ci_app)
    ci_app.command("pr-comment")(pr_comment)
    ci_app.command("drift-report")(drift_report)
    ci_app.command("backend-check")(backend_check)
    ci_app.command("passphrase-file")(passphrase_file)


def _validated_stack(stack: str, as_of: dt.date) -> CountryConfig:
    """The validated config of ``stack`` (every country file must validate), or a ConfigError naming the known
    stacks: what the CI steps that run before Pulumi start from."""
    from sovereign.config.loader import default_config_dir, validate_files

    configs, problems = validate_files(None, as_of=as_of)
    if problems:
        raise ConfigError(problems)
    config = next((c for c in configs if c.stack_name == stack), None)
    if config is None:
        known = ", ".join(c.stack_name for c in configs)
        raise ConfigError(
            [
                Problem(
                    default_config_dir(),
                    None,
                    stack,
                    f"no stack '{stack}' (known: {known})",
                    "name a stack like 'de-prod'",
                )
            ]
        )
    return config


def backend_check(
    stack: Annotated[str, typer.Argument(help="The stack the job runs, e.g. 'de-prod'.", show_default=False)],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Validation date YYYY-MM-DD.")] = None,
) -> None:
    """Refuse a PULUMI_BACKEND_URL (the job's backend) that is not the country's deployment.state_backend.url.

    Run before any 'pulumi login', 'preview' or 'up': Pulumi uses that variable over everything else
    (pulumi/pulumi v3.259 pkg/workspace/creds.go). Exit 0 when it agrees, 2 when it does not.
    """
    import os

    from sovereign.cli.output import parse_as_of
    from sovereign.config.loader import default_config_dir
    from sovereign.plan.stack_sovereignty import backend_problem

    config = _validated_stack(stack, parse_as_of(as_of))
    problem = backend_problem(
        config, os.environ.get("PULUMI_BACKEND_URL"), default_config_dir() / f"{config.country}.yaml"
    )
    problems = [problem] if problem is not None else []
    override = os.environ.get("PULUMI_CLOUD_SECRET_OVERRIDE")
    if override:
        # Replaces the stack file's secrets provider for the run (pulumi/pulumi pkg/secrets/cloud/manager.go).
        problems.append(
            Problem(
                default_config_dir() / f"{config.country}.yaml",
                None,
                "PULUMI_CLOUD_SECRET_OVERRIDE",
                f"is set ('{override}'): it replaces the declared secrets provider "
                f"'{config.deployment.secrets_provider.url}' for this run",
                "remove the variable from the country's environment",
            )
        )
    if problems:
        raise ConfigError(problems)
    err_console.print(f"backend of {stack}: {config.deployment.state_backend.url} (as declared)")


def passphrase_file(
    stack: Annotated[str, typer.Argument(help="The stack the job runs, e.g. 'fr-prod'.", show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="File to write the passphrase to (mode 0600).")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Validation date YYYY-MM-DD.")] = None,
) -> None:
    """Read an OCI stack's passphrase from the OCI Vault secret its country file names and write it to --out.

    Then set PULUMI_CONFIG_PASSPHRASE_FILE to that path. Never prints the passphrase. Exit 0 when written or when
    the stack needs none (its secrets provider is a cloud key or a Vault server), 2 when it cannot be read.
    """
    from sovereign.ci.passphrase import PassphraseUnavailable, read_passphrase, write_passphrase_file
    from sovereign.cli.output import parse_as_of
    from sovereign.config.loader import default_config_dir

    config = _validated_stack(stack, parse_as_of(as_of))
    where = default_config_dir() / f"{config.country}.yaml"
    secret = config.deployment.secrets_provider.passphrase_secret
    if secret is None:
        err_console.print(
            f"{stack}: secrets provider '{config.deployment.secrets_provider.url}' needs no passphrase"
        )
        return
    try:
        write_passphrase_file(out, read_passphrase(secret))
    except PassphraseUnavailable as exc:
        raise ConfigError(
            [
                Problem(
                    where,
                    None,
                    "deployment.secrets_provider.passphrase_secret",
                    f"{secret}: {exc}",
                    "let the job's OCI identity read the secret (`allow group <ci> to read secret-bundles in "
                    "compartment <country>`) and check the OCID",
                )
            ]
        ) from None
    err_console.print(f"{stack}: wrote the passphrase from {secret} to {out}")


def affected(
    base: Annotated[
        str | None, typer.Option("--base", help="Git ref the change is compared with (e.g. origin/main).")
    ] = None,
    head: Annotated[str, typer.Option("--head", help="Git ref of the change (default HEAD).")] = "HEAD",
    matrix: Annotated[
        bool,
        typer.Option(
            "--matrix",
            help='Print [{"stack", "country", "environment", "cloud", "removed"}] for a job matrix instead.',
        ),
    ] = False,
    all_stacks: Annotated[
        bool, typer.Option("--all", help="Every stack at --head, whatever changed (nightly drift).")
    ] = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="Say why each stack is affected (stderr).")
    ] = False,
) -> None:
    """Print the stacks a change affects as a JSON array of stack names (the workflows' job matrix).

    Country file -> its stacks; stack file -> that stack; models.yaml -> stacks of countries deploying a changed
    model; toolkit, defaults, Pulumi.yaml, pyproject.toml, uv.lock -> every stack; docs, tests, CI -> none.
    Both revisions are read from git, never from the working tree. Exit 0, or 2 on invalid input.
    """
    from sovereign.ci import affected as logic
    from sovereign.config.loader import default_config_dir
    from sovereign.plan.stackfiles import default_stacks_dir

    if (base is None) == (not all_stacks):
        raise usage_error(
            "give exactly one of --base GIT_REF and --all — e.g. sovereign affected --base origin/main",
            "--base / --all",
        )
    layout = logic.RepoLayout.discover(default_config_dir(), default_stacks_dir())
    stacks = logic.all_stacks(layout, head) if base is None else logic.affected_stacks(layout, base, head)
    if explain:
        for stack in stacks:
            note = " (removed at head)" if stack.removed else ""
            err_console.print(
                f"{stack.stack}{note}: {'; '.join(stack.reasons)}", markup=False, highlight=False
            )
    if matrix:
        unknown = [s for s in stacks if s.cloud is None and not s.removed]
        if unknown:
            raise ConfigError(
                [
                    Problem(
                        layout.root / layout.config_dir / f"{s.country}.yaml",
                        None,
                        "cloud",
                        f"no revision says which cloud hosts stack {s.stack} (the matrix needs it)",
                        "set 'cloud: azure' or 'cloud: oci'",
                    )
                    for s in unknown
                ]
            )
        sys.stdout.write(json.dumps([s.matrix_entry() for s in stacks]) + "\n")
    else:
        sys.stdout.write(json.dumps([s.stack for s in stacks]) + "\n")


def pr_comment(
    sections: Annotated[
        Path, typer.Argument(help="Folder of <stack>.md files, one section per stack.", show_default=False)
    ],
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the comment here (default stdout).")
    ] = None,
    details_url: Annotated[
        str | None, typer.Option("--details-url", help="Link to the full output (the workflow run).")
    ] = None,
) -> None:
    """Assemble the one sticky pull-request comment (hidden marker first) within GitHub's size limit."""
    from sovereign.ci.comment import assemble_comment, read_sections

    text = assemble_comment(read_sections(sections), details_url=details_url)
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")


def drift_report(
    stack: Annotated[str, typer.Argument(help="The stack checked, e.g. de-prod.", show_default=False)],
    preview: Annotated[
        Path,
        typer.Argument(help="Output of 'pulumi preview --refresh --json' for the stack.", show_default=False),
    ],
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the issue body here (default stdout).")
    ] = None,
    run_url: Annotated[str | None, typer.Option("--run-url", help="Link to the workflow run.")] = None,
) -> None:
    """Name the drifted resources of a refreshed preview. Exit 0 no drift, 1 drift (issue body written), 2 invalid."""
    from sovereign.ci.drift import parse_preview, render_drift_issue

    drifted = parse_preview(preview)
    if not drifted:
        err_console.print(f"{stack}: no drift", markup=False)
        return
    text = render_drift_issue(stack, drifted, run_url=run_url)
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
    sys.exit(EXIT_CHECKS_FAILED)
