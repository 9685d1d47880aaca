"""InferenceService: GPU scheduling, hardening, probes, weights, localization wiring, scaling, allowed flows."""

import re

import pytest

from components.kubernetes import InferenceService, PeerSelector
from components.kubernetes.inference_pod import API_KEY_LAUNCHER
from components.kubernetes.localization import assistant_config, config_checksum
from tests.components.kubernetes.helpers import (
    API_KEY,
    DEPLOYMENT,
    NETWORK_POLICY,
    PROMPT,
    REGISTRY,
    VLLM_IMAGE,
    WEIGHTS,
    assert_hardened,
    container,
    containers,
    env,
    inference_args,
    localization,
    pod_spec,
    record,
)

SELECTOR = {"app.kubernetes.io/name": "vllm", "app.kubernetes.io/instance": "assistant"}


@pytest.fixture(scope="module")
def recording():
    return record(lambda: InferenceService("de-assistant", inference_args()))


@pytest.fixture(scope="module")
def deployment(recording):
    return recording.one(DEPLOYMENT, "de-assistant-deployment")


def test_requests_and_limits_gpus_per_replica(deployment) -> None:
    resources = container(deployment, "vllm")["resources"]
    assert resources["limits"] == {"cpu": "8000m", "memory": "65536Mi", "nvidia.com/gpu": "2"}, deployment.urn
    assert resources["requests"] == resources["limits"], deployment.urn


def test_tensor_parallelism_matches_gpus(deployment) -> None:
    args = container(deployment, "vllm")["args"]
    assert args[args.index("--tensor-parallel-size") + 1] == "2", deployment.urn


def test_tolerates_exactly_the_gpu_taint_and_requires_gpu_nodes(deployment) -> None:
    spec = pod_spec(deployment)
    assert spec["tolerations"] == [
        {"key": "nvidia.com/gpu", "operator": "Equal", "value": "present", "effect": "NoSchedule"}
    ], deployment.urn
    assert spec["affinity"] == {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {"matchExpressions": [{"key": "sovereign.ai/gpu", "operator": "In", "values": ["true"]}]}
                ]
            }
        }
    }, deployment.urn


def test_spreads_replicas_over_zones_then_nodes(deployment) -> None:
    spread = pod_spec(deployment)["topologySpreadConstraints"]
    assert [(s["topologyKey"], s["maxSkew"], s["whenUnsatisfiable"]) for s in spread] == [
        ("topology.kubernetes.io/zone", 1.0, "ScheduleAnyway"),
        ("kubernetes.io/hostname", 1.0, "ScheduleAnyway"),
    ], deployment.urn
    assert all(s["labelSelector"] == {"matchLabels": SELECTOR} for s in spread), deployment.urn


def test_every_container_is_hardened(deployment) -> None:
    assert_hardened(deployment)
    assert [c["name"] for c in containers(deployment)] == ["modelcar", "chat-template", "vllm"], (
        deployment.urn
    )


def test_server_flags_serve_the_local_copy_with_the_localized_template(deployment) -> None:
    server = container(deployment, "vllm")
    # vllm serve, exec'd by the shell that exports the key file (inference_pod.API_KEY_LAUNCHER).
    assert server["command"] == ["sh", "-c", API_KEY_LAUNCHER, "vllm-launcher", "vllm", "serve"], (
        deployment.urn
    )
    assert server["args"] == [
        "/model-cache/model",
        "--served-model-name", "mistral-small-3.1",
        "--tensor-parallel-size", "2",
        "--max-model-len", "32768",
        "--chat-template", "/run/sovereign/chat-template.jinja",
        "--tokenizer-mode", "hf",
        "--gpu-memory-utilization", "0.90",
        "--host", "0.0.0.0",
        "--port", "8000",
        "--shutdown-timeout", "90",
    ], deployment.urn  # fmt: skip
    assert server["lifecycle"] == {"preStop": {"sleep": {"seconds": 10}}}, deployment.urn
    assert pod_spec(deployment)["terminationGracePeriodSeconds"] == 120, deployment.urn


def test_no_runtime_download_from_any_hub(deployment) -> None:
    variables = env(container(deployment, "vllm"))
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE", "VLLM_NO_USAGE_STATS"):
        assert variables[name] == "1", f"{deployment.urn}: {name}"
    assert "--trust-remote-code" not in container(deployment, "vllm")["args"], deployment.urn


def test_probes_are_sized_for_large_models(deployment) -> None:
    server = container(deployment, "vllm")
    health = {"path": "/health", "port": "http"}
    assert server["startupProbe"] == {
        "httpGet": health, "periodSeconds": 10.0, "timeoutSeconds": 5.0, "failureThreshold": 180.0
    }, deployment.urn  # fmt: skip
    assert server["readinessProbe"]["httpGet"] == health, deployment.urn
    assert server["livenessProbe"]["httpGet"] == health, deployment.urn
    assert server["livenessProbe"]["failureThreshold"] == 6.0, deployment.urn


def test_prompt_and_template_reach_the_pods_with_a_rollout_checksum(recording, deployment) -> None:
    config_map = recording.one("kubernetes:core/v1:ConfigMap", "de-assistant-config")
    data = assistant_config(localization(), None)
    assert config_map.get("data") == data, config_map.urn
    assert config_map.get("data")["system-prompt.txt"] == PROMPT, config_map.urn
    annotations = deployment.get("spec.template.metadata.annotations")
    assert annotations["sovereign.ai/config-sha256"] == config_checksum(data), deployment.urn
    volumes = {v["name"]: v for v in pod_spec(deployment)["volumes"]}
    assert volumes["assistant-config"]["configMap"]["name"] == "assistant-config", deployment.urn
    renderer = env(container(deployment, "chat-template"))
    assert renderer["PROMPT_PREFIX"] == "/etc/sovereign/assistant/prompt-prefix.jinja", deployment.urn
    assert renderer["OUTPUT"] == "/run/sovereign/chat-template.jinja", deployment.urn


def test_changing_the_prompt_rolls_the_pods(deployment) -> None:
    changed = record(
        lambda: InferenceService(
            "de-assistant", inference_args(localization=localization(system_prompt=PROMPT + " Neu."))
        )
    ).one(DEPLOYMENT, "de-assistant-deployment")
    before = deployment.get("spec.template.metadata.annotations")["sovereign.ai/config-sha256"]
    after = changed.get("spec.template.metadata.annotations")["sovereign.ai/config-sha256"]
    assert before != after, changed.urn


def test_disruption_budget_takes_one_replica_at_a_time(recording) -> None:
    pdb = recording.one("kubernetes:policy/v1:PodDisruptionBudget", "de-assistant-disruption-budget")
    assert pdb.get("spec") == {
        "maxUnavailable": 1.0,
        "selector": {"matchLabels": SELECTOR},
        "unhealthyPodEvictionPolicy": "AlwaysAllow",
    }, pdb.urn


def test_cluster_ip_service_selects_the_pods(recording, deployment) -> None:
    service = recording.one("kubernetes:core/v1:Service", "de-assistant-service")
    assert service.get("spec.type") == "ClusterIP", service.urn
    assert service.get("spec.ports") == [
        {"name": "http", "port": 8000.0, "targetPort": "http", "protocol": "TCP"}
    ]
    labels = deployment.get("spec.template.metadata.labels")
    assert service.get("spec.selector") == SELECTOR and SELECTOR.items() <= labels.items(), service.urn


def test_admits_only_the_listed_clients(recording) -> None:
    policy = recording.one(NETWORK_POLICY, "de-assistant-allow-clients")
    assert policy.get("spec") == {
        "podSelector": {"matchLabels": SELECTOR},
        "policyTypes": ["Ingress"],
        "ingress": [
            {
                "from": [
                    {
                        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "assistant"}},
                        "podSelector": {
                            "matchLabels": {
                                "app.kubernetes.io/name": "open-webui",
                                "app.kubernetes.io/instance": "chat",
                            }
                        },
                    }
                ],
                "ports": [{"protocol": "TCP", "port": 8000.0}],
            },
            {
                # The metrics scraper (autoscaling.source.scraper): vLLM serves /metrics on the API port.
                "from": [
                    {
                        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}},
                        "podSelector": {
                            "matchLabels": {
                                "app.kubernetes.io/name": "prometheus",
                                "app.kubernetes.io/component": "server",
                            }
                        },
                    }
                ],
                "ports": [{"protocol": "TCP", "port": 8000.0}],
            },
        ],
    }, policy.urn


def test_without_clients_nobody_is_admitted() -> None:
    recording = record(lambda: InferenceService("de", inference_args(allowed_clients=(), autoscaling=None)))
    policy = recording.one(NETWORK_POLICY, "de-allow-clients")
    assert policy.get("spec.policyTypes") == ["Ingress"], policy.urn
    assert policy.get("spec.ingress", []) == [], policy.urn


def test_dedicated_service_account_with_workload_identity_and_no_token(recording, deployment) -> None:
    account = recording.one("kubernetes:core/v1:ServiceAccount", "de-assistant-service-account")
    assert account.get("automountServiceAccountToken") is False, account.urn
    assert account.get("metadata.annotations") == {
        "azure.workload.identity/client-id": "11111111-2222-3333-4444-555555555555"
    }, account.urn
    assert pod_spec(deployment)["serviceAccountName"] == "assistant", deployment.urn
    assert deployment.get("spec.template.metadata.labels")["azure.workload.identity/use"] == "true"


def test_every_image_and_model_uri_is_in_the_country_registry(deployment) -> None:
    images = [c["image"] for c in containers(deployment)]
    assert images == [WEIGHTS, VLLM_IMAGE, VLLM_IMAGE], deployment.urn
    assert all(image.startswith(f"{REGISTRY}/") for image in images), deployment.urn


def test_every_object_is_namespaced_and_a_child_of_the_component(recording) -> None:
    component = recording.one("sovereign:kubernetes:InferenceService", "de-assistant")
    children = recording.children_of(component.urn)
    kinds = sorted(c.type.rsplit(":", 1)[1] for c in children)
    assert kinds == [
        "ConfigMap", "Deployment", "NetworkPolicy", "PodDisruptionBudget", "ScaledObject", "Secret",
        "Service", "ServiceAccount",
    ], component.urn  # fmt: skip
    assert all(c.get("metadata.namespace") == "assistant" for c in children), component.urn


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"image": f"docker.io/vllm/vllm-openai@sha256:{'ab' * 32}"}, "inference image must come from"),
        ({"gpus_per_replica": 3}, r"gpus_per_replica must be one of \(1, 2, 4, 8\)"),
        ({"replicas_min": 5, "replicas_max": 4}, r"replicas_min \(5\) exceeds replicas_max \(4\)"),
        ({"extra_server_args": ("--trust-remote-code",)}, "not an allowed flag"),
        ({"extra_server_args": ("--served-model-name=gpt-4",)}, "which the component sets"),
        ({"gpu_taint": "nvidia.com/gpu"}, "GPU taint must be"),
        (
            {"allowed_clients": (PeerSelector("x"),), "service_name": "Inference"},
            "service_name must be a DNS",
        ),
        ({"gpu_memory_utilization": 1.0}, "gpu_memory_utilization must be from 0.1 to 0.98"),
        ({"shared_memory_gib": 64}, r"shared_memory_gib \(64\) must be below memory_gib_per_replica \(64\)"),
        ({"namespace": "default namespace"}, "namespace must be a DNS label"),
    ],
)
def test_refuses_unsafe_or_broken_args(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        inference_args(**changes)


def test_refuses_weights_outside_the_registry() -> None:
    from tests.components.kubernetes.helpers import WEIGHTS_DIGEST, model_record

    outside = model_record(weights_ref=f"huggingface.co/mistralai/mistral-small@{WEIGHTS_DIGEST}")
    with pytest.raises(
        ValueError, match=re.escape("weights of model 'mistral-small-3.1-24b-instruct' must come")
    ):
        inference_args(model=outside)


def test_the_server_requires_the_api_key_from_its_secret(recording, deployment) -> None:
    # vLLM 0.33.0: VLLM_API_KEY (vllm/envs.py) turns on AuthenticationMiddleware (serve/middleware/register.py),
    # 401 on /v1, /v2, /inference, /cohere without "Authorization: Bearer <key>"; /health and /metrics stay open.
    secret = recording.one("kubernetes:core/v1:Secret", "de-assistant-api-key")
    assert secret.get("metadata.name") == "assistant-api-key", secret.urn
    # The key stays a Pulumi secret: the recording sees only the marker, never the value.
    assert secret.get("stringData") == "[secret]" and "stringData" in secret.secret_paths, secret.urn
    server = container(deployment, "vllm")
    # A file of the mounted Secret, exported by the shell that execs vllm serve (no secretKeyRef: CKV_K8S_35).
    assert not [e for e in server["env"] if e["name"] == "VLLM_API_KEY"], deployment.urn
    assert server["command"][:3] == ["sh", "-c", API_KEY_LAUNCHER], deployment.urn
    assert 'VLLM_API_KEY="$(cat /var/run/secrets/sovereign/api-key)"' in API_KEY_LAUNCHER
    assert {"name": "api-key", "mountPath": "/var/run/secrets/sovereign", "readOnly": True} in server[
        "volumeMounts"
    ]
    volume = next(v for v in pod_spec(deployment)["volumes"] if v["name"] == "api-key")
    assert volume["secret"] == {"secretName": "assistant-api-key", "defaultMode": 0o440}, deployment.urn
    assert API_KEY not in str(deployment.inputs) and "--api-key" not in server["args"], deployment.urn
    assert secret.urn in deployment.dependencies, deployment.urn


def test_the_server_pods_carry_the_priority_class_they_are_given() -> None:
    recording = record(
        lambda: InferenceService("de-assistant", inference_args(priority_class_name="sovereign-assistant"))
    )
    deployment = recording.one(DEPLOYMENT, "de-assistant-deployment")
    assert pod_spec(deployment)["priorityClassName"] == "sovereign-assistant", deployment.urn


def test_an_open_model_api_is_refused() -> None:
    with pytest.raises(ValueError, match="api_key is required"):
        inference_args(api_key=None)
