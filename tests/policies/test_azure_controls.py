"""Azure controls: each plan rule of ``sovereign.policies.azure_controls`` fails on the defect it guards against
and passes on its correction; validation refuses a prod audit store that does not say whether its immutability
is locked; the Azure data paths name every region, and Defender's backend as unknown.

Immutability: "A policy can only be created in a Disabled or Unlocked state ... Only a policy in an Unlocked state
can transition to a Locked state which cannot be reverted" (Azure Storage AccountImmutabilityPolicyProperties.state,
the enum azure-native 3.29.0 sends). Lockbox and Activity Log: MicrosoftDocs/azure-docs
articles/security/fundamentals/customer-lockbox-overview.md ("Customer Lockbox logs are stored in activity logs").
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from components.azure.catalogue import ACTIVITY_LOG_CATEGORIES, ROLE
from sovereign.clouds.azure.data_paths import SOURCES
from sovereign.clouds.azure.settings import AzureCountry
from sovereign.policies.model import PolicyContext, ResourceView
from tests.config.helpers import DELETE, edit, merged, messages
from tests.policies.test_rules import ctx, failures, view

ACCOUNT = "azure-native:storage:StorageAccount"
CLUSTER = "azure-native:containerservice:ManagedCluster"
PIM = "azure-native:authorization:PimRoleEligibilitySchedule"
ASSIGNMENT = "azure-native:authorization:RoleAssignment"
ACTIVITY = "azure-native:monitor:SubscriptionDiagnosticSetting"
DIAGNOSTICS = "azure-native:monitor:DiagnosticSetting"
REGISTRY = "azure-native:containerregistry:Registry"
REPLICA = "azure-native:containerregistry:Replication"
AUDIT_ACCOUNT = "de-prod-store-audit-account"


def _with_lock(context: PolicyContext, lock: bool | None) -> PolicyContext:
    """The shipped de-prod with the audit store's ``lock_immutability`` set to ``lock``."""
    stores = [
        s.model_copy(update={"lock_immutability": lock}) if s.name == "audit" else s
        for s in context.config.storage.stores
    ]
    storage = context.config.storage.model_copy(update={"stores": stores})
    return dataclasses.replace(context, config=context.config.model_copy(update={"storage": storage}))


def _account(state: str) -> ResourceView:
    return view(
        ACCOUNT,
        {"immutableStorageWithVersioning": {"enabled": True, "immutabilityPolicy": {"state": state}}},
        name=AUDIT_ACCOUNT,
    )


# audit-store-immutability-locked -------------------------------------------------------------------------------


def test_accepts_a_locked_prod_audit_store() -> None:
    assert failures([_account("Locked")], "audit-store-immutability-locked", _with_lock(ctx(), True)) == []


def test_accepts_an_unlocked_prod_audit_store_whose_lock_is_stated_pending() -> None:
    """The shipped files: the first deployment cannot create a Locked policy, so they say false."""
    assert failures([_account("Unlocked")], "audit-store-immutability-locked") == []


def test_rejects_an_unlocked_prod_audit_store_that_states_nothing() -> None:
    """The careless edit: the 'lock_immutability' line deleted, validation skipped, the plan run anyway."""
    [msg] = failures([_account("Unlocked")], "audit-store-immutability-locked", _with_lock(ctx(), None))
    assert "no stated pending lock" in msg


def test_rejects_a_store_said_locked_that_the_plan_leaves_unlocked() -> None:
    """The stack dropped the lock (a broken wiring): the country file says true, Azure would stay unlocked."""
    [msg] = failures([_account("Unlocked")], "audit-store-immutability-locked", _with_lock(ctx(), True))
    assert "says lock_immutability: true" in msg


# break-glass-eligible-only -------------------------------------------------------------------------------------


def _azure() -> AzureCountry:
    config = ctx().config
    assert isinstance(config, AzureCountry)
    return config


def _break_glass() -> str:
    return _azure().access.break_glass_groups[0].object_id


def _eligible(role: str, expiry: str = "AfterDuration") -> ResourceView:
    return view(
        PIM,
        {
            "principalId": _break_glass(),
            "roleDefinitionId": f"/providers/Microsoft.Authorization/roleDefinitions/{ROLE[role]}",
            "scheduleInfo": {"expiration": {"type": expiry, "duration": "P365D"}},
        },
        name=f"eligible-{role}",
    )


def _cluster(*admins: str) -> ResourceView:
    return view(CLUSTER, {"aadProfile": {"adminGroupObjectIDs": list(admins)}}, name="aks")


ADMIN = "d26a3cde-2fea-b515-c3fc-03f4111bb14f"
BOTH = ("aks_rbac_cluster_admin", "key_vault_crypto_officer")


def test_accepts_break_glass_that_is_eligible_only() -> None:
    resources = [_cluster(ADMIN), *(_eligible(r) for r in BOTH)]
    assert failures(resources, "break-glass-eligible-only") == []


def test_rejects_break_glass_as_a_standing_cluster_admin() -> None:
    """The old wiring: the break-glass group among the AKS admin groups, cluster-admin at all times."""
    resources = [_cluster(ADMIN, _break_glass().upper()), *(_eligible(r) for r in BOTH)]
    [msg] = failures(resources, "break-glass-eligible-only")
    assert "standing cluster admin" in msg


def test_rejects_break_glass_with_a_standing_role_assignment() -> None:
    grant = view(ASSIGNMENT, {"principalId": _break_glass(), "roleDefinitionId": "x"}, name="grant")
    [msg] = failures([_cluster(ADMIN), grant, *(_eligible(r) for r in BOTH)], "break-glass-eligible-only")
    assert "standing role assignment" in msg


@pytest.mark.parametrize(
    ("eligible", "missing"),
    [
        (["aks_rbac_cluster_admin"], "key vault crypto officer"),
        ([], "aks rbac cluster admin"),
    ],
)
def test_rejects_break_glass_without_the_access_it_is_for(eligible: list[str], missing: str) -> None:
    msgs = failures([_cluster(ADMIN), *(_eligible(r) for r in eligible)], "break-glass-eligible-only")
    assert any(missing in m for m in msgs), msgs


def test_rejects_a_permanent_eligibility() -> None:
    resources = [_cluster(ADMIN), _eligible("aks_rbac_cluster_admin", "NoExpiration"), _eligible(BOTH[1])]
    [msg] = failures(resources, "break-glass-eligible-only")
    assert "with an expiry" in msg


# activity-log-in-country ---------------------------------------------------------------------------------------


def _activity(**overrides: Any) -> ResourceView:
    props: dict[str, Any] = {
        "workspaceId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/w",
        "logs": [{"category": c, "enabled": True} for c in ACTIVITY_LOG_CATEGORIES],
    }
    props.update(overrides)
    return view(ACTIVITY, props, name="activity")


AKS_DIAGNOSTICS = view(DIAGNOSTICS, {"workspaceId": "w"}, name="aks-diagnostics")


def test_accepts_the_activity_log_in_the_workspace() -> None:
    assert failures([AKS_DIAGNOSTICS, _activity()], "activity-log-in-country") == []


def test_accepts_no_export_before_the_cluster_logs_flow() -> None:
    """First deployment of the dedicated log cluster: neither the AKS logs nor the Activity Log are sent."""
    assert failures([], "activity-log-in-country") == []


def test_rejects_cluster_logs_without_the_activity_log() -> None:
    [msg] = failures([AKS_DIAGNOSTICS], "activity-log-in-country")
    assert "Activity Log does not" in msg


def test_rejects_an_activity_log_export_to_an_event_hub() -> None:
    """A hostile edit: copy the Activity Log to an event hub another party reads."""
    exported = _activity(eventHubAuthorizationRuleId="/subscriptions/x/eventhub/rule")
    [msg] = failures([AKS_DIAGNOSTICS, exported], "activity-log-in-country")
    assert "eventHubAuthorizationRuleId" in msg


def test_rejects_an_activity_log_without_the_administrative_category() -> None:
    logs = [{"category": c, "enabled": c != "Administrative"} for c in ACTIVITY_LOG_CATEGORIES]
    [msg] = failures([AKS_DIAGNOSTICS, _activity(logs=logs)], "activity-log-in-country")
    assert "'Administrative'" in msg


# registry-replica-in-country -----------------------------------------------------------------------------------

ACR = view(REGISTRY, {"location": "germanywestcentral"}, name="acr")


def test_accepts_a_replica_in_the_secondary_region() -> None:
    replica = view(REPLICA, {"location": "germanynorth"}, name="replica")
    assert failures([ACR, replica], "registry-replica-in-country") == []


def test_rejects_a_registry_without_its_secondary_replica() -> None:
    [msg] = failures([ACR], "registry-replica-in-country")
    assert "'germanynorth'" in msg


def test_rejects_a_replica_abroad() -> None:
    abroad = view(REPLICA, {"location": "West Europe"}, name="abroad")
    msgs = failures([ACR, view(REPLICA, {"location": "germanynorth"}), abroad], "registry-replica-in-country")
    assert msgs == ["registry replica in 'westeurope', outside the country's regions"]


# validation: lock_immutability -----------------------------------------------------------------------------------


def test_accepts_the_shipped_files_and_staging_without_a_statement() -> None:
    assert not [m for m in messages(merged("de")) if "lock_immutability" in m]
    staging = edit(merged("de", "staging"), {"storage.stores.1.lock_immutability": DELETE})
    assert not [m for m in messages(staging) if "lock_immutability" in m]


def test_rejects_a_prod_audit_store_that_does_not_say_whether_it_is_locked() -> None:
    data = edit(merged("de"), {"storage.stores.1.lock_immutability": DELETE})
    [msg] = [m for m in messages(data) if "lock_immutability" in m]
    assert msg.startswith("storage.stores[1].lock_immutability: prod audit-log store 'audit'")
    assert "set 'lock_immutability: false' for the first deployment" in msg


def test_rejects_lock_immutability_on_a_weights_store() -> None:
    data = edit(merged("de"), {"storage.stores.0.lock_immutability": True})
    [msg] = [m for m in messages(data) if "lock_immutability" in m]
    assert "'model_weights' store" in msg


# data paths ------------------------------------------------------------------------------------------------------


def test_every_azure_data_path_of_the_shipped_prod_file_is_in_country() -> None:
    config = ctx().config
    paths = [p for source in SOURCES for p in source(config)]
    regions = {p.region for p in paths}
    assert {"germanywestcentral", "germanynorth"} <= regions
    assert [p.name for p in paths if p.leaves("de")] == []
    assert any("Activity Log" in p.name for p in paths) and any("replica" in p.name for p in paths)


def test_rejects_defender_whose_backend_has_no_stated_region() -> None:
    config = _azure()
    with_defender = config.model_copy(update={"azure": config.azure.model_copy(update={"defender": True})})
    leaving = [p for source in SOURCES for p in source(with_defender) if p.leaves("de")]
    assert [(p.destination, p.setting) for p in leaving] == [
        ("Microsoft Defender for Cloud backend", ("azure", "defender"))
    ]
