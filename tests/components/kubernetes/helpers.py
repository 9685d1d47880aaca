"""Valid Args for every Kubernetes component, with keyword changes, and readers for captured pod specs."""

import dataclasses
import datetime
from collections.abc import Callable
from typing import Any

import pulumi

from components.kubernetes import (
    AssistantPlatformArgs,
    ChatFrontendArgs,
    ChatSettings,
    InferenceServiceArgs,
    Localization,
    MetricsSource,
    ModelDeployment,
    ModelRecord,
    PeerSelector,
    QueueDepthScaling,
    TenantNamespaceArgs,
    TenantSpec,
    inference_endpoint,
)
from sovereign.engine.recorder import Recording, Registration, run_program
from sovereign.types import Environment, ModelTier

REGISTRY = "deregistry.azurecr.io"
WEIGHTS_DIGEST = "sha256:" + "9c" * 32
VLLM_IMAGE = f"{REGISTRY}/mirror/vllm/vllm-openai@sha256:{'ab' * 32}"
WEBUI_IMAGE = f"{REGISTRY}/mirror/open-webui/open-webui@sha256:{'cd' * 32}"
WEIGHTS = f"{REGISTRY}/models/mistral-small@{WEIGHTS_DIGEST}"
AS_OF = datetime.date(2026, 11, 22)
PROMPT = 'Du bist der digitale Assistent der Verwaltung. Antworte sachlich; zitiere "Quellen" {{ nie }} %}.'
CLIENT_SECRET = "client-secret-value-7f3a"
SESSION_SECRET = "session-secret-value-91c2"
API_KEY = "model-api-key-value-5e8d"
PROMETHEUS = MetricsSource(
    "http://prometheus-server.monitoring.svc.cluster.local:80",
    PeerSelector(
        "monitoring", {"app.kubernetes.io/name": "prometheus", "app.kubernetes.io/component": "server"}
    ),
)

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"


def model_record(**changes: Any) -> ModelRecord:
    record = ModelRecord(
        model_id="mistral-small-3.1-24b-instruct",
        tier=ModelTier.MEDIUM,
        assessed_on=datetime.date(2026, 6, 15),
        expires_on=datetime.date(2027, 12, 31),
        approved_countries=("fr", "gb", "de"),
        weights_ref=WEIGHTS,
        approved_weights_digest=WEIGHTS_DIGEST,
        served_model_name="mistral-small-3.1",
        chat_template=None,
    )
    return dataclasses.replace(record, **changes)


def localization(**changes: Any) -> Localization:
    return dataclasses.replace(Localization(("de", "en", "tr"), "de-DE", PROMPT), **changes)


def inference_args(**changes: Any) -> InferenceServiceArgs:
    args = {
        "namespace": "assistant",
        "country_code": "de",
        "registry_prefix": REGISTRY,
        "image": VLLM_IMAGE,
        "model": model_record(),
        "as_of": AS_OF,
        "localization": localization(),
        "service_name": "assistant",
        "gpus_per_replica": 2,
        "replicas_min": 2,
        "replicas_max": 4,
        "max_context_tokens": 32768,
        "api_key": pulumi.Output.secret(API_KEY),
        "allowed_clients": (
            PeerSelector(
                "assistant", {"app.kubernetes.io/name": "open-webui", "app.kubernetes.io/instance": "chat"}
            ),
        ),
        "service_account_annotations": {
            "azure.workload.identity/client-id": "11111111-2222-3333-4444-555555555555"
        },
        "workload_identity_pod_labels": {"azure.workload.identity/use": "true"},
        "autoscaling": QueueDepthScaling(PROMETHEUS),
    }
    args.update(changes)
    return InferenceServiceArgs(**args)


def chat_args(**changes: Any) -> ChatFrontendArgs:
    args = {
        "namespace": "assistant",
        "country_code": "de",
        "registry_prefix": REGISTRY,
        "image": WEBUI_IMAGE,
        "inference": (
            inference_endpoint("assistant", "assistant"),
            inference_endpoint("assistant", "eurollm"),
        ),
        "default_model": "mistral-small-3.1",
        "default_locale": "de-DE",
        "oidc_issuer_url": "https://login.de.gov.example/realms/citizens",
        "oidc_client_id": "de-national-assistant",
        "oidc_client_secret": pulumi.Output.secret(CLIENT_SECRET),
        "session_secret": pulumi.Output.secret(SESSION_SECRET),
        "model_api_key": pulumi.Output.secret(API_KEY),
        "storage_class_name": "sovereign-encrypted",
        "identity_provider_egress_cidrs": ("198.51.100.0/24",),
    }
    args.update(changes)
    return ChatFrontendArgs(**args)


def tenant_args(**changes: Any) -> TenantNamespaceArgs:
    args = {
        "tenant_name": "medtech",
        "group_name": "5b0c7e2a-8f3d-4c1e-9a6b-2d4f8e1c3a70",
        "country_code": "de",
        "environment": Environment.PROD,
        "gpu_quota": 2,
        "cpu_cores": 16,
        "memory_gib": 64,
        "storage_gib": 200,
        "max_pods": 40,
        "priority_class_name": "sovereign-tenant",
        "denied_storage_classes": ("default", "managed-csi"),
    }
    args.update(changes)
    return TenantNamespaceArgs(**args)


def platform_args(**changes: Any) -> AssistantPlatformArgs:
    args = {
        "country_code": "de",
        "environment": Environment.PROD,
        "registry_prefix": REGISTRY,
        "as_of": AS_OF,
        "storage_class": "sovereign-encrypted",
        "deployments": (ModelDeployment("assistant", VLLM_IMAGE, model_record(), localization(), gpus_per_replica=1),),
        "api_key": pulumi.Output.secret(API_KEY),
        "chat": ChatSettings(
            image=WEBUI_IMAGE,
            oidc_issuer_url="https://login.de.gov.example/realms/citizens",
            oidc_client_id="de-national-assistant",
            oidc_client_secret=pulumi.Output.secret(CLIENT_SECRET),
            session_secret=pulumi.Output.secret(SESSION_SECRET),
            identity_provider_egress_cidrs=("198.51.100.0/24",),  # sign-in calls the issuer from the pod
        ),
        "tenants": (
            TenantSpec(
                "medtech", "grp-medtech", gpu_quota=2, cpu_cores=16, memory_gib=64, storage_gib=200, max_pods=40
            ),
            TenantSpec(
                "lernhilfe", "grp-lernhilfe", gpu_quota=0, cpu_cores=4, memory_gib=16, storage_gib=50, max_pods=10,
                ephemeral_storage_gib=20,
            ),
        ),
    }  # fmt: skip
    args.update(changes)
    return AssistantPlatformArgs(**args)


def record(build: Callable[[], object]) -> Recording:
    """Run a program that builds one component and return what it registered."""

    def program() -> None:
        build()

    return run_program(program)


def pod_spec(deployment: Registration) -> dict[str, Any]:
    return deployment.inputs["spec"]["template"]["spec"]


def containers(deployment: Registration) -> list[dict[str, Any]]:
    """Init containers and containers of a Deployment's pod template."""
    spec = pod_spec(deployment)
    return [*spec.get("initContainers", []), *spec["containers"]]


def container(deployment: Registration, name: str) -> dict[str, Any]:
    return next(c for c in containers(deployment) if c["name"] == name)


def env(container_spec: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value") for e in container_spec.get("env", [])}


def assert_hardened(deployment: Registration) -> None:
    """PSA restricted and the checkov pod checks, on the pod and on every (init) container."""
    spec = pod_spec(deployment)
    urn = deployment.urn
    assert spec["automountServiceAccountToken"] is False, urn
    assert spec.get("hostNetwork", False) is False and spec.get("hostPID", False) is False, urn
    assert spec.get("hostIPC", False) is False, urn
    pod_context = spec["securityContext"]
    assert pod_context["runAsNonRoot"] is True, urn
    assert pod_context["seccompProfile"] == {"type": "RuntimeDefault"}, urn
    assert pod_context["runAsUser"] >= 10000, urn
    for c in containers(deployment):
        where = f"{urn} container {c['name']}"
        context = c["securityContext"]
        assert context["allowPrivilegeEscalation"] is False, where
        assert context["privileged"] is False, where
        assert context["readOnlyRootFilesystem"] is True, where
        assert context["runAsNonRoot"] is True, where
        assert context["runAsUser"] >= 10000, where
        assert context["capabilities"] == {"drop": ["ALL"]}, where
        assert context["seccompProfile"] == {"type": "RuntimeDefault"}, where
        # Digest-pinned images are immutable: pull once per node (sovereign/policies/image_pull.py).
        assert c["imagePullPolicy"] == "IfNotPresent", where
        assert "@sha256:" in c["image"], where
        assert c["resources"]["requests"] == c["resources"]["limits"], where
        assert {"cpu", "memory"} <= set(c["resources"]["limits"]), where
        # Secrets are files (vLLM's key too: a shell exports the mounted file, inference_pod.API_KEY_LAUNCHER).
        from_env = [e for e in c.get("env", []) if "valueFrom" in e]
        assert not from_env, f"{where}: secrets must be files"
        assert "envFrom" not in c, where
        assert not c.get("ports") or all("hostPort" not in p for p in c["ports"]), where
