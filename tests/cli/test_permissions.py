"""``sovereign permissions``: the deploying identity's needs, derived from each shipped Azure plan (issue 12).

The facts asserted come from Microsoft's pages cited in ``sovereign/clouds/azure/permissions.py``: Contributor's
NotActions exclude ``Microsoft.Authorization/*/Write`` (built-in-roles/privileged.md), so role and policy
assignments need their own roles; ``EncryptionAtHost`` is a ``Microsoft.Compute`` feature (AKS
enable-host-encryption.md).
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sovereign.clouds.azure.permissions import SUBSCRIPTION, UncoveredTypes, derive, uncovered_types
from tests.config.helpers import AS_OF

ROOT = Path(__file__).resolve().parents[2]
AZURE_STACKS = ("br-prod", "de-prod", "de-staging", "gb-prod", "in-prod", "kr-prod", "no-prod")
POLICY = "azure-native:authorization:PolicyAssignment"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"


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


def _derived(plan: dict[str, Any]) -> dict[str, Any]:
    return derive(plan["stack"], plan["resources"]).to_json()


def _actions(result: dict[str, Any]) -> set[str]:
    return {a["action"] for a in result["actions"]}


def _roles(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["role"]: r for r in result["roles"]}


def test_the_shipped_azure_stacks_are_the_ones_tested(plans: dict[str, dict[str, Any]]) -> None:
    assert sorted(s for s, p in plans.items() if p["cloud"] == "azure") == list(AZURE_STACKS)


@pytest.mark.parametrize("stack", AZURE_STACKS)
def test_the_table_covers_every_azure_native_type_of_the_plan(
    plans: dict[str, dict[str, Any]], stack: str
) -> None:
    assert uncovered_types(plans[stack]["resources"]) == [], f"{stack}: types without permission rows"


def test_a_type_without_a_row_is_refused_by_name(plans: dict[str, dict[str, Any]]) -> None:
    resources = [
        *plans["kr-prod"]["resources"],
        {"type": "azure-native:cdn:Profile", "name": "x", "inputs": {}},
    ]
    with pytest.raises(UncoveredTypes, match="azure-native:cdn:Profile"):
        derive("kr-prod", resources)


@pytest.mark.parametrize("stack", AZURE_STACKS)
def test_every_shipped_azure_stack_gets_roles_features_and_providers(
    plans: dict[str, dict[str, Any]], stack: str
) -> None:
    result = _derived(plans[stack])
    roles = _roles(result)
    # The stack creates its resource group: only a subscription-scope grant can carry resourceGroups/write.
    assert roles["Contributor"]["scope"] == SUBSCRIPTION, stack
    assert "Microsoft.Resources/subscriptions/resourceGroups/write" in _actions(result), stack
    # Contributor cannot write role or policy assignments (NotActions Microsoft.Authorization/*/Write).
    assert "Microsoft.Authorization/roleAssignments/write" in _actions(result), stack
    assert "Microsoft.Authorization/policyAssignments/write" in _actions(result), stack
    assert roles["Resource Policy Contributor"]["role_definition_id"].endswith(
        "36243c78-bf99-498c-9df9-86d9f8d28608"
    )
    assert {"Microsoft.ContainerService", "Microsoft.KeyVault", "Microsoft.Network"} <= {
        p["namespace"] for p in result["resource_providers"]
    }, stack
    assert "Microsoft.Authorization" not in {p["namespace"] for p in result["resource_providers"]}
    # The node and endpoint subnets are joined and user-assigned identities attached by the planned resources.
    assert {
        "Microsoft.Network/virtualNetworks/subnets/join/action",
        "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action",
    } <= _actions(result), stack
    for section in ("roles", "actions", "features", "resource_providers"):
        for item in result[section]:
            assert item["why"], f"{stack}: {section} item without why: {item}"


def test_rbac_administrator_may_assign_exactly_the_planned_roles(plans: dict[str, dict[str, Any]]) -> None:
    plan = plans["de-prod"]
    planned = {
        r["inputs"]["roleDefinitionId"].rsplit("/", 1)[-1]
        for r in plan["resources"]
        if r["type"] == ROLE_ASSIGNMENT
    }
    condition = _roles(_derived(plan))["Role Based Access Control Administrator"]["condition"]
    written, deleted = re.findall(r"GuidEquals \{([^}]*)\}", condition)
    assert set(written.split(", ")) == planned and set(deleted.split(", ")) == planned


def test_encryption_at_host_feature_follows_the_pools(plans: dict[str, dict[str, Any]]) -> None:
    plan = copy.deepcopy(plans["de-prod"])
    features = {(f["namespace"], f["name"]) for f in _derived(plan)["features"]}
    assert ("Microsoft.Compute", "EncryptionAtHost") in features
    for resource in plan["resources"]:
        resource["inputs"].pop("enableEncryptionAtHost", None)
        for pool in resource["inputs"].get("agentPoolProfiles") or []:
            pool["enableEncryptionAtHost"] = False
    assert ("Microsoft.Compute", "EncryptionAtHost") not in {
        (f["namespace"], f["name"]) for f in _derived(plan)["features"]
    }


def test_no_policy_assignment_asks_for_no_policy_rights(plans: dict[str, dict[str, Any]]) -> None:
    plan = copy.deepcopy(plans["kr-prod"])
    plan["resources"] = [r for r in plan["resources"] if r["type"] != POLICY]
    result = _derived(plan)
    assert "Resource Policy Contributor" not in _roles(result)
    assert not any(a.startswith("Microsoft.Authorization/policyAssignments/") for a in _actions(result))


def test_a_resource_in_an_existing_group_is_granted_on_that_group(plans: dict[str, dict[str, Any]]) -> None:
    hub = {
        "type": "azure-native:network:FirewallPolicyRuleCollectionGroup",
        "name": "kr-prod-egress-rules",
        "inputs": {"resourceGroupName": "hub-rg", "firewallPolicyName": "hub-policy"},
    }
    result = derive("kr-prod", [*plans["kr-prod"]["resources"], hub]).to_json()
    scopes = {r["scope"] for r in result["roles"] if r["role"] == "Contributor"}
    assert scopes == {SUBSCRIPTION, f"{SUBSCRIPTION}/resourceGroups/hub-rg"}
    assert "Microsoft.Network/firewallPolicies/ruleCollectionGroups/write" in _actions(result)


def test_json_output_shape_and_text_commands() -> None:
    result = _run("permissions", "kr-prod", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(document) == {
        "stack",
        "cloud",
        "roles",
        "actions",
        "data_actions",
        "features",
        "resource_providers",
        "notes",
    }
    assert document["stack"] == "kr-prod" and document["cloud"] == "azure"
    assert set(document["roles"][0]) == {"role", "role_definition_id", "scope", "condition", "why"}
    assert set(document["features"][0]) == {"namespace", "name", "why", "source"}
    text = _run("permissions", "kr-prod")
    assert text.returncode == 0, text.stderr
    assert "az feature register --namespace Microsoft.Compute --name EncryptionAtHost" in text.stdout
    assert "az provider register --namespace Microsoft.ContainerService" in text.stdout
    assert (
        '--role "Role Based Access Control Administrator"' in text.stdout
        and "--condition-version 2.0" in text.stdout
    )


# OCI stacks are derived since issue 13: tests/cli/test_permissions_oci.py.
