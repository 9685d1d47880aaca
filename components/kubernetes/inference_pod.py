"""The pod of the inference service: a vLLM OpenAI-compatible server on GPU nodes, fed by two init containers.

Pure builders (no resources), used by ``inference.py``. The init containers (``model_loading.py``) put the
weights and the localized chat template on local volumes; vLLM then serves the local copy with every hub
lookup switched off (``HF_HUB_OFFLINE`` and friends). The root filesystem is read-only, so every path vLLM,
PyTorch and Triton write to is an emptyDir. Non-goals: multi-node serving (one replica = one node).
"""

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.hardening import (
    container_security_context,
    guaranteed_resources,
    pod_security_context,
    scratch_volume,
)
from components.kubernetes.model_loading import (
    CHAT_TEMPLATE_PATH,
    CONFIG_DIR,
    MODEL_CACHE_DIR,
    MODEL_DIR,
    TEMPLATE_DIR,
    TEMPLATE_VOLUME_MIB,
    chat_template_container,
    modelcar_container,
    mount,
)
from components.kubernetes.scheduling import (
    GPU_RESOURCE,
    NodeLabel,
    Taint,
    gpu_node_affinity,
    gpu_tolerations,
    spread_across_zones,
)

if TYPE_CHECKING:
    from components.kubernetes.inference import InferenceServiceArgs

__all__ = ["FORBIDDEN_SERVER_FLAGS", "VLLM_PORT", "inference_pod_template", "vllm_server_args"]

VLLM_PORT = 8000
_HOME = "/home/vllm"
_PROBE_PERIOD_SECONDS = 10
_TERMINATION_GRACE_SECONDS = 120
"""Time for in-flight generations to finish when a pod is stopped."""

FORBIDDEN_SERVER_FLAGS = frozenset(
    {
        # Set by the component from the Args; a second value would silently win or conflict.
        "--model",
        "--served-model-name",
        "--tensor-parallel-size",
        "--max-model-len",
        "--chat-template",
        "--gpu-memory-utilization",
        "--host",
        "--port",
        # Would fetch code, tokenizers or weights from a hub, or put a credential into the pod spec.
        "--trust-remote-code",
        "--tokenizer",
        "--revision",
        "--code-revision",
        "--tokenizer-revision",
        "--download-dir",
        "--hf-token",
        "--api-key",
    }
)

_OFFLINE_ENV = {
    # No hub, no telemetry: the pod has no egress anyway, but it must not even try (and wait on timeouts).
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "VLLM_NO_USAGE_STATS": "1",
    "DO_NOT_TRACK": "1",
    # Writable places on a read-only root filesystem; USER because the UID has no passwd entry and
    # PyTorch's cache paths call getpass.getuser().
    "HOME": _HOME,
    "USER": "vllm",
    "XDG_CACHE_HOME": f"{_HOME}/.cache",
    "XDG_CONFIG_HOME": f"{_HOME}/.config",
    "HF_HOME": f"{_HOME}/.cache/huggingface",
    "TMPDIR": "/tmp",
    "PYTHONDONTWRITEBYTECODE": "1",
}


def vllm_server_args(args: "InferenceServiceArgs") -> list[str]:
    return [
        "--model",
        MODEL_DIR,
        "--served-model-name",
        args.model.served_model_name,
        "--tensor-parallel-size",
        str(args.gpus_per_replica),
        "--max-model-len",
        str(args.max_context_tokens),
        "--chat-template",
        CHAT_TEMPLATE_PATH,
        "--gpu-memory-utilization",
        f"{args.gpu_memory_utilization:.2f}",
        "--host",
        "0.0.0.0",
        "--port",
        str(VLLM_PORT),
        *args.extra_server_args,
    ]


def _http_probe(failure_threshold: int, timeout_seconds: int) -> k8s.core.v1.ProbeArgs:
    return k8s.core.v1.ProbeArgs(
        http_get=k8s.core.v1.HTTPGetActionArgs(path="/health", port="http"),
        period_seconds=_PROBE_PERIOD_SECONDS,
        timeout_seconds=timeout_seconds,
        failure_threshold=failure_threshold,
    )


def _volumes(
    args: "InferenceServiceArgs", config_map_name: pulumi.Input[str]
) -> list[k8s.core.v1.VolumeArgs]:
    # A generic ephemeral volume: one claim per pod on the encrypted class, created and deleted with the pod,
    # so replicas scale out without a ReadWriteMany share.
    model_cache = k8s.core.v1.VolumeArgs(
        name="model-cache",
        ephemeral=k8s.core.v1.EphemeralVolumeSourceArgs(
            volume_claim_template=k8s.core.v1.PersistentVolumeClaimTemplateArgs(
                spec=k8s.core.v1.PersistentVolumeClaimSpecArgs(
                    access_modes=["ReadWriteOnce"],
                    storage_class_name=args.storage_class_name,
                    resources=k8s.core.v1.VolumeResourceRequirementsArgs(
                        requests={"storage": f"{args.model_cache_gib}Gi"}
                    ),
                )
            )
        ),
    )
    config = k8s.core.v1.VolumeArgs(
        name="assistant-config",
        config_map=k8s.core.v1.ConfigMapVolumeSourceArgs(name=config_map_name, default_mode=0o444),
    )
    return [
        model_cache,
        config,
        scratch_volume("chat-template", TEMPLATE_VOLUME_MIB),
        scratch_volume("tmp", 4096),
        scratch_volume("home", 8192),
        # NCCL exchanges tensors between the GPUs of a replica through /dev/shm.
        scratch_volume("dshm", args.shared_memory_gib * 1024, in_memory=True),
    ]


def inference_pod_template(
    args: "InferenceServiceArgs",
    *,
    labels: dict[str, str],
    selector: dict[str, str],
    annotations: dict[str, str],
    config_map_name: pulumi.Input[str],
    service_account_name: pulumi.Input[str],
) -> k8s.core.v1.PodTemplateSpecArgs:
    startup_failures = math.ceil(args.startup_timeout_seconds / _PROBE_PERIOD_SECONDS)
    server = k8s.core.v1.ContainerArgs(
        name="vllm",
        image=args.image,
        image_pull_policy="Always",
        command=list(args.server_command),
        args=vllm_server_args(args),
        env=[k8s.core.v1.EnvVarArgs(name=key, value=value) for key, value in _OFFLINE_ENV.items()],
        ports=[k8s.core.v1.ContainerPortArgs(name="http", container_port=VLLM_PORT, protocol="TCP")],
        resources=guaranteed_resources(
            args.cpu_millicores_per_replica,
            args.memory_gib_per_replica * 1024,
            {GPU_RESOURCE: str(args.gpus_per_replica)},
        ),
        # Loading and compiling a large model takes minutes: liveness and readiness start only after this.
        startup_probe=_http_probe(startup_failures, 5),
        readiness_probe=_http_probe(3, 5),
        liveness_probe=_http_probe(6, 10),
        security_context=container_security_context(),
        volume_mounts=_server_mounts(),
    )
    return k8s.core.v1.PodTemplateSpecArgs(
        metadata=k8s.meta.v1.ObjectMetaArgs(labels=labels, annotations=annotations),
        spec=k8s.core.v1.PodSpecArgs(
            service_account_name=service_account_name,
            automount_service_account_token=False,
            enable_service_links=False,
            host_network=False,
            host_pid=False,
            host_ipc=False,
            security_context=pod_security_context(),
            init_containers=[modelcar_container(args), chat_template_container(args)],
            containers=[server],
            volumes=_volumes(args, config_map_name),
            tolerations=gpu_tolerations(Taint.parse(args.gpu_taint)),
            affinity=gpu_node_affinity(NodeLabel.parse(args.gpu_node_label)),
            topology_spread_constraints=spread_across_zones(selector),
            termination_grace_period_seconds=_TERMINATION_GRACE_SECONDS,
        ),
    )


def _server_mounts() -> Sequence[k8s.core.v1.VolumeMountArgs]:
    return [
        mount("model-cache", MODEL_CACHE_DIR, read_only=True),
        mount("assistant-config", CONFIG_DIR, read_only=True),
        mount("chat-template", TEMPLATE_DIR, read_only=True),
        mount("tmp", "/tmp"),
        mount("home", _HOME),
        mount("dshm", "/dev/shm"),
    ]
