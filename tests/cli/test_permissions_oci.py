"""``sovereign permissions`` for OCI stacks (issue 13, finding O12): derived from each shipped OCI plan.

Facts asserted, from the Oracle pages cited in ``sovereign/clouds/oci/permissions.py``: creating a compartment
is ``manage compartments`` on its parent (the tenancy for root-level ones), dynamic groups and quotas are
tenancy-level (Details for IAM; Compartment Quotas "... in tenancy"), OKE node pools need ``manage
instance-family`` (contengpolicyconfig), a customer key attached to a bucket or cluster needs ``use
key-delegate`` (Vault resource types), and IAM is written in the home region (terraform-provider-oci#1596).
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sovereign.cli.permissions_commands import render_text
from sovereign.clouds.oci.permissions import TYPE_GRANTS, UncoveredTypes, derive, uncovered_types
from tests.config.helpers import AS_OF

ROOT = Path(__file__).resolve().parents[2]
OCI_STACKS = ("ae-prod", "au-prod", "fr-prod", "fr-staging", "jp-prod")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SOVEREIGN_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "sovereign", *args, "--as-of", AS_OF.isoformat()],
        cwd=ROOT,
        env={**env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=600,
    )


def _statements(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["statement"]: p for p in result["policies"]}


def test_the_shipped_oci_stacks_are_the_ones_tested(plans: dict[str, dict[str, Any]]) -> None:
    assert sorted(s for s, p in plans.items() if p["cloud"] == "oci") == list(OCI_STACKS)


@pytest.mark.parametrize("stack", OCI_STACKS)
def test_tenancy_level_rights_and_compartment_rights_per_stack(
    plans: dict[str, dict[str, Any]], stack: str
) -> None:
    plan = plans[stack]
    assert uncovered_types(plan["resources"]) == []
    result = derive(stack, plan["resources"]).to_json()
    statements = _statements(result)
    compartment = next(
        r["inputs"]["name"] for r in plan["resources"] if r["type"] == "oci:Identity/compartment:Compartment"
    )
    inside = f"in tenancy where target.compartment.name = '{compartment}'"
    group = "Allow group <deploy-group> to"
    # Root-level IAM (finding O12): nothing compartment-scoped can create these.
    for grant in ("manage compartments", "manage dynamic-groups", "manage quotas", "manage policies"):
        assert statements[f"{group} {grant} in tenancy"]["compartment"] == "tenancy", grant
    for grant in (
        "manage cluster-family",
        "manage instance-family",
        "manage virtual-network-family",
        "manage object-family",
        "manage vaults",
        "manage keys",
        "use key-delegate",
        "manage repos",
        "manage logging-family",
        "manage serviceconnectors",
    ):
        assert f"{group} {grant} {inside}" in statements, grant
    home = next(r["inputs"]["region"] for r in plan["resources"] if r["type"] == "pulumi:providers:oci")
    assert result["home_region"] == home and {p["region"] for p in result["policies"]} == {home}
    assert all(p["source"].startswith(("https://docs.oracle.com", "oracle")) for p in result["policies"])
    assert any("home region" in n for n in result["notes"])


def test_a_nested_compartment_is_granted_on_its_parent(plans: dict[str, dict[str, Any]]) -> None:
    resources = copy.deepcopy(plans["fr-prod"]["resources"])
    parent = "ocid1.compartment.oc1..aaaaaaaaparent"
    for r in resources:
        if r["type"] == "oci:Identity/compartment:Compartment":
            r["inputs"]["compartmentId"] = parent
    statements = _statements(derive("fr-prod", resources).to_json())
    assert statements["Allow group <deploy-group> to manage compartments in compartment id " + parent]
    vcn = (
        "Allow group <deploy-group> to manage virtual-network-family in compartment id "
        f"{parent} where target.compartment.name = 'sovereign-fr-prod'"
    )
    assert statements[vcn]["compartment"] == parent


def test_a_planned_oci_type_without_a_row_is_refused_by_name(plans: dict[str, dict[str, Any]]) -> None:
    resources = [*plans["jp-prod"]["resources"], {"type": "oci:Dns/zone:Zone", "name": "z", "inputs": {}}]
    with pytest.raises(UncoveredTypes, match="oci:Dns/zone:Zone"):
        derive("jp-prod", resources)
    assert "oci:Dns/zone:Zone" not in TYPE_GRANTS


@pytest.mark.parametrize("stack", OCI_STACKS)
def test_text_rendering_lists_statements_by_attachment(plans: dict[str, dict[str, Any]], stack: str) -> None:
    text = render_text(derive(stack, plans[stack]["resources"]).to_json())
    assert f"Permissions for `pulumi up` of {stack} (oci)" in text
    assert "Attached to the tenancy (root compartment):" in text
    assert "- Allow group <deploy-group> to manage quotas in tenancy" in text
    assert "home region" in text


@pytest.mark.parametrize("stack", OCI_STACKS)
def test_cli_json_for_each_oci_stack(stack: str) -> None:
    result = _run("permissions", stack, "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["cloud"] == "oci" and document["stack"] == stack
    assert any(f"sovereign-{stack}" in p["statement"] for p in document["policies"])


def test_cli_text_for_an_oci_stack() -> None:
    result = _run("permissions", "jp-prod")
    assert result.returncode == 0, result.stderr
    assert "Permissions for `pulumi up` of jp-prod (oci)" in result.stdout
    assert "manage dynamic-groups in tenancy" in result.stdout
