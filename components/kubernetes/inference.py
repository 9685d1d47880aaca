"""The inference service: the country's model behind an OpenAI-compatible API, on GPU nodes, in the cluster.

Creates a ServiceAccount (workload identity annotations where the cloud needs them, no token mounted), the
Secret holding the API key vLLM requires on its OpenAI routes (``VLLM_API_KEY`` from a secretKeyRef), the
localization ConfigMap, a Deployment (vLLM pinned by digest from the country's registry, weights from a
modelcar image the node caches and the pod reads in place, GPU requests/limits, tolerations and node
affinity for the GPU pools, tensor parallelism = GPUs per replica, startup/readiness/liveness probes,
restricted security context, zone spread), a ClusterIP Service, a KEDA ScaledObject on vLLM's queue depth
and KV-cache use within the replica bounds (``autoscaling.py``; without ``autoscaling`` the count stays at
``replicas_min``), a PodDisruptionBudget, and the NetworkPolicy admitting only the listed clients and the
metrics scraper. The model risk gate runs when the Args are built. Non-goals: the namespace and its
default-deny (``namespace.py``), the chat front end.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.autoscaling import (
    HPA_TRANSFER_ANNOTATION,
    SCALED_OBJECT_API_VERSION,
    QueueDepthScaling,
    disruption_budget_spec,
    scaled_object_spec,
)
from components.kubernetes.hardening import (
    name_of,
    require_dns_label,
    require_in_registry,
    require_positive,
    require_registry_prefix,
    selector_labels,
    workload_labels,
)
from components.kubernetes.inference_pod import API_KEY_SECRET_KEY, VLLM_PORT, inference_pod_template
from components.kubernetes.localization import Localization, assistant_config, config_checksum
from components.kubernetes.model_gate import ModelRecord, check_model_risk
from components.kubernetes.model_loading import chat_template_source, require_artifact_path
from components.kubernetes.netpol import PeerSelector, ServiceEndpoint, ingress_from
from components.kubernetes.scheduling import DEFAULT_GPU_NODE_LABEL, DEFAULT_GPU_TAINT, NodeLabel, Taint
from sovereign.contracts import INFERENCE_ROLLOUT_SURGE, MODEL_ANNOTATION
from sovereign.rules.vllm_args import server_args_problems

__all__ = [
    "CONFIG_CHECKSUM_ANNOTATION",
    "TENSOR_PARALLEL_SIZES",
    "InferenceService",
    "InferenceServiceArgs",
]

CONFIG_CHECKSUM_ANNOTATION = "sovereign.ai/config-sha256"
TENSOR_PARALLEL_SIZES = (1, 2, 4, 8)
"""GPUs per replica vLLM can split a model over on one node (attention heads must divide evenly)."""
_APP = "vllm"


def inference_endpoint(namespace: pulumi.Input[str], service_name: str = "inference") -> ServiceEndpoint:
    """The Service and pods of an inference service, known before it is built (for clients' policies)."""
    return ServiceEndpoint(namespace, service_name, VLLM_PORT, selector_labels(_APP, service_name))


@dataclass(frozen=True)
class InferenceServiceArgs:
    namespace: pulumi.Input[str]
    """Namespace of the service (a restricted namespace, see ``RestrictedNamespace``)."""
    country_code: str
    """ISO 3166-1 alpha-2 code in lower case: the risk gate checks the model is approved for it."""
    registry_prefix: str
    """The country's registry, such as 'deregistry.azurecr.io' or 'fra.ocir.io/namespace': every image and
    model artifact must start with it."""
    image: str
    """vLLM OpenAI-server image in the country's registry, pinned by digest."""
    model: ModelRecord
    """The model and its risk-register record."""
    as_of: datetime.date
    """The day the risk gate checks the assessment against (the stack passes today's date)."""
    localization: Localization
    """Languages, default locale and system prompt."""
    service_name: str = "inference"
    """Name of the Deployment, Service and related objects."""
    gpus_per_replica: int = 1
    """GPUs per replica, also vLLM's tensor parallel size: 1, 2, 4 or 8."""
    replicas_min: int = 1
    """Lower bound of the autoscaler."""
    replicas_max: int = 2
    """Upper bound of the autoscaler; at least ``replicas_min``."""
    max_context_tokens: int = 8192
    """vLLM ``--max-model-len``: longest prompt plus answer, in tokens."""
    runs_on_confidential_gpu: bool = False
    """True only when the GPU nodes are confidential (attested, memory-encrypted); the risk gate refuses high
    and critical tier models otherwise."""
    gpu_taint: str = DEFAULT_GPU_TAINT
    """Taint of the GPU node pools, 'key[=value]:Effect'; the pods tolerate exactly this one."""
    gpu_node_label: str = DEFAULT_GPU_NODE_LABEL
    """Label of the GPU node pools, 'key=value'; the pods require it."""
    cpu_millicores_per_replica: int = 8000
    """CPU request = limit of the server container."""
    memory_gib_per_replica: int = 64
    """Memory request = limit of the server container (host memory, not GPU memory)."""
    shared_memory_gib: int = 16
    """Size of /dev/shm for NCCL between the GPUs of a replica; it is memory, so it counts against
    ``memory_gib_per_replica``."""
    gpu_memory_utilization: float = 0.90
    """Fraction of GPU memory vLLM may use for weights and KV cache."""
    startup_timeout_seconds: int = 1800
    """Time allowed from the server's start to serving (loading the weights from the node's image store and
    compiling) before the pod is restarted; pulling the weights image on a fresh node comes before it and
    counts only against the rollout deadline (this plus 600 s)."""
    api_key: pulumi.Input[str] | None = None
    """Bearer token vLLM requires on /v1, /v2, /inference and /cohere (from stack config as a secret); required:
    without one vLLM serves every route unauthenticated."""
    allowed_clients: tuple[PeerSelector, ...] = ()
    """Pods that may call the API (the chat front end; tenants only through their gateway, never directly);
    omitted: nobody. The metrics scraper of ``autoscaling`` is admitted as well."""
    priority_class_name: str | None = None
    """PriorityClass of the pods (``sovereign-assistant`` in the platform, above the tenants'); omitted: the
    cluster's default."""
    autoscaling: QueueDepthScaling | None = None
    """Scale between the replica bounds on vLLM's metrics through KEDA (which the cluster must run: the AKS
    add-on or ``keda.py``); omitted: a fixed ``replicas_min`` replicas."""
    scaled_object_depends_on: tuple[pulumi.Resource, ...] = ()
    """What installs the ScaledObject CRD (the KEDA release on OKE; on AKS the cluster, through the
    provider)."""
    service_account_annotations: Mapping[str, str] = field(default_factory=dict)
    """Workload identity annotations of the ServiceAccount; omitted: none."""
    workload_identity_pod_labels: Mapping[str, str] = field(default_factory=dict)
    """Pod labels some clouds require for workload identity (AKS: azure.workload.identity/use); omitted:
    none."""
    weights_path_in_artifact: str = "/models"
    """Directory of the weights inside the modelcar artifact."""
    server_command: tuple[str, ...] = ("vllm", "serve")
    """Entrypoint of the server image: the ``vllm`` console script (vLLM 0.33.0 wheel, entry_points.txt:
    ``vllm = vllm.entrypoints.cli.main:main``); ``python -m vllm.entrypoints.openai.api_server`` is deprecated."""
    extra_server_args: tuple[str, ...] = ()
    """More ``vllm serve`` flags from the allow-list (``sovereign.rules.vllm_args``); omitted: none."""

    @property
    def required_api_key(self) -> pulumi.Input[str]:
        if self.api_key is None:  # refused in __post_init__ already
            raise ValueError("api_key is required")
        return self.api_key

    def __post_init__(self) -> None:
        require_registry_prefix(self.registry_prefix)
        require_in_registry(self.image, self.registry_prefix, "inference image")
        require_in_registry(
            self.model.weights_ref, self.registry_prefix, f"weights of model '{self.model.model_id}'"
        )
        check_model_risk(
            self.model,
            country_code=self.country_code,
            as_of=self.as_of,
            confidential_gpu=self.runs_on_confidential_gpu,
        )
        require_dns_label(self.service_name, "service_name")
        if self.api_key is None:
            raise ValueError(
                "api_key is required: vLLM without --api-key/VLLM_API_KEY answers /v1 for anyone who reaches it"
            )
        if self.priority_class_name is not None:
            require_dns_label(self.priority_class_name, "priority_class_name")
        if isinstance(self.namespace, str):
            require_dns_label(self.namespace, "namespace")
        if self.shared_memory_gib >= self.memory_gib_per_replica:
            raise ValueError(
                f"shared_memory_gib ({self.shared_memory_gib}) must be below memory_gib_per_replica "
                f"({self.memory_gib_per_replica}): /dev/shm is memory of the same container"
            )
        if self.gpus_per_replica not in TENSOR_PARALLEL_SIZES:
            raise ValueError(
                f"gpus_per_replica must be one of {TENSOR_PARALLEL_SIZES} (got {self.gpus_per_replica}): it "
                "is also the tensor parallel size, which must divide the model's attention heads"
            )
        require_positive(self.replicas_min, "replicas_min", maximum=64)
        require_positive(self.replicas_max, "replicas_max", maximum=64)
        if self.replicas_min > self.replicas_max:
            raise ValueError(f"replicas_min ({self.replicas_min}) exceeds replicas_max ({self.replicas_max})")
        require_positive(self.max_context_tokens, "max_context_tokens", maximum=1_048_576)
        if not 0.1 <= self.gpu_memory_utilization <= 0.98:
            raise ValueError(
                f"gpu_memory_utilization must be from 0.1 to 0.98 (got {self.gpu_memory_utilization})"
            )
        chat_template_source(self.model.chat_template)
        require_artifact_path(self.weights_path_in_artifact)
        Taint.parse(self.gpu_taint)
        NodeLabel.parse(self.gpu_node_label)
        if problems := server_args_problems(self.extra_server_args):
            raise ValueError("extra_server_args refused: " + "; ".join(problems))


class InferenceService(pulumi.ComponentResource):
    service_name: pulumi.Output[str]
    base_url: pulumi.Output[str]
    """OpenAI-compatible base URL inside the cluster, such as http://inference.assistant.svc.cluster.local:8000/v1."""
    served_model_name: pulumi.Output[str]
    config_checksum: pulumi.Output[str]
    """SHA-256 of the localization ConfigMap, also the pod annotation that rolls the pods."""
    endpoint: ServiceEndpoint
    """Plain description of the Service for clients' NetworkPolicies (not an Output)."""

    def __init__(self, name: str, args: InferenceServiceArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("sovereign:kubernetes:InferenceService", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        selector = selector_labels(_APP, args.service_name)
        labels = workload_labels(_APP, args.service_name, "inference", args.country_code)

        def meta(object_name: str, annotations: dict[str, str] | None = None) -> k8s.meta.v1.ObjectMetaArgs:
            return k8s.meta.v1.ObjectMetaArgs(
                name=object_name, namespace=args.namespace, labels=labels, annotations=annotations
            )

        account = k8s.core.v1.ServiceAccount(
            f"{name}-service-account",
            metadata=meta(args.service_name, dict(args.service_account_annotations) or None),
            automount_service_account_token=False,
            opts=child,
        )
        api_key = k8s.core.v1.Secret(
            f"{name}-api-key",
            metadata=meta(f"{args.service_name}-api-key"),
            type="Opaque",
            string_data={API_KEY_SECRET_KEY: pulumi.Output.secret(args.required_api_key)},
            opts=child,
        )
        data = assistant_config(
            args.localization, args.model.chat_template, args.model.system_prompt_placement
        )
        checksum = config_checksum(data)
        config_map = k8s.core.v1.ConfigMap(
            f"{name}-config", metadata=meta(f"{args.service_name}-config"), data=data, opts=child
        )
        pod_annotations = {
            CONFIG_CHECKSUM_ANNOTATION: checksum,
            MODEL_ANNOTATION: args.model.model_id,
            "kubectl.kubernetes.io/default-container": "vllm",
        }
        template = inference_pod_template(
            args,
            labels={**labels, **args.workload_identity_pod_labels},
            selector=selector,
            annotations=pod_annotations,
            config_map_name=name_of(config_map, f"{args.service_name}-config"),
            service_account_name=name_of(account, args.service_name),
            api_key_secret_name=name_of(api_key, f"{args.service_name}-api-key"),
        )
        deadline = args.startup_timeout_seconds + 600
        deployment = k8s.apps.v1.Deployment(
            f"{name}-deployment",
            metadata=meta(args.service_name),
            spec=k8s.apps.v1.DeploymentSpecArgs(
                # No replicas under KEDA: its HPA owns the count, and re-applying one would fight it.
                replicas=None if args.autoscaling else args.replicas_min,
                selector=k8s.meta.v1.LabelSelectorArgs(match_labels=selector),
                # Never below the serving replicas during a rollout (with replicas_min 1 anything else is an
                # outage for as long as the weights load): start the new replica first. Kubernetes "Deployments"
                # (concepts/workloads/controllers/deployment.md, maxSurge / maxUnavailable) and KServe's
                # "Availability" rollout mode (kserve/kserve#4623: maxUnavailable 0, maxSurge > 0) do the same.
                # At replicas_max the surge pod needs GPUs beyond the replicas' (finding K7): capacity_fits
                # reserves them and the plan's rollout-fits rule checks the planned pools hold them.
                strategy=k8s.apps.v1.DeploymentStrategyArgs(
                    type="RollingUpdate",
                    rolling_update=k8s.apps.v1.RollingUpdateDeploymentArgs(
                        max_surge=INFERENCE_ROLLOUT_SURGE, max_unavailable=0
                    ),
                ),
                progress_deadline_seconds=deadline,
                template=template,
            ),
            opts=pulumi.ResourceOptions(
                parent=self,
                custom_timeouts=pulumi.CustomTimeouts(create=f"{deadline}s", update=f"{deadline}s"),
            ),
        )
        service = k8s.core.v1.Service(
            f"{name}-service",
            metadata=meta(args.service_name),
            spec=k8s.core.v1.ServiceSpecArgs(
                type="ClusterIP",
                selector=selector,
                ports=[
                    k8s.core.v1.ServicePortArgs(
                        name="http", port=VLLM_PORT, target_port="http", protocol="TCP"
                    )
                ],
            ),
            opts=child,
        )
        if args.autoscaling is not None:
            k8s.apiextensions.CustomResource(
                f"{name}-autoscaler",
                api_version=SCALED_OBJECT_API_VERSION,
                kind="ScaledObject",
                metadata=meta(args.service_name, HPA_TRANSFER_ANNOTATION),
                spec=scaled_object_spec(
                    name_of(deployment, args.service_name),
                    namespace=args.namespace,
                    served_model_name=args.model.served_model_name,
                    replicas=(args.replicas_min, args.replicas_max),
                    scaling=args.autoscaling,
                    hpa_name=args.service_name,
                ),
                opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.scaled_object_depends_on)),
            )
        k8s.policy.v1.PodDisruptionBudget(
            f"{name}-disruption-budget",
            metadata=meta(args.service_name),
            spec=disruption_budget_spec(selector),
            opts=child,
        )
        k8s.networking.v1.NetworkPolicy(
            f"{name}-allow-clients",
            metadata=meta(f"{args.service_name}-allow-clients"),
            spec=k8s.networking.v1.NetworkPolicySpecArgs(
                pod_selector=k8s.meta.v1.LabelSelectorArgs(match_labels=selector),
                policy_types=["Ingress"],
                # vLLM serves /metrics on the API port; its --api-key guards only /v1, /v2, /inference and
                # /cohere (vllm 0.33.0 entrypoints/serve/middleware/authenticate.py GUARDED_PREFIX).
                ingress=ingress_from(
                    (*args.allowed_clients, *([args.autoscaling.source.scraper] if args.autoscaling else [])),
                    VLLM_PORT,
                ),
            ),
            opts=child,
        )
        self.endpoint = inference_endpoint(args.namespace, args.service_name)
        self.service_name = name_of(service, args.service_name)
        self.base_url = self.endpoint.url("/v1")
        self.served_model_name = pulumi.Output.from_input(args.model.served_model_name)
        self.config_checksum = pulumi.Output.from_input(checksum)
        self.register_outputs(
            {
                "service_name": self.service_name,
                "base_url": self.base_url,
                "served_model_name": self.served_model_name,
                "config_checksum": self.config_checksum,
            }
        )
