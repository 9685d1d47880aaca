"""SovereignPolicies: SLZ L1/L2/L3 initiatives with the country's parameters and enforcement mode."""

from typing import Any

import pytest

from sovereign.engine.recorder import Recording, run_program
from sovereign.types import ConfidentialTier

ASSIGNMENT = "azure-native:authorization:PolicyAssignment"
SETS = "/providers/Microsoft.Authorization/policySetDefinitions/"
SUBSCRIPTION = "/subscriptions/00000000-0000-0000-0000-000000000000"


def policy_args(**overrides: Any) -> Any:
    from components.azure import SovereignPoliciesArgs

    values: dict[str, Any] = {
        "scope": SUBSCRIPTION,
        "allowed_locations": ["germanywestcentral", "germanynorth"],
    }
    values.update(overrides)
    return SovereignPoliciesArgs(**values)


def record(args: Any) -> Recording:
    def program() -> None:
        from components.azure import SovereignPolicies

        SovereignPolicies("de-policy", args)

    return run_program(program)


def assignments(recording: Recording) -> dict[str, Any]:
    return {r.inputs["policyDefinitionId"].removeprefix(SETS): r for r in recording.of_type(ASSIGNMENT)}


def test_residency_and_key_vault_premium_cmk_without_confidential_tier() -> None:
    found = assignments(record(policy_args()))
    assert sorted(found) == ["bebfcba2-e789-4da6-9043-726ef3a00d02", "f15f4d95-c59c-4395-9317-be6978d0743f"]
    residency = found["bebfcba2-e789-4da6-9043-726ef3a00d02"]
    assert residency.inputs["parameters"] == {
        "effect": {"value": "Deny"},
        "listOfAllowedLocations": {"value": ["germanywestcentral", "germanynorth"]},
    }, residency.urn
    assert residency.inputs["scope"] == SUBSCRIPTION, residency.urn
    assert residency.inputs["enforcementMode"] == "Default", residency.urn
    assert residency.inputs["definitionVersion"] == "1.*.*-preview", residency.urn
    cmk = found["f15f4d95-c59c-4395-9317-be6978d0743f"]
    assert cmk.inputs["parameters"] == {"effect": {"value": "Audit"}}, cmk.urn
    for assignment in found.values():
        name = assignment.inputs["policyAssignmentName"]
        assert len(name) <= 24, f"{assignment.urn}: {name} too long for a management-group scope"


def test_cmk_initiative_denies_and_assignments_stop_enforcing_when_asked() -> None:
    found = assignments(record(policy_args(cmk_effect="Deny", enforcement_mode="DoNotEnforce")))
    cmk = found["f15f4d95-c59c-4395-9317-be6978d0743f"]
    assert cmk.inputs["parameters"] == {"effect": {"value": "Deny"}}, cmk.urn
    assert {a.inputs["enforcementMode"] for a in found.values()} == {"DoNotEnforce"}


def test_confidential_tier_assigns_l3_with_the_cluster_sizes_at_its_scope() -> None:
    cluster_group = f"{SUBSCRIPTION}/resourceGroups/de-aks"
    found = assignments(
        record(
            policy_args(
                confidential_tier=ConfidentialTier.CONFIDENTIAL_GPU,
                confidential_vm_skus=["Standard_DC4as_v5", "Standard_NCC40ads_H100_v5"],
                confidential_scope=cluster_group,
            )
        )
    )
    l3 = found["7a76da03-ec94-45ea-a4fd-496c350c2a63"]
    assert l3.inputs["scope"] == cluster_group, l3.urn
    assert l3.get("parameters.allowedVirtualMachineSKUs.value") == [
        "Standard_DC4as_v5",
        "Standard_NCC40ads_H100_v5",
    ]
    types = l3.get("parameters.allowedResourceTypes.value")
    assert "Microsoft.ContainerService/managedClusters" in types, l3.urn
    assert "Microsoft.Storage/storageAccounts" not in types, f"{l3.urn}: storage belongs outside the L3 scope"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"allowed_locations": []}, "denies every"),
        ({"confidential_tier": ConfidentialTier.CONFIDENTIAL_VM}, "would deny every VM"),
        (
            {
                "confidential_tier": ConfidentialTier.CONFIDENTIAL_VM,
                "confidential_vm_skus": ["Standard_D4ds_v5"],
            },
            "not confidential sizes",
        ),
    ],
)
def test_rejects_policies_that_would_deny_the_platform_or_allow_too_much(
    overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        policy_args(**overrides)
