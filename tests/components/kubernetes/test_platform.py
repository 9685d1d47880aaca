"""AssistantPlatform end to end: invariants over every object it declares, and the flows between components."""

import dataclasses

import pulumi
import pytest

from components.kubernetes import (
    AssistantPlatform,
    EncryptedStorageClassArgs,
    ModelDeployment,
    StorageProvisioner,
    TenantSpec,
)
from sovereign.engine.recorder import Registration
from tests.components.kubernetes.helpers import (
    DEPLOYMENT,
    NETWORK_POLICY,
    REGISTRY,
    VLLM_IMAGE,
    assert_hardened,
    containers,
    localization,
    model_record,
    platform_args,
    pod_spec,
    record,
)

DES_ID = "/subscriptions/0/resourceGroups/de/providers/Microsoft.Compute/diskEncryptionSets/de-des"
CLUSTER_SCOPED = {
    "Namespace",
    "StorageClass",
    "ClusterRole",
    "ClusterRoleBinding",
    "PriorityClass",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
}
PRIORITY_CLASS = "kubernetes:scheduling.k8s.io/v1:PriorityClass"
EUROLLM_DIGEST = "sha256:" + "4e" * 32
EUROLLM = ModelDeployment(
    "eurollm",
    VLLM_IMAGE,
    model_record(
        model_id="eurollm-9b-instruct",
        served_model_name="eurollm-9b",
        weights_ref=f"{REGISTRY}/models/eurollm-9b-instruct@{EUROLLM_DIGEST}",
        approved_weights_digest=EUROLLM_DIGEST,
        chat_template="{% for m in messages %}{{ m['content'] }}{% endfor %}",
    ),
    localization(),
    max_context_tokens=4096,
)


@pytest.fixture(scope="module")
def recording():
    def build() -> None:
        args = platform_args(
            storage_class=EncryptedStorageClassArgs(
                "sovereign-encrypted", StorageProvisioner.AZURE_DISK, DES_ID
            ),
            deployments=(*platform_args().deployments, EUROLLM),
            denied_storage_classes=("default", "managed-csi"),
        )
        platform = AssistantPlatform("de", args)
        pulumi.export("base_urls", platform.base_urls)
        pulumi.export("tenant_namespaces", platform.tenant_namespaces)

    return record(build)


def kubernetes_objects(recording) -> list[Registration]:
    return [r for r in recording.registrations if r.type.startswith("kubernetes:")]


def test_every_workload_is_hardened(recording) -> None:
    deployments = recording.of_type(DEPLOYMENT)
    assert sorted(d.name for d in deployments) == [
        "de-assistant-deployment", "de-chat-deployment", "de-eurollm-deployment"
    ]  # fmt: skip
    for deployment in deployments:
        assert_hardened(deployment)


def test_no_image_or_model_uri_points_outside_the_country_registry(recording) -> None:
    for deployment in recording.of_type(DEPLOYMENT):
        for c in containers(deployment):
            assert c["image"].startswith(f"{REGISTRY}/") and "@sha256:" in c["image"], deployment.urn
    serialized = str([r.inputs for r in kubernetes_objects(recording)])
    for outside in ("docker.io", "ghcr.io", "huggingface.co", "nvcr.io", "quay.io"):
        assert outside not in serialized, outside


def test_every_namespaced_object_names_a_namespace_other_than_default(recording) -> None:
    for r in kubernetes_objects(recording):
        if r.type.rsplit(":", 1)[1] not in CLUSTER_SCOPED:
            assert r.get("metadata.namespace") not in (None, "", "default"), r.urn


def test_every_pod_has_a_policy_selecting_it_by_label(recording) -> None:
    policies = recording.of_type(NETWORK_POLICY)
    for deployment in recording.of_type(DEPLOYMENT):
        labels = deployment.get("spec.template.metadata.labels")
        selecting = [
            p
            for p in policies
            if p.get("metadata.namespace") == deployment.get("metadata.namespace")
            and (selector := p.get("spec.podSelector.matchLabels"))
            and selector.items() <= labels.items()
        ]
        assert selecting, deployment.urn


def test_every_volume_claim_uses_the_encrypted_class(recording) -> None:
    storage_class = recording.one("kubernetes:storage.k8s.io/v1:StorageClass", "de-storage-storage-class")
    assert storage_class.get("parameters.diskEncryptionSetID") == DES_ID, storage_class.urn
    claims = [
        c.get("spec.storageClassName") for c in recording.of_type("kubernetes:core/v1:PersistentVolumeClaim")
    ]
    for deployment in recording.of_type(DEPLOYMENT):
        for volume in deployment.get("spec.template.spec.volumes"):
            if "ephemeral" in volume:
                claims.append(volume["ephemeral"]["volumeClaimTemplate"]["spec"]["storageClassName"])
    # The front end's data; the model servers read their weights from the node's image store (no claim).
    assert claims == ["sovereign-encrypted"]


def test_claims_wait_for_the_storage_class_they_use(recording) -> None:
    storage_class = recording.one("kubernetes:storage.k8s.io/v1:StorageClass", "de-storage-storage-class")
    waiting = [recording.one("kubernetes:core/v1:PersistentVolumeClaim", "de-chat-data")]
    for registration in waiting:
        assert storage_class.urn in registration.dependencies, registration.urn


def test_inference_admits_the_front_end_and_no_tenant(recording) -> None:
    # Finding K15: tenant namespaces were admitted, so tenants bypassed the national prompt on /v1/completions.
    for service in ("assistant", "eurollm"):
        policy = recording.one(NETWORK_POLICY, f"de-{service}-allow-clients")
        peers = [rule["from"][0] for rule in policy.get("spec.ingress")]
        assert peers == [
            {
                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "assistant"}},
                "podSelector": {
                    "matchLabels": {
                        "app.kubernetes.io/name": "open-webui",
                        "app.kubernetes.io/instance": "chat",
                    }
                },
            },
        ], policy.urn


def test_no_tenant_gets_egress_to_the_model_servers(recording) -> None:
    tenant_policies = [p for p in recording.of_type(NETWORK_POLICY) if "tenant" in p.name]
    assert tenant_policies and not [p.name for p in tenant_policies if "assistant" in p.name]
    for policy in tenant_policies:
        for rule in policy.get("spec.egress") or []:
            for to in rule.get("to") or []:
                labels = (to.get("namespaceSelector") or {}).get("matchLabels") or {}
                assert labels.get("kubernetes.io/metadata.name") != "assistant", policy.urn


def test_one_api_key_for_every_model_server_and_the_front_end() -> None:
    seen: list[object] = []

    def build() -> None:
        args = platform_args()
        for deployment in args.deployments:
            seen.append(args.inference_args(deployment, "assistant").api_key)
        seen.append(args.chat_args("assistant", args.endpoints("assistant")).model_api_key)

    record(build)
    assert len(seen) == 2 and all(key is seen[0] for key in seen)
    with pytest.raises(ValueError, match="api_key is required with deployments"):
        platform_args(api_key=None)


def test_the_assistant_outranks_the_tenants_and_the_add_ons_keep_their_priority(recording) -> None:
    classes = {c.get("metadata.name"): c.inputs for c in recording.of_type(PRIORITY_CLASS)}
    assert classes["sovereign-assistant"]["value"] > classes["sovereign-tenant"]["value"] == 0
    # Only the tenants' class is the default, at 0: what class-less pods (add-ons too) had without a default.
    assert (
        classes["sovereign-assistant"]["globalDefault"],
        classes["sovereign-tenant"]["globalDefault"],
    ) == (
        False,
        True,
    )
    assert classes["sovereign-tenant"]["preemptionPolicy"] == "Never"
    # User classes may go up to 1e9; system-cluster-critical is 2e9: the system stays above both.
    assert all(c["value"] <= 1_000_000_000 for c in classes.values())
    for name in ("de-assistant-deployment", "de-eurollm-deployment", "de-chat-deployment"):
        deployment = recording.one(DEPLOYMENT, name)
        assert pod_spec(deployment)["priorityClassName"] == "sovereign-assistant", deployment.urn
        classes_urns = {c.urn for c in recording.of_type(PRIORITY_CLASS)}
        assert classes_urns & set(_all_dependencies(recording, deployment)), deployment.urn


def _all_dependencies(recording, registration) -> set[str]:
    """Dependencies of a registration and of its parents' (depends_on of a component reaches its children)."""
    by_urn = {r.urn: r for r in recording.registrations}
    seen: set[str] = set()
    current = registration
    while current is not None:
        for dependency in current.dependencies:
            seen.add(dependency)
            seen |= {c.urn for c in recording.children_of(dependency)}
        current = by_urn.get(current.parent) if current.parent else None
    return seen


def test_tenants_cannot_take_the_assistants_class(recording) -> None:
    for tenant in ("medtech", "lernhilfe"):
        quota = recording.one("kubernetes:core/v1:ResourceQuota", f"de-tenant-{tenant}-priority-quota")
        assert quota.get("spec") == {
            "hard": {"pods": "0"},
            "scopeSelector": {
                "matchExpressions": [
                    {"scopeName": "PriorityClass", "operator": "NotIn", "values": ["sovereign-tenant"]}
                ]
            },
        }, quota.urn


def test_quota_per_tenant(recording) -> None:
    quotas = {
        q.get("metadata.namespace"): q.get("spec.hard")
        for q in recording.of_type("kubernetes:core/v1:ResourceQuota")
        if q.get("metadata.name") == "tenant-quota"
    }
    assert {
        ns: (h["requests.nvidia.com/gpu"], h["requests.cpu"], h["pods"], h["limits.ephemeral-storage"])
        for ns, h in quotas.items()
    } == {
        "tenant-medtech": ("2", "16", "40", "50Gi"),
        "tenant-lernhilfe": ("0", "4", "10", "20Gi"),
    }
    assert all(h["managed-csi.storageclass.storage.k8s.io/requests.storage"] == "0" for h in quotas.values())


def test_front_end_offers_every_deployment(recording) -> None:
    chat = recording.one(DEPLOYMENT, "de-chat-deployment")
    variables = {e["name"]: e["value"] for e in containers(chat)[0]["env"]}
    assert variables["OPENAI_API_BASE_URLS"] == (
        "http://assistant.assistant.svc.cluster.local:8000/v1;http://eurollm.assistant.svc.cluster.local:8000/v1"
    ), chat.urn
    assert variables["DEFAULT_MODELS"] == "mistral-small-3.1", chat.urn


def test_each_deployment_gets_its_own_template_source(recording) -> None:
    sources = {}
    for name in ("assistant", "eurollm"):
        deployment = recording.one(DEPLOYMENT, f"de-{name}-deployment")
        renderer = next(c for c in containers(deployment) if c["name"] == "chat-template")
        sources[name] = {e["name"]: e["value"] for e in renderer["env"]}.get("CHAT_TEMPLATE_SOURCE", "")
    assert sources == {"assistant": "", "eurollm": "/etc/sovereign/assistant/model-chat-template.jinja"}


def test_stateful_objects_are_protected(recording) -> None:
    protected = sorted(r.name for r in recording.registrations if r.protect)
    assert protected == [
        "de-chat-data",
        "de-namespace-namespace",
        "de-tenant-lernhilfe-namespace-namespace",
        "de-tenant-medtech-namespace-namespace",
    ]


def test_components_use_the_sovereign_type_tokens_and_nest_under_the_platform(recording) -> None:
    platform = recording.one("sovereign:kubernetes:AssistantPlatform", "de")
    children = sorted((c.type, c.name) for c in recording.children_of(platform.urn))
    assert children == [
        ("sovereign:kubernetes:ChatFrontend", "de-chat"),
        ("sovereign:kubernetes:EncryptedStorageClass", "de-storage"),
        ("sovereign:kubernetes:ImagePolicyGuard", "de-image-policy"),
        ("sovereign:kubernetes:InferenceService", "de-assistant"),
        ("sovereign:kubernetes:InferenceService", "de-eurollm"),
        ("sovereign:kubernetes:PriorityClasses", "de-priority"),
        ("sovereign:kubernetes:RestrictedNamespace", "de-namespace"),
        ("sovereign:kubernetes:TenantNamespace", "de-tenant-lernhilfe"),
        ("sovereign:kubernetes:TenantNamespace", "de-tenant-medtech"),
    ]


def test_exports_the_in_cluster_urls_and_tenant_namespaces(recording) -> None:
    assert recording.outputs["base_urls"] == {
        "assistant": "http://assistant.assistant.svc.cluster.local:8000/v1",
        "eurollm": "http://eurollm.assistant.svc.cluster.local:8000/v1",
    }
    assert recording.outputs["tenant_namespaces"] == {
        "medtech": "tenant-medtech",
        "lernhilfe": "tenant-lernhilfe",
    }


def test_refuses_a_model_the_gate_does_not_clear_before_registering_anything() -> None:
    bad = dataclasses.replace(platform_args().deployments[0], model=model_record(approved_countries=("fr",)))
    with pytest.raises(ValueError, match="is not approved for 'de'"):
        platform_args(deployments=(bad,))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"tenants": (TenantSpec("a", "g", 0, 1, 1, 1, 1), TenantSpec("a", "h", 0, 1, 1, 1, 1))},
            "tenant names",
        ),
        ({"deployments": ()}, "needs at least one deployment"),
    ],
)
def test_refuses_inconsistent_platforms(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        platform_args(**changes)


def test_tenants_only_platform_without_assistant() -> None:
    recording = record(lambda: AssistantPlatform("no", platform_args(deployments=(), chat=None)))
    assert recording.of_type(DEPLOYMENT) == []
    assert [p.name for p in recording.of_type(NETWORK_POLICY) if p.name.endswith("allow-assistant")] == []
