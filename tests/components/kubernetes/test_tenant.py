"""TenantNamespace: quotas, limits, an edit role without the keys to the guard rails, isolation."""

import pytest

from components.kubernetes import TenantNamespace
from tests.components.kubernetes.helpers import NETWORK_POLICY, record, tenant_args


@pytest.fixture(scope="module")
def recording():
    return record(lambda: TenantNamespace("de-tenant-medtech", tenant_args()))


def test_namespace_is_restricted_and_isolated(recording) -> None:
    namespace = recording.one("kubernetes:core/v1:Namespace", "de-tenant-medtech-namespace-namespace")
    labels = namespace.get("metadata.labels")
    assert namespace.get("metadata.name") == "tenant-medtech", namespace.urn
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted", namespace.urn
    assert labels["sovereign.ai/purpose"] == "tenant" and labels["tenant.sovereign.ai/name"] == "medtech"
    assert namespace.protect is True, namespace.urn
    names = sorted(p.get("metadata.name") for p in recording.of_type(NETWORK_POLICY))
    # No egress to the model servers: tenants reach the model through the tenant gateway only (finding K15).
    assert names == ["allow-dns-egress", "allow-same-namespace", "default-deny-all"]


def test_quota_caps_gpus_compute_storage_and_objects(recording) -> None:
    quota = recording.one("kubernetes:core/v1:ResourceQuota", "de-tenant-medtech-quota")
    assert quota.get("metadata.namespace") == "tenant-medtech", quota.urn
    assert quota.get("spec.hard") == {
        "requests.nvidia.com/gpu": "2",
        "requests.cpu": "16",
        "limits.cpu": "16",
        "requests.memory": "64Gi",
        "limits.memory": "64Gi",
        "requests.ephemeral-storage": "50Gi",
        "limits.ephemeral-storage": "50Gi",
        "requests.storage": "200Gi",
        "persistentvolumeclaims": "10",
        "pods": "40",
        "services": "10",
        "services.loadbalancers": "0",
        "services.nodeports": "0",
        "configmaps": "50",
        "secrets": "50",
        "default.storageclass.storage.k8s.io/requests.storage": "0",
        "default.storageclass.storage.k8s.io/persistentvolumeclaims": "0",
        "managed-csi.storageclass.storage.k8s.io/requests.storage": "0",
        "managed-csi.storageclass.storage.k8s.io/persistentvolumeclaims": "0",
    }, quota.urn


def test_limit_range_makes_every_container_count(recording) -> None:
    limits = recording.one("kubernetes:core/v1:LimitRange", "de-tenant-medtech-limits")
    assert limits.get("spec.limits") == [
        {
            "type": "Container",
            # A container without ephemeral-storage would be admitted uncounted (kubernetes.io "Resource Quotas":
            # only cpu and memory quotas require the values); the defaults give it one (LimitRanger runs first).
            "default": {"cpu": "500m", "memory": "512Mi", "ephemeral-storage": "1024Mi"},
            "defaultRequest": {"cpu": "500m", "memory": "512Mi", "ephemeral-storage": "1024Mi"},
            "max": {"cpu": "16", "memory": "64Gi", "ephemeral-storage": "50Gi"},
        },
        {"type": "PersistentVolumeClaim", "max": {"storage": "200Gi"}},
    ], limits.urn


def test_group_edits_its_own_namespace_only(recording) -> None:
    binding = recording.one(
        "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "de-tenant-medtech-edit-binding"
    )
    assert binding.get("metadata") == {"name": "tenant-edit", "namespace": "tenant-medtech"}, binding.urn
    assert binding.get("roleRef") == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "Role",
        "name": "tenant-edit",
    }
    assert binding.get("subjects") == [
        {
            "kind": "Group",
            "name": "5b0c7e2a-8f3d-4c1e-9a6b-2d4f8e1c3a70",
            "apiGroup": "rbac.authorization.k8s.io",
        }
    ], binding.urn
    assert recording.of_type("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding") == []


def test_edit_role_cannot_undo_the_guard_rails(recording) -> None:
    role = recording.one("kubernetes:rbac.authorization.k8s.io/v1:Role", "de-tenant-medtech-edit-role")
    writes = {"create", "update", "patch", "delete", "deletecollection"}
    writable = {
        resource
        for rule in role.get("rules")
        if writes & set(rule["verbs"])
        for resource in rule["resources"]
    }
    for guarded in ("networkpolicies", "resourcequotas", "limitranges", "roles", "rolebindings", "ingresses"):
        assert guarded not in writable, f"{role.urn}: {guarded}"
    assert {"pods", "deployments", "jobs", "persistentvolumeclaims", "secrets"} <= writable, role.urn
    for rule in role.get("rules"):
        assert "*" not in rule["verbs"] + rule["resources"] + rule["apiGroups"], role.urn


def test_pods_of_any_class_but_the_tenants_are_refused(recording) -> None:
    # Kubernetes "Resource Quotas", scope PriorityClass: pods naming sovereign-assistant (or a system class) count
    # against a hard limit of 0; class-less pods carry the default's name, sovereign-tenant, by then.
    quota = recording.one("kubernetes:core/v1:ResourceQuota", "de-tenant-medtech-priority-quota")
    assert quota.get("metadata.name") == "tenant-priority", quota.urn
    assert quota.get("spec.hard") == {"pods": "0"}, quota.urn
    assert quota.get("spec.scopeSelector.matchExpressions") == [
        {"scopeName": "PriorityClass", "operator": "NotIn", "values": ["sovereign-tenant"]}
    ], quota.urn


def test_no_priority_quota_without_a_tenant_class() -> None:
    recording = record(
        lambda: TenantNamespace("de-tenant-x", tenant_args(tenant_name="x", priority_class_name=None))
    )
    assert [q.get("metadata.name") for q in recording.of_type("kubernetes:core/v1:ResourceQuota")] == [
        "tenant-quota"
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"gpu_quota": -1}, "gpu_quota must be 0 or more"),
        ({"group_name": " "}, "group_name must name the tenant's group"),
        ({"tenant_name": "Med_Tech"}, "must be a DNS label"),
        ({"max_pods": 0}, "max_pods must be a whole number"),
        ({"ephemeral_storage_gib": 0}, "ephemeral_storage_gib must be a whole number"),
        ({"ephemeral_storage_gib": 1, "default_container_ephemeral_storage_mib": 2048}, "exceeds the quota"),
    ],
)
def test_refuses_broken_args(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        tenant_args(**changes)
