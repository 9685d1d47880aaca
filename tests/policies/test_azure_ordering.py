"""The Azure platform and ordering rules (sovereign/policies/azure_ordering.py) on the real platform's recording:
each passes on what AzurePlatform declares, and fails on the defect the review found, rebuilt from that recording
(a dependency removed, a setting put back), so a rule that cannot fail would fail here."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from sovereign.policies import ResourceView, evaluate, view_of_registration
from sovereign.policies.azure_ordering import AZURE_PLATFORM_RULES
from tests.components.azure.conftest import platform_args, record_platform
from tests.policies.test_rules import ctx

CLUSTER = "azure-native:containerservice:ManagedCluster"


def _views(**overrides: Any) -> list[ResourceView]:
    return [view_of_registration(r) for r in record_platform(platform_args(**overrides)).registrations]


@pytest.fixture(scope="module")
def first() -> list[ResourceView]:
    """First deployment: the dedicated log cluster has its identity and grant, no key, no link."""
    return _views()


@pytest.fixture(scope="module")
def second() -> list[ResourceView]:
    """Second deployment: the log cluster's key is set and the workspace linked."""
    return _views(logs_cluster_key_granted=True)


def failures(resources: list[ResourceView], policy: str) -> list[str]:
    [rule] = [r for r in AZURE_PLATFORM_RULES if r.id == policy]
    return [c["message"] for c in evaluate([rule], ctx(), resources) if c["status"] == "fail"]


def edit(
    resources: list[ResourceView], match: Callable[[ResourceView], bool], **changes: Any
) -> list[ResourceView]:
    """The plan with every matching resource changed (props merged at the top level, or fields replaced)."""
    found = [r for r in resources if match(r)]
    assert found, "the defect must be built from a resource the platform declares"
    props = changes.pop("props", None)
    out = []
    for r in resources:
        extra = {"props": {**r.props, **props}} if props else {}
        out.append(dataclasses.replace(r, **changes, **extra) if match(r) else r)
    return out


def of_type(type_: str) -> Callable[[ResourceView], bool]:
    return lambda r: r.type == type_


def without_deps(resources: list[ResourceView], r: ResourceView, drop: Callable[[str], bool]) -> ResourceView:
    by_urn = {x.urn: x for x in resources}
    return dataclasses.replace(
        r, dependencies=tuple(d for d in r.dependencies if not (d in by_urn and drop(by_urn[d].type)))
    )


@pytest.mark.parametrize("rule", [r.id for r in AZURE_PLATFORM_RULES])
def test_every_rule_passes_on_both_deployments(
    rule: str, first: list[ResourceView], second: list[ResourceView]
) -> None:
    assert failures(first, rule) == [], rule
    assert failures(second, rule) == [], rule


def test_vnet_encryption_on_an_integrated_api_server_fails(first: list[ResourceView]) -> None:
    # A2: the VNet was declared with encryption.enabled=True (AllowUnencrypted).
    broken = edit(
        first,
        of_type("azure-native:network:VirtualNetwork"),
        props={"encryption": {"enabled": True, "enforcement": "AllowUnencrypted"}},
    )
    [msg] = failures(broken, "no-vnet-encryption-with-apiserver-integration")
    assert "API Server VNet Integration" in msg


def test_placeholder_in_a_policy_message_fails(first: list[ResourceView]) -> None:
    # A9: SLZ's literal message was sent as is.
    broken = edit(
        first,
        of_type("azure-native:authorization:PolicyAssignment"),
        props={"nonComplianceMessages": [{"message": "Sovereign policies {enforcementMode} be enforced."}]},
    )
    msgs = failures(broken, "policy-messages-resolved")
    assert msgs and all("{enforcementMode}" in m for m in msgs)
    messages = [
        m.get("message")
        for r in first
        if r.type == "azure-native:authorization:PolicyAssignment"
        for m in r.get("nonComplianceMessages")
    ]
    assert messages and set(messages) == {"Sovereign policies must be enforced."}


def test_registry_refusing_arm_tokens_fails_with_an_isolated_cluster(first: list[ResourceView]) -> None:
    # A11: azureADAuthenticationAsArmPolicy 'disabled' with outbound type 'none'.
    [cluster] = [r for r in first if r.type == CLUSTER]
    assert cluster.get("networkProfile.outboundType") == "none"
    registry = "azure-native:containerregistry:Registry"
    [acr] = [r for r in first if r.type == registry]
    assert acr.get("policies.azureADAuthenticationAsArmPolicy.status") == "enabled"
    policies = {**acr.props["policies"], "azureADAuthenticationAsArmPolicy": {"status": "disabled"}}
    [msg] = failures(
        edit(first, of_type(registry), props={"policies": policies}), "registry-accepts-arm-tokens"
    )
    assert "ARM-audience" in msg


@pytest.mark.parametrize("name", [None, "not-a-guid"])
def test_role_assignment_without_a_guid_name_fails(first: list[ResourceView], name: str | None) -> None:
    grant = "azure-native:authorization:RoleAssignment"
    broken = edit(first, of_type(grant), props={"roleAssignmentName": name})
    assert len(failures(broken, "role-assignments-named")) == len([r for r in first if r.type == grant])


def test_role_assignment_names_are_deterministic(first: list[ResourceView]) -> None:
    again = _views()
    names = lambda views: sorted(  # noqa: E731
        (r.name, r.get("roleAssignmentName"))
        for r in views
        if r.type == "azure-native:authorization:RoleAssignment"
    )
    assert names(first) == names(again)
    assert len({n for _, n in names(first)}) == len(names(first)), "one GUID per scope, role and principal"


def test_cluster_not_waiting_for_its_dns_zone_link_fails(first: list[ResourceView]) -> None:
    # A15a: the cluster depended on its zone but not on the zone's virtual network link.
    by_urn = {r.urn: r for r in first}
    [cluster] = [r for r in first if r.type == CLUSTER]
    links = {
        d
        for d in cluster.dependencies
        if by_urn.get(d) and by_urn[d].type == "azure-native:privatedns:VirtualNetworkLink"
    }
    assert links, "the cluster depends on the AKS zone's link"
    broken = edit(
        first, of_type(CLUSTER), dependencies=tuple(d for d in cluster.dependencies if d not in links)
    )
    [msg] = failures(broken, "cluster-after-dns-zone-link")
    assert "virtual network link" in msg


@pytest.mark.parametrize(
    "consumer",
    [
        "azure-native:compute:DiskEncryptionSet",
        "azure-native:storage:StorageAccount",
        "azure-native:containerregistry:Registry",
        CLUSTER,
    ],
)
def test_cmk_consumer_without_grant_or_wait_fails(first: list[ResourceView], consumer: str) -> None:
    # A15b: the consumer was created right after the key (no grant), or right after the grant (no wait).
    target = next(r for r in first if r.type == consumer)
    # Rebuilt with only its identity and key left: no dependency on the grant nor the wait.
    no_grant = [
        without_deps(
            first, r, lambda t: t in ("azure-native:authorization:RoleAssignment", "time:index/sleep:Sleep")
        )
        if r.urn == target.urn
        else r
        for r in first
    ]
    [msg] = failures(no_grant, "cmk-consumer-after-grant")
    assert "role assignment granting its identity" in msg
    no_wait = [
        without_deps(first, r, lambda t: t == "time:index/sleep:Sleep") if r.urn == target.urn else r
        for r in first
    ]
    # Its identity output still carries the sleep of its key: drop every sleep to rebuild the defect.
    no_wait = [r for r in no_wait if r.type != "time:index/sleep:Sleep"]
    [rule] = [r for r in AZURE_PLATFORM_RULES if r.id == "cmk-consumer-after-grant"]
    at_target = [
        c["message"]
        for c in evaluate([rule], ctx(), no_wait)
        if c["status"] == "fail" and c["urn"] == target.urn
    ]
    assert at_target and "RBAC propagation" in at_target[0]


def test_log_cluster_with_a_user_assigned_identity_fails(second: list[ResourceView]) -> None:
    # A3: the cluster's key used a user-assigned identity against the private vault.
    cluster = "azure-native:operationalinsights:Cluster"
    broken = edit(second, of_type(cluster), props={"identity": {"type": "UserAssigned"}})
    [msg] = failures(broken, "cmk-consumer-after-grant")
    assert "SystemAssigned" in msg


def test_log_cluster_key_is_set_only_by_the_second_deployment(
    first: list[ResourceView], second: list[ResourceView]
) -> None:
    cluster = "azure-native:operationalinsights:Cluster"
    link = "azure-native:operationalinsights:LinkedService"
    [one], [two] = ([r for r in views if r.type == cluster] for views in (first, second))
    assert one.get("identity") == {"type": "SystemAssigned"} and not one.get("keyVaultProperties")
    assert (
        two.get("identity") == {"type": "SystemAssigned"}
        and two.get("keyVaultProperties.keyName") == "logs-cmk"
    )
    assert not [r for r in first if r.type == link] and len([r for r in second if r.type == link]) == 1
    # Nothing is sent to the workspace before the link: no AKS diagnostic setting in the first deployment.
    setting = "azure-native:monitor:DiagnosticSetting"
    assert not [r for r in first if r.type == setting] and [r for r in second if r.type == setting]


def test_link_before_key_and_diagnostics_before_link_fail(second: list[ResourceView]) -> None:
    # A3/A8: the workspace linked to a keyless cluster; the diagnostic setting not waiting for the link.
    cluster = "azure-native:operationalinsights:Cluster"
    keyless = edit(second, of_type(cluster), props={"keyVaultProperties": None})
    [msg] = failures(keyless, "logs-cmk-order")
    assert "before its customer key is set" in msg
    setting = "azure-native:monitor:DiagnosticSetting"
    [diag] = [r for r in second if r.type == setting]
    early = [
        without_deps(second, r, lambda t: t == "azure-native:operationalinsights:LinkedService")
        if r.urn == diag.urn
        else r
        for r in second
    ]
    [msg] = failures(early, "logs-cmk-order")
    assert "does not wait for the customer-key link" in msg
