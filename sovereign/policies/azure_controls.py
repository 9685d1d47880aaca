"""Azure sovereignty controls that must exist beyond the country file: locked WORM, eligible-only break-glass,
the Activity Log in the country's workspace, and the registry's in-country replica.

Each rule reads the providers' wire-named properties (``ResourceView``) and the validated country; what the
stack builds for each control, and the Azure sources, are in ``components/azure`` (storage.py, break_glass.py,
audit_logging.py, registry.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from sovereign.catalogue import find_region
from sovereign.policies.model import Finding, PolicyContext, ResourceView, Rule
from sovereign.types import Cloud, StorePurpose

__all__ = ["AZURE_CONTROL_RULES"]

_ACCOUNT = "azure-native:storage:StorageAccount"
_CLUSTER = "azure-native:containerservice:ManagedCluster"
_ELIGIBILITY = "azure-native:authorization:PimRoleEligibilitySchedule"
_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
_ACTIVITY = "azure-native:monitor:SubscriptionDiagnosticSetting"
_DIAGNOSTICS = "azure-native:monitor:DiagnosticSetting"
_REGISTRY = "azure-native:containerregistry:Registry"
_REPLICA = "azure-native:containerregistry:Replication"


def _is_azure(ctx: PolicyContext) -> bool:
    return ctx.config.cloud == Cloud.AZURE


def _immutability_locked(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    """An audit-log store's WORM policy is Locked in prod, unless the country states the lock is pending
    (``lock_immutability: false``, the first deployment: Azure creates policies unlocked); and wherever the
    country says locked, the plan locks it."""
    if not _is_azure(ctx):
        return
    stores = {s.name: s for s in ctx.config.storage.stores if s.purpose == StorePurpose.AUDIT_LOGS}
    for r in resources:
        if r.type != _ACCOUNT or r.get("immutableStorageWithVersioning.enabled") is not True:
            continue
        if r.get("immutableStorageWithVersioning.immutabilityPolicy.state") == "Locked":
            continue
        store = next((s for name, s in stores.items() if r.name.endswith(f"-store-{name}-account")), None)
        said = getattr(store, "lock_immutability", None)
        if said is True:
            yield Finding(
                f"audit-log store '{store.name if store else r.name}': the country file says "
                "lock_immutability: true but the immutability policy is not Locked - the stack must pass the "
                "lock (stacks/azure_platform.py)",
                r.urn,
            )
        elif ctx.is_prod and said is not False:
            yield Finding(
                "prod audit-log store with an unlocked immutability policy and no stated pending lock (allowed: "
                "state Locked, or lock_immutability: false in the country file until the store's first "
                "deployment) - set lock_immutability on the store",
                r.urn,
            )


def _break_glass_eligible_only(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    """Break-glass groups hold no standing access (not AKS admin groups, no active role assignment) and are
    PIM-eligible for cluster admin on the cluster and key recovery on the vault, with an expiry."""
    if not _is_azure(ctx):
        return
    # Imported here: importing components.azure loads pulumi_azure_native, which an OCI plan must not load.
    from components.azure.catalogue import BREAK_GLASS_ROLES, ROLE

    groups = {str(getattr(g, "object_id", "")).lower() for g in ctx.config.access.break_glass_groups}
    for r in resources:
        if r.type == _CLUSTER:
            admins = {str(a).lower() for a in (r.get("aadProfile.adminGroupObjectIDs") or [])}
            for group in sorted(groups & admins):
                yield Finding(
                    f"break-glass group {group} is a standing cluster admin (aadProfile.adminGroupObjectIDs); "
                    "it must only be PIM-eligible (components/azure/break_glass.py)",
                    r.urn,
                )
        elif r.type == _ASSIGNMENT and str(r.get("principalId") or "").lower() in groups:
            yield Finding(
                f"break-glass group {r.get('principalId')} has a standing role assignment; break-glass access is "
                "eligible only (PimRoleEligibilitySchedule), activated and logged when needed",
                r.urn,
            )
    if not any(r.type == _CLUSTER for r in resources):
        return
    eligible = {
        (str(r.get("principalId") or "").lower(), str(r.get("roleDefinitionId") or "").rsplit("/", 1)[-1])
        for r in resources
        if r.type == _ELIGIBILITY
        and r.get("scheduleInfo.expiration.type") in ("AfterDuration", "AfterDateTime")
    }
    for group in sorted(groups):
        for role in BREAK_GLASS_ROLES:
            if (group, ROLE[role]) not in eligible:
                yield Finding(
                    f"break-glass group {group} is not eligible (PIM, with an expiry) for {role.replace('_', ' ')} "
                    "- the emergency access it exists for would not be there"
                )


def _activity_log_in_country(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    """Once the cluster's audit logs flow to the workspace, the subscription's Activity Log does too (role
    activations, Customer Lockbox requests): only to a Log Analytics workspace, every category."""
    if not _is_azure(ctx):
        return
    # Imported here: importing components.azure loads pulumi_azure_native, which an OCI plan must not load.
    from components.azure.catalogue import ACTIVITY_LOG_CATEGORIES

    settings = [r for r in resources if r.type == _ACTIVITY]
    if any(r.type == _DIAGNOSTICS for r in resources) and not settings:
        yield Finding(
            "the cluster's audit logs go to the workspace but the subscription's Activity Log does not (break-glass "
            "activations and Customer Lockbox approvals would be logged only in Azure's 90-day Activity Log)"
        )
    for r in settings:
        elsewhere = [
            k
            for k in (
                "storageAccountId",
                "eventHubAuthorizationRuleId",
                "serviceBusRuleId",
                "marketplacePartnerId",
            )
            if r.get(k)
        ]
        if elsewhere or not r.get("workspaceId"):
            yield Finding(
                f"Activity Log export goes to {elsewhere or 'no workspace'} (allowed: the in-country Log Analytics "
                "workspace only)",
                r.urn,
            )
        enabled = {str(log.get("category")) for log in (r.get("logs") or []) if log.get("enabled") is True}
        missing = [c for c in ACTIVITY_LOG_CATEGORIES if c not in enabled]
        if missing:
            yield Finding(f"Activity Log categories not exported: {missing}", r.urn)


def _registry_replica(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    """The registry has a replica in the country's in-country secondary region (disaster recovery of images and
    weights), and no replica anywhere else the country does not allow."""
    if not _is_azure(ctx) or not any(r.type == _REGISTRY for r in resources):
        return
    replicas = {
        str(r.get("location") or "").replace(" ", "").lower(): r for r in resources if r.type == _REPLICA
    }
    for location, r in replicas.items():
        if location not in ctx.allowed_regions:
            yield Finding(f"registry replica in {location!r}, outside the country's regions", r.urn)
    secondary = ctx.config.regions.secondary
    region = find_region(Cloud.AZURE, secondary) if secondary else None
    if region is not None and region.country == ctx.config.country and secondary not in replicas:
        yield Finding(
            f"no registry replica in the secondary region {secondary!r}: its description promises in-country "
            "disaster recovery, and without a replica the images and weights exist in the primary region only"
        )


AZURE_CONTROL_RULES: tuple[Rule, ...] = (
    Rule(
        "audit-store-immutability-locked",
        "Prod audit-log stores have a Locked immutability policy, or state the lock as pending the first "
        "deployment (lock_immutability: false).",
        _immutability_locked,
        lambda r: r.type == _ACCOUNT,
        reads=("inputs.immutableStorageWithVersioning.*",),
    ),
    Rule(
        "break-glass-eligible-only",
        "Break-glass groups hold no standing access and are PIM-eligible, with an expiry, for cluster admin and "
        "Key Vault key recovery.",
        _break_glass_eligible_only,
        lambda r: r.type in (_CLUSTER, _ASSIGNMENT, _ELIGIBILITY),
        reads=(
            "inputs.aadProfile.*",
            "inputs.principalId",
            "inputs.roleDefinitionId",
            "inputs.scheduleInfo.*",
        ),
    ),
    Rule(
        "activity-log-in-country",
        "The subscription's Activity Log goes to the in-country workspace with every category, once the "
        "cluster's audit logs do.",
        _activity_log_in_country,
        lambda r: r.type in (_ACTIVITY, _DIAGNOSTICS),
        reads=("inputs.workspaceId", "inputs.logs*", "inputs.storageAccountId", "inputs.eventHub*"),
    ),
    Rule(
        "registry-replica-in-country",
        "The registry is replicated to the in-country secondary region, and nowhere outside the country.",
        _registry_replica,
        lambda r: r.type in (_REGISTRY, _REPLICA),
        reads=("inputs.location",),
    ),
)
