"""BreakGlassClusterAdmin: the emergency groups hold the built-in ``cluster-admin`` ClusterRole.

One ClusterRoleBinding, ``sovereign-break-glass``, from ``cluster-admin`` to each break-glass group as a
Kubernetes RBAC ``Group`` subject. The group's name is what the cluster's authenticator reports: on OKE the
IAM group's OCID ("You can use OCIDs to map Kubernetes RBAC rolebindings and clusterrolebindings to IAM users
and groups"; for a group, "``name: <group-ocid>`` specifies the OCID of the new IAM group": Oracle, "About
Access Control and Kubernetes Engine (OKE)", docs.oracle.com/en-us/iaas/Content/ContEng/Concepts/
contengaboutaccesscontrol.htm). Without the binding a break-glass member has only what IAM grants, and OKE
assigns no RBAC role by default ("users are not assigned any Kubernetes RBAC roles (or clusterroles) by default",
same page), so the group would not get the access it exists for.

Standing, not time-bound: the binding is permanent and the group is empty in normal operation; adding a member
is the act of breaking the glass, made (and recorded) in the identity domain. A time-bound grant that only a
deployment could open would depend on the pipeline break-glass exists to bypass.

Non-goals: group membership (the identity domain's), other clusters' admins, Azure (AKS authorizes through
Azure RBAC: ``components.azure.break_glass``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

__all__ = ["BREAK_GLASS_BINDING", "BreakGlassClusterAdmin", "BreakGlassClusterAdminArgs"]

BREAK_GLASS_BINDING = "sovereign-break-glass"
"""Name of the ClusterRoleBinding (fixed: the plan rule and an auditor look for it)."""
CLUSTER_ADMIN = "cluster-admin"
_SUBJECT = re.compile(r"[^\s]{1,253}")


@dataclass(frozen=True)
class BreakGlassClusterAdminArgs:
    groups: Sequence[str]
    """The break-glass groups as RBAC Group subjects (OKE: IAM group OCIDs); at least one, no duplicates."""

    def __post_init__(self) -> None:
        if not self.groups or len(set(self.groups)) != len(self.groups):
            raise ValueError(
                f"groups: at least one break-glass group, no duplicates (got {list(self.groups)})"
            )
        bad = [g for g in self.groups if not _SUBJECT.fullmatch(g)]
        if bad:
            raise ValueError(f"groups: {bad!r} are not RBAC group names (non-empty, no whitespace)")


class BreakGlassClusterAdmin(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: BreakGlassClusterAdminArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("sovereign:kubernetes:BreakGlassClusterAdmin", name, None, opts)
        k8s.rbac.v1.ClusterRoleBinding(
            f"{name}-binding",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=BREAK_GLASS_BINDING,
                labels={"app.kubernetes.io/managed-by": "pulumi", "sovereign.ai/access": "break-glass"},
            ),
            role_ref=k8s.rbac.v1.RoleRefArgs(
                api_group="rbac.authorization.k8s.io", kind="ClusterRole", name=CLUSTER_ADMIN
            ),
            subjects=[
                k8s.rbac.v1.SubjectArgs(kind="Group", name=group, api_group="rbac.authorization.k8s.io")
                for group in args.groups
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})
