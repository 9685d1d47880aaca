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
    assert names == ["allow-assistant-egress", "allow-dns-egress", "allow-same-namespace", "default-deny-all"]


def test_quota_caps_gpus_compute_storage_and_objects(recording) -> None:
    quota = recording.one("kubernetes:core/v1:ResourceQuota", "de-tenant-medtech-quota")
    assert quota.get("metadata.namespace") == "tenant-medtech", quota.urn
    assert quota.get("spec.hard") == {
        "requests.nvidia.com/gpu": "2",
        "requests.cpu": "16",
        "limits.cpu": "16",
        "requests.memory": "64Gi",
        "limits.memory": "64Gi",
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
            "default": {"cpu": "500m", "memory": "512Mi"},
            "defaultRequest": {"cpu": "500m", "memory": "512Mi"},
            "max": {"cpu": "16", "memory": "64Gi"},
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


def test_may_call_the_assistant_and_nothing_else_outside(recording) -> None:
    policy = recording.one(NETWORK_POLICY, "de-tenant-medtech-allow-assistant")
    assert policy.get("spec") == {
        "podSelector": {},
        "policyTypes": ["Egress"],
        "egress": [
            {
                "to": [
                    {
                        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "assistant"}},
                        "podSelector": {
                            "matchLabels": {
                                "app.kubernetes.io/name": "vllm",
                                "app.kubernetes.io/instance": "assistant",
                            }
                        },
                    }
                ],
                "ports": [{"protocol": "TCP", "port": 8000.0}],
            }
        ],
    }, policy.urn


def test_no_assistant_egress_without_access() -> None:
    recording = record(lambda: TenantNamespace("de-tenant-x", tenant_args(tenant_name="x", assistant=())))
    assert "de-tenant-x-allow-assistant" not in [p.name for p in recording.of_type(NETWORK_POLICY)]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"gpu_quota": -1}, "gpu_quota must be 0 or more"),
        ({"group_name": " "}, "group_name must name the tenant's group"),
        ({"tenant_name": "Med_Tech"}, "must be a DNS label"),
        ({"max_pods": 0}, "max_pods must be a whole number"),
    ],
)
def test_refuses_broken_args(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        tenant_args(**changes)
