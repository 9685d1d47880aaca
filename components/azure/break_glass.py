"""Break-glass access: eligible, time-bound cluster-admin and key-recovery roles for the emergency groups.

Scope: for each break-glass group, a Privileged Identity Management (PIM) *eligible* assignment of
"Azure Kubernetes Service RBAC Cluster Admin" on the cluster and of "Key Vault Crypto Officer" on the country's
vault. Nothing is active in normal operation: a member activates the role in PIM for a limited time (at most
the PIM role setting's maximum activation duration) and the activation is an Azure
role assignment, recorded in the subscription's Activity Log, which ``AuditLogging`` sends to the in-country
workspace; what the member then does in the cluster is in its ``guard`` and ``kube-audit-admin`` logs.

Why eligibility and not ``adminGroupObjectIDs``: an AKS admin group holds cluster-admin permanently, so a
member added to the group by mistake (or by an attacker with group rights) is an admin at once, silently.
An eligible assignment needs a deliberate, logged activation with a justification.

Sources: pulumi-azure-native 3.29.0 ``authorization.PimRoleEligibilitySchedule`` ("Role Eligibility Schedules
are used to limit standing administrator access to privileged roles in Azure PIM ... uniquely defined by
scope, principal, and role ... cannot be updated. Each change leads to a recreation"; it calls the Role
Eligibility Schedule Requests API, api 2020-10-01). Built-in role ids: MicrosoftDocs/azure-docs
articles/role-based-access-control/built-in-roles.md ("Azure Kubernetes Service RBAC Cluster Admin ...
b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b"; "Key Vault Crypto Officer: Perform any action on the keys of a key vault,
except manage permissions ... 14b46e9e-c2b7-41b4-b07b-48a6ebf60603", which includes recovering a soft-deleted
key). Eligibility expires after ``eligibility_days`` (at most a year here: no permanent eligibility, so a
group that is no longer the country's break-glass group loses it without anyone remembering); the next
``pulumi up`` after a refresh re-creates an expired one.

Outside Pulumi (README "Break-glass"): PIM needs Microsoft Entra ID P2 (or Governance) licences for the
members; who may be a member of the break-glass group (PIM for Groups, approval, activation MFA) is Entra
Graph configuration, not Azure Resource Manager, and the toolkit does not manage group membership.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import authorization

from components.azure.catalogue import BREAK_GLASS_ROLES, require_uuids, role_definition_id

__all__ = ["MAX_ELIGIBILITY_DAYS", "BreakGlassAccess", "BreakGlassAccessArgs"]

MAX_ELIGIBILITY_DAYS = 365
"""The longest eligibility this component grants (a year); once expired, refresh and deploy to re-create it."""


@dataclass(frozen=True)
class BreakGlassAccessArgs:
    group_object_ids: Sequence[str]
    """Entra object ids of the break-glass groups (UUIDs); at least one."""
    cluster_id: pulumi.Input[str]
    """The AKS cluster: scope of the eligible cluster-admin role (Azure RBAC for Kubernetes authorization)."""
    vault_id: pulumi.Input[str]
    """The country's Key Vault: scope of the eligible key-recovery role."""
    eligibility_days: int = MAX_ELIGIBILITY_DAYS
    """How long each eligibility lasts from its creation (1-365). Omitted: 365."""

    def __post_init__(self) -> None:
        if not self.group_object_ids:
            raise ValueError(
                "group_object_ids: empty (allowed: one or more Entra group object ids) - an emergency would "
                "have nobody to turn to"
            )
        require_uuids("group_object_ids", self.group_object_ids)
        if not 1 <= self.eligibility_days <= MAX_ELIGIBILITY_DAYS:
            raise ValueError(
                f"eligibility_days: {self.eligibility_days} (allowed: 1 to {MAX_ELIGIBILITY_DAYS}, a year)"
            )


class BreakGlassAccess(pulumi.ComponentResource):
    eligibilities: list[authorization.PimRoleEligibilitySchedule]

    def __init__(
        self, name: str, args: BreakGlassAccessArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("sovereign:azure:BreakGlassAccess", name, None, opts)
        scopes: dict[str, pulumi.Input[str]] = {
            "aks_rbac_cluster_admin": args.cluster_id,
            "key_vault_crypto_officer": args.vault_id,
        }
        self.eligibilities = []
        for group in args.group_object_ids:
            for role in BREAK_GLASS_ROLES:
                # Azure keys a schedule by scope|principal|role; the Pulumi name only has to be stable.
                self.eligibilities.append(
                    authorization.PimRoleEligibilitySchedule(
                        f"{name}-{role.replace('_', '-')}-{group[:8]}",
                        principal_id=group,
                        role_definition_id=role_definition_id(role),
                        scope=scopes[role],
                        justification="Break-glass: eligible only; every activation is logged in-country",
                        schedule_info=authorization.RoleEligibilityScheduleRequestPropertiesScheduleInfoArgs(
                            expiration=authorization.RoleEligibilityScheduleRequestPropertiesExpirationArgs(
                                type="AfterDuration", duration=f"P{args.eligibility_days}D"
                            )
                        ),
                        opts=pulumi.ResourceOptions(parent=self),
                    )
                )
        self.register_outputs({"eligibility_ids": [e.id for e in self.eligibilities]})
