"""Role assignments with deterministic names, and the wait that lets a grant take effect before it is used.

Names: azure-native names a ``RoleAssignment`` with a random GUID when ``role_assignment_name`` is omitted, so
a re-created stack (or a state import) creates a second assignment of the same role instead of finding the
first, and Azure answers ``RoleAssignmentExists``. Microsoft's guidance is a deterministic GUID of the scope,
the principal and the role ("It's a good practice to create a GUID that uses the scope, principal ID, and role
ID together", MicrosoftDocs/azure-docs articles/role-based-access-control/troubleshooting.md, "ARM template
role assignment returns BadRequest status"): ``uuid5`` of the three here, as Bicep's ``guid()`` does.

Propagation: "When you assign roles or remove role assignments, it can take up to 10 minutes for changes to
take effect" (same article, "Role assignment changes are not being detected"). A consumer that validates its
key access when it is created (disk encryption set, storage account, registry, Log Analytics cluster, AKS
KMS) therefore waits ``RBAC_PROPAGATION`` after the grants it needs: a ``time.Sleep`` of the maintained
pulumiverse time provider (PyPI ``pulumiverse-time``, Terraform ``hashicorp/time`` ``time_sleep``), whose
``triggers`` re-run the wait whenever a grant is replaced.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import pulumi
import pulumiverse_time as time
from pulumi_azure_native import authorization

__all__ = ["RBAC_PROPAGATION", "grant", "propagation_wait", "role_assignment_name"]

RBAC_PROPAGATION = "10m"
"""Microsoft's upper bound for a role assignment to take effect (Azure RBAC troubleshooting)."""
_NAMESPACE = uuid.UUID("5b0d3c55-8d1f-4a53-9c3e-2f6a1d1f0b7e")
"""Fixed namespace of this toolkit's role assignment names (any constant works; it must never change)."""


def role_assignment_name(
    scope: pulumi.Input[str], role_definition_id: pulumi.Input[str], principal_id: pulumi.Input[str]
) -> pulumi.Output[str]:
    """The GUID Azure names the assignment by: the same scope, role and principal always give the same name."""
    return pulumi.Output.all(scope, role_definition_id, principal_id).apply(
        lambda v: str(uuid.uuid5(_NAMESPACE, f"{str(v[0]).lower()}|{str(v[1]).lower()}|{str(v[2]).lower()}"))
    )


def grant(
    name: str,
    *,
    principal_id: pulumi.Input[str],
    role_definition_id: str,
    scope: pulumi.Input[str],
    description: str | None = None,
    opts: pulumi.ResourceOptions | None = None,
) -> authorization.RoleAssignment:
    """A role assignment to a managed identity (``ServicePrincipal``: Azure skips the directory lookup that a
    just-created identity may not pass yet), named deterministically."""
    return authorization.RoleAssignment(
        name,
        role_assignment_name=role_assignment_name(scope, role_definition_id, principal_id),
        principal_id=principal_id,
        principal_type="ServicePrincipal",
        role_definition_id=role_definition_id,
        scope=scope,
        description=description,
        opts=opts,
    )


def propagation_wait(
    name: str, grants: Sequence[authorization.RoleAssignment], opts: pulumi.ResourceOptions
) -> time.Sleep:
    """Wait ``RBAC_PROPAGATION`` after ``grants`` are created (again whenever one is replaced)."""
    if not grants:
        raise ValueError(f"{name}: a propagation wait needs at least one grant to wait for")
    return time.Sleep(
        name,
        create_duration=RBAC_PROPAGATION,
        triggers={"grants": pulumi.Output.all(*[g.id for g in grants]).apply(",".join)},
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=list(grants))),
    )
