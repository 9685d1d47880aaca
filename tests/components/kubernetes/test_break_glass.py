"""BreakGlassClusterAdmin: one ClusterRoleBinding from cluster-admin to the break-glass groups, as RBAC Group
subjects (on OKE the IAM group OCIDs), and nothing else; refused without a group or with a malformed one."""

import pytest

from components.kubernetes.break_glass import (
    BREAK_GLASS_BINDING,
    BreakGlassClusterAdmin,
    BreakGlassClusterAdminArgs,
)
from tests.components.kubernetes.helpers import record

GROUPS = ("ocid1.group.oc1..aaaabreakglassone", "ocid1.group.oc1..aaaabreakglasstwo")


@pytest.fixture(scope="module")
def recording():
    return record(lambda: BreakGlassClusterAdmin("fr-prod-break-glass", BreakGlassClusterAdminArgs(GROUPS)))


def test_binds_cluster_admin_to_each_group_only(recording) -> None:
    binding = recording.one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding")
    assert binding.get("metadata.name") == BREAK_GLASS_BINDING, binding.urn
    assert binding.get("roleRef") == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "ClusterRole",
        "name": "cluster-admin",
    }, binding.urn
    assert binding.get("subjects") == [
        {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": g} for g in GROUPS
    ], binding.urn
    custom = [
        r.type for r in recording.registrations if r.custom and not r.type.startswith("pulumi:providers:")
    ]
    assert custom == ["kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"]


@pytest.mark.parametrize(
    "groups",
    [(), (GROUPS[0], GROUPS[0]), ("fr break glass",), ("",)],
    ids=["none", "duplicate", "whitespace", "empty"],
)
def test_rejects_groups_that_bind_nobody_or_twice(groups: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="groups:"):
        BreakGlassClusterAdminArgs(groups)
