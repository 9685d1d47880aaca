"""The pod of the inference service: a vLLM OpenAI-compatible server on GPU nodes, fed by two init containers.

Pure builders (no resources), used by ``inference.py``. The init containers (``model_loading.py``) are the
weights image, kept running as a sidecar that exposes its ``/models`` in place (nothing is copied; the node
caches the image for every later replica), and the renderer of the localized chat template; vLLM then serves
those files with every hub lookup switched off (``HF_HUB_OFFLINE`` and friends). The root filesystem is
read-only, so every path vLLM, PyTorch and Triton write to is an emptyDir. Non-goals: multi-node serving (one
replica = one node).
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
    MODEL_LINK_VOLUME_MIB,
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

__all__ = [
    "API_KEY_ENV",
    "API_KEY_FILE",
    "API_KEY_LAUNCHER",
    "API_KEY_SECRET_KEY",
    "DRAIN_SECONDS",
    "PRE_STOP_SLEEP_SECONDS",
    "TERMINATION_GRACE_SECONDS",
    "VLLM_PORT",
    "inference_pod_template",
    "vllm_server_args",
]

VLLM_PORT = 8000
API_KEY_ENV = "VLLM_API_KEY"
"""vLLM 0.33.0 ``vllm/envs.py``: ``"VLLM_API_KEY": lambda: os.environ.get("VLLM_API_KEY", None)``;
``entrypoints/serve/middleware/register.py`` adds ``AuthenticationMiddleware`` with ``args.api_key or
[envs.VLLM_API_KEY]``, which answers 401 without ``Authorization: Bearer <key>`` on paths starting with
``/v1``, ``/v2``, ``/inference`` or ``/cohere`` (``authenticate.py`` GUARDED_PREFIX) and leaves ``/health`` and
``/metrics`` open for the probes and Prometheus. The environment, not ``--api-key``: an argument is visible in
the process list and the pod spec (and ``sovereign/rules/vllm_args.py`` refuses it); vLLM reads the key from
nowhere else (no file option), so the Secret is mounted as a file and a shell puts it into the server's
environment (:data:`API_KEY_LAUNCHER`): the pod spec holds only the Secret's name. The middleware does not
guard ``/invocations``, ``/tokenize``, ``/pooling``, ``/score`` or
``/rerank`` (``common/cli_args.py``, ``api_key``: "Do not rely on --api-key alone"): the NetworkPolicy admitting
only the front end and the scraper is what closes those."""
API_KEY_SECRET_KEY = "api-key"
API_KEY_DIR = "/var/run/secrets/sovereign"
API_KEY_FILE = f"{API_KEY_DIR}/{API_KEY_SECRET_KEY}"
API_KEY_LAUNCHER = (
    f'{API_KEY_ENV}="$(cat {API_KEY_FILE})" && [ -n "${API_KEY_ENV}" ] && export {API_KEY_ENV} && exec "$@"'
)
"""``sh -c`` script: read the key file, refuse an empty key, export it and exec the server command (``"$@"``: the
container's command after the script name, then its args). Kubernetes leaves ``$(cat ...)`` alone: it expands
only ``$(VAR)`` names of the container's environment ("If a variable cannot be resolved, the reference in the
input string will be unchanged", Container.command)."""
_HOME = "/home/vllm"
_PROBE_PERIOD_SECONDS = 10
PRE_STOP_SLEEP_SECONDS = 10
"""Before SIGTERM: time for the EndpointSlice controller and every kube-proxy to drop the terminating pod,
so no new request is routed to a server that is already draining."""
DRAIN_SECONDS = 90
"""vLLM ``--shutdown-timeout`` (0.33.0, ``vllm/engine/arg_utils.py``: "Shutdown timeout in seconds. 0 = abort,
>0 = wait"; default 0). On SIGTERM the API server stops the engine in "drain" mode
(``vllm/entrypoints/launchers/launcher.py``) and ``EngineCore._handle_shutdown`` lets unfinished requests run
until the timeout instead of aborting them."""
TERMINATION_GRACE_SECONDS = 120
"""The kubelet's SIGKILL deadline, counted from the start of preStop: covers the sleep, the drain and the
teardown of the engine processes (a test keeps sleep + drain below it)."""
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
    # vLLM reads --chat-template with a bare open() (vllm/renderers/chat_utils/chat_template.py, 0.33.0): the
    # locale's encoding would decide how a Japanese or Hindi prompt is decoded; UTF-8 mode makes it UTF-8.
    "PYTHONUTF8": "1",
}


def vllm_server_args(args: "InferenceServiceArgs") -> list[str]:
    """Arguments of ``vllm serve`` (0.33.0): the model is the positional ``model_tag``
    (``vllm/entrypoints/common/cli_args.py``); ``--model`` there only logs a deprecation warning."""
    reasoning = ["--reasoning-parser", args.model.reasoning_parser] if args.model.reasoning_parser else []
    return [
        MODEL_DIR,
        "--served-model-name",
        args.model.served_model_name,
        "--tensor-parallel-size",
        str(args.gpus_per_replica),
        "--max-model-len",
        str(args.max_context_tokens),
        "--chat-template",
        CHAT_TEMPLATE_PATH,
        # "auto" picks tokenizer_mode "mistral" for weights with consolidated*.safetensors plus tekken.json or
        # tokenizer.model.v* (vllm/tokenizers/registry.py, resolve_tokenizer_args), and the Mistral tokenizer
        # applies mistral-common's own template and never --chat-template (vllm/tokenizers/mistral.py,
        # apply_chat_template): the country's prompt would be silently dropped. "hf" honours --chat-template
        # and fails loudly at start if the artifact has no Hugging Face tokenizer files.
        "--tokenizer-mode",
        "hf",
        "--gpu-memory-utilization",
        f"{args.gpu_memory_utilization:.2f}",
        "--host",
        "0.0.0.0",
        "--port",
        str(VLLM_PORT),
        "--shutdown-timeout",
        str(DRAIN_SECONDS),
        *reasoning,
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
    # Holds only the modelcar's link to the weights in its image (model_loading.py): no claim, no copy.
    model_cache = scratch_volume("model-cache", MODEL_LINK_VOLUME_MIB)
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
    api_key_secret_name: pulumi.Input[str],
) -> k8s.core.v1.PodTemplateSpecArgs:
    startup_failures = math.ceil(args.startup_timeout_seconds / _PROBE_PERIOD_SECONDS)
    server = k8s.core.v1.ContainerArgs(
        name="vllm",
        image=args.image,
        # Digest-pinned: the node's copy is the image, so pull once per node (model_loading.py says why).
        image_pull_policy="IfNotPresent",
        # The key is a file of the mounted Secret, put into vLLM's environment by the shell that execs it: never a
        # value in the pod spec, never on the command line (checkov CKV_K8S_35: secrets as files).
        command=["sh", "-c", API_KEY_LAUNCHER, "vllm-launcher", *args.server_command],
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
        # Native sleep action (KEP-3960; beta and on by default since Kubernetes 1.30, GA in 1.34; the
        # clusters run 1.33 or later), so the image needs no sleep binary.
        lifecycle=k8s.core.v1.LifecycleArgs(
            pre_stop=k8s.core.v1.LifecycleHandlerArgs(
                sleep=k8s.core.v1.SleepActionArgs(seconds=PRE_STOP_SLEEP_SECONDS)
            )
        ),
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
            # The modelcar sidecar starts first and links the weights; the template renderer reads them.
            init_containers=[modelcar_container(args), chat_template_container(args)],
            # The containers reach the weights through /proc/<modelcar pid>/root (model_loading.py).
            share_process_namespace=True,
            containers=[server],
            volumes=[
                *_volumes(args, config_map_name),
                k8s.core.v1.VolumeArgs(
                    name="api-key",
                    secret=k8s.core.v1.SecretVolumeSourceArgs(
                        secret_name=api_key_secret_name, default_mode=0o440
                    ),
                ),
            ],
            tolerations=gpu_tolerations(Taint.parse(args.gpu_taint)),
            affinity=gpu_node_affinity(NodeLabel.parse(args.gpu_node_label)),
            topology_spread_constraints=spread_across_zones(selector),
            termination_grace_period_seconds=TERMINATION_GRACE_SECONDS,
            priority_class_name=args.priority_class_name,
        ),
    )


def _server_mounts() -> Sequence[k8s.core.v1.VolumeMountArgs]:
    return [
        mount("api-key", API_KEY_DIR, read_only=True),
        mount("model-cache", MODEL_CACHE_DIR, read_only=True),
        mount("assistant-config", CONFIG_DIR, read_only=True),
        mount("chat-template", TEMPLATE_DIR, read_only=True),
        mount("tmp", "/tmp"),
        mount("home", _HOME),
        mount("dshm", "/dev/shm"),
    ]
