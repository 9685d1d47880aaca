"""The Azure controls that existed only on paper, built: break-glass eligibility (PIM), the Activity Log in the
country's workspace, the registry's in-country replica.

Sources (also in the components): pulumi-azure-native 3.29.0 ``authorization.PimRoleEligibilitySchedule``,
``monitor.SubscriptionDiagnosticSetting``, ``containerregistry.Replication``; built-in role ids from
MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles.md; Activity Log categories from
articles/azure-resource-manager/bicep/temp/diagnostic-settings-activity-log.bicep; replica DNS records from
articles/container-registry/container-registry-private-link.md ("Add zone records for replicas").
"""

from __future__ import annotations

import pytest

from components.azure.catalogue import ACTIVITY_LOG_CATEGORIES
from sovereign.engine.recorder import Recording
from tests.components.azure.conftest import ADMIN_GROUP, PAIR, REGION, at, platform_args, record_platform

BREAK_GLASS = "0c5a2b1e-7d4f-4e8a-9b3c-5f6e7d8c9b0a"
PIM = "azure-native:authorization:PimRoleEligibilitySchedule"
CLUSTER = "azure-native:containerservice:ManagedCluster"
ACTIVITY = "azure-native:monitor:SubscriptionDiagnosticSetting"
REPLICA = "azure-native:containerregistry:Replication"
ENDPOINT = "azure-native:network:PrivateEndpoint"
AKS_RBAC_CLUSTER_ADMIN = (
    "/providers/Microsoft.Authorization/roleDefinitions/b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b"
)
KEY_VAULT_CRYPTO_OFFICER = (
    "/providers/Microsoft.Authorization/roleDefinitions/14b46e9e-c2b7-41b4-b07b-48a6ebf60603"
)
REASON = "Dedicated log cluster not justified at this country's daily log volume of a few GB."


@pytest.fixture(scope="module")
def controlled() -> Recording:
    from components.azure import RegistryReplica

    return record_platform(
        platform_args(
            break_glass_group_object_ids=[BREAK_GLASS],
            registry_replicas=[RegistryReplica(PAIR, zone_redundant=False)],
            logs_platform_key_justification=REASON,
        )
    )


def test_break_glass_groups_are_eligible_for_cluster_admin_and_key_recovery(controlled: Recording) -> None:
    schedules = controlled.of_type(PIM)
    got = {
        (s.inputs["principalId"], s.inputs["roleDefinitionId"], s.inputs["scope"].split("/providers/")[-1])
        for s in schedules
    }
    assert {(p, role) for p, role, _ in got} == {
        (BREAK_GLASS, AKS_RBAC_CLUSTER_ADMIN),
        (BREAK_GLASS, KEY_VAULT_CRYPTO_OFFICER),
    }
    scopes = {role: scope for _, role, scope in got}
    assert scopes[AKS_RBAC_CLUSTER_ADMIN].startswith("Microsoft.ContainerService/managedClusters/")
    assert scopes[KEY_VAULT_CRYPTO_OFFICER].startswith("Microsoft.KeyVault/vaults/")
    for s in schedules:
        assert s.inputs["scheduleInfo"]["expiration"] == {"type": "AfterDuration", "duration": "P365D"}, at(s)


def test_break_glass_groups_are_not_standing_cluster_admins(controlled: Recording) -> None:
    cluster = controlled.one(CLUSTER)
    assert cluster.inputs["aadProfile"]["adminGroupObjectIDs"] == [ADMIN_GROUP], at(cluster)


def test_rejects_a_break_glass_group_that_is_also_an_admin_group() -> None:
    """A careless edit that makes the admin group the break-glass group: standing cluster-admin again."""
    with pytest.raises(ValueError, match="also cluster admin groups"):
        platform_args(break_glass_group_object_ids=[ADMIN_GROUP])


@pytest.mark.parametrize("days", [0, 366])
def test_rejects_an_eligibility_without_a_bounded_expiry(days: int) -> None:
    from components.azure import BreakGlassAccessArgs

    with pytest.raises(ValueError, match="eligibility_days"):
        BreakGlassAccessArgs(
            group_object_ids=[BREAK_GLASS], cluster_id="c", vault_id="v", eligibility_days=days
        )


def test_rejects_a_break_glass_group_named_by_its_display_name() -> None:
    from components.azure import BreakGlassAccessArgs

    with pytest.raises(ValueError, match="'de-break-glass' is not an Entra object id"):
        BreakGlassAccessArgs(group_object_ids=["de-break-glass"], cluster_id="c", vault_id="v")


def test_activity_log_goes_to_the_workspace_with_every_category(controlled: Recording) -> None:
    setting = controlled.one(ACTIVITY)
    assert setting.inputs["workspaceId"].endswith("/workspaces/de-logs-workspace"), at(setting)
    assert {log["category"] for log in setting.inputs["logs"] if log["enabled"]} == set(
        ACTIVITY_LOG_CATEGORIES
    )
    assert not {"storageAccountId", "eventHubAuthorizationRuleId", "serviceBusRuleId"} & set(setting.inputs)


def test_no_activity_log_export_before_the_logs_key_applies() -> None:
    """First deployment of a dedicated log cluster: nothing is sent before the country's key encrypts it."""
    assert record_platform(platform_args()).of_type(ACTIVITY) == []


def test_registry_is_replicated_to_the_in_country_secondary(controlled: Recording) -> None:
    [replica] = controlled.of_type(REPLICA)
    assert replica.inputs["location"] == PAIR and replica.inputs["zoneRedundancy"] == "Disabled", at(replica)
    assert replica.protect, at(replica)
    registry_pe = next(e for e in controlled.of_type(ENDPOINT) if "-acr-pe" in e.urn)
    assert replica.urn in registry_pe.dependencies, "the endpoint must be created after the replica " + at(
        registry_pe
    )


@pytest.mark.parametrize(
    ("region", "message"),
    [("westeurope", "not among the allowed regions"), (REGION, "other than the registry's own")],
)
def test_rejects_a_replica_outside_the_country_or_at_home(region: str, message: str) -> None:
    from components.azure import RegistryReplica

    with pytest.raises(ValueError, match=message):
        record_platform(platform_args(registry_replicas=[RegistryReplica(region, zone_redundant=True)]))
