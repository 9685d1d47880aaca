"""``sovereign permissions STACK``: what the identity running ``pulumi up`` needs, derived from the offline plan.

The derivation lives per cloud behind the seam (``sovereign.clouds.cloud_module(cloud, "permissions")``, a
module with ``derive(stack, resources)`` returning an object with ``to_json()``); a cloud without that module is
refused with exit 2 rather than answered with a made-up list. The JSON shapes are documented in
``sovereign/clouds/azure/permissions.py`` and ``sovereign/clouds/oci/permissions.py``.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer

from sovereign.cli.output import EXIT_CHECKS_FAILED, EXIT_INVALID, err_console, parse_as_of

__all__ = ["register"]


class PermissionsFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def register(app: typer.Typer) -> None:
    app.command("permissions")(permissions)


def permissions(
    stack: Annotated[str, typer.Argument(help="The stack, e.g. de-prod.")],
    output_format: Annotated[
        PermissionsFormat, typer.Option("--format", help="text or json.")
    ] = PermissionsFormat.TEXT,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Validation date YYYY-MM-DD (default today).")
    ] = None,
) -> None:
    """What the identity running `pulumi up` needs, derived from the stack's offline plan: on Azure the roles
    (with scopes), custom-role actions, subscription features and resource providers; on OCI the IAM policy
    statements, the compartment each attaches to, written in the home region. Exit 0, 1 on a toolkit gap, 2 on
    invalid input or a cloud whose permissions are not derived yet."""
    from sovereign.clouds import cloud_module
    from sovereign.config.loader import load_country
    from sovereign.plan.runner import PlanFailure, plan_stack
    from sovereign.plan.stackfiles import default_stacks_dir, find_stacks

    date = parse_as_of(as_of)
    [target] = find_stacks(default_stacks_dir(), [stack])[:1]
    cloud = str(load_country(target.country, target.environment, as_of=date).cloud)
    try:
        derivation = cloud_module(cloud, "permissions")
    except ModuleNotFoundError:
        err_console.print(
            f"{target.name}: the deploying identity's permissions are not derived for {cloud} stacks yet (only "
            "azure and oci); see the cloud's IAM documentation for now.",
            markup=False,
        )
        sys.exit(EXIT_INVALID)
    try:
        document = plan_stack(target, as_of=date)
    except PlanFailure as exc:
        err_console.print(str(exc), markup=False)
        sys.exit(EXIT_INVALID)
    try:
        result = derivation.derive(document["stack"], document["resources"]).to_json()
    except ValueError as exc:  # a planned type the table does not cover: a toolkit gap, not the user's input
        err_console.print(f"{target.name}: {exc}", markup=False)
        sys.exit(EXIT_CHECKS_FAILED)
    if output_format == PermissionsFormat.JSON:
        sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_text(result))


def render_text(result: dict[str, Any]) -> str:
    """People's form: roles with scopes (as `az role assignment create`), the custom-role actions, features and
    providers with their `az` commands; for OCI the IAM policy statements by attachment. Every line says which
    planned resources need it."""
    if result["cloud"] == "oci":
        return _render_oci(result)
    lines = [f"Permissions for `pulumi up` of {result['stack']} ({result['cloud']})", ""]
    lines.append("Roles for the deploying identity (built-in; each with its scope):")
    for role in result["roles"]:
        lines.append(f"  - {role['role']} on {role['scope']}")
        lines.append(f"    why: {role['why']}")
        command = (
            f'    az role assignment create --assignee <deploy-identity> --role "{role["role"]}" '
            f'--scope "{role["scope"]}"'
        )
        if role["condition"]:
            command += f' --condition-version 2.0 --condition "{role["condition"]}"'
        lines.append(command)
    lines += ["", "Or one custom role with exactly these actions (same scopes):"]
    lines += [f"  {a['action']}    # {a['why']}" for a in result["actions"]]
    if result["data_actions"]:
        lines.append("  dataActions:")
        lines += [f"  {a['action']}    # {a['why']}" for a in result["data_actions"]]
    lines += ["", "Subscription features to register (once per subscription, before the first `pulumi up`):"]
    for feature in result["features"]:
        lines.append(f"  - {feature['namespace']}/{feature['name']}: {feature['why']} ({feature['source']})")
        lines.append(f"    az feature register --namespace {feature['namespace']} --name {feature['name']}")
        lines.append(f"    az provider register --namespace {feature['namespace']}")
    if not result["features"]:
        lines.append("  (none)")
    lines += ["", "Resource providers to register:"]
    for provider in result["resource_providers"]:
        lines.append(f"  az provider register --namespace {provider['namespace']}    # {provider['why']}")
    if result["notes"]:
        lines += ["", "Notes:"] + [f"  - {note}" for note in result["notes"]]
    return "\n".join(lines) + "\n"


def _render_oci(result: dict[str, Any]) -> str:
    """OCI: one policy per attachment point, its statements as `oci iam policy create` takes them."""
    lines = [f"Permissions for `pulumi up` of {result['stack']} (oci)", ""]
    lines.append(
        f"IAM policies for the deploy group (write them in the home region, {result['home_region']}):"
    )
    attachments: dict[str, list[dict[str, Any]]] = {}
    for policy in result["policies"]:
        attachments.setdefault(policy["compartment"], []).append(policy)
    for compartment, policies in attachments.items():
        where = "the tenancy (root compartment)" if compartment == "tenancy" else f"compartment {compartment}"
        lines += ["", f"  Attached to {where}:"]
        for policy in policies:
            lines.append(f"  - {policy['statement']}")
            lines.append(f"    why: {policy['why']}")
            lines.append(f"    source: {policy['source']}")
    if result["notes"]:
        lines += ["", "Notes:"] + [f"  - {note}" for note in result["notes"]]
    return "\n".join(lines) + "\n"
