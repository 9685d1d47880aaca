"""The whole localized assistant of one country on one cluster: what the stack program composes.

Creates, in order: optionally the encrypted StorageClass; the two PriorityClasses (``priority.py``: the
assistant's above the tenants', which is the cluster's default); the restricted ``assistant`` namespace; one
inference service per model deployment; the chat front end (optional); one tenant namespace per startup. It
also wires what no single component can see: every inference service requires the one API key and admits the
front end's pods (and the metrics scraper) only, never a tenant namespace (finding K15: tenants would bypass
the national prompt on /v1/completions and monopolise the GPUs); the front end sends that key. Works the same
on AKS and OKE; the stack passes the kubernetes provider in ``opts`` and the cloud-specific values (storage
provisioner and key, workload identity) in the Args. Non-goals: the cluster, the registry, the keys.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from components.kubernetes.admission import ImagePolicyGuard
from components.kubernetes.autoscaling import MetricsSource, QueueDepthScaling
from components.kubernetes.chat import AiNoticeSpec, ChatFrontend, ChatFrontendArgs, chat_client_selector
from components.kubernetes.chat_exposure import ChatExposure, InternalExposure
from components.kubernetes.inference import InferenceService, InferenceServiceArgs, inference_endpoint
from components.kubernetes.localization import Localization
from components.kubernetes.model_gate import ModelRecord
from components.kubernetes.namespace import RestrictedNamespace, RestrictedNamespaceArgs
from components.kubernetes.netpol import PeerSelector, ServiceEndpoint
from components.kubernetes.priority import ASSISTANT_PRIORITY_CLASS, TENANT_PRIORITY_CLASS, PriorityClasses
from components.kubernetes.scheduling import DEFAULT_GPU_NODE_LABEL, DEFAULT_GPU_TAINT
from components.kubernetes.storage_class import EncryptedStorageClass, EncryptedStorageClassArgs
from components.kubernetes.tenant import TenantNamespace, TenantNamespaceArgs
from sovereign.types import Environment

__all__ = ["AssistantPlatform", "AssistantPlatformArgs", "ChatSettings", "ModelDeployment", "TenantSpec"]


@dataclass(frozen=True)
class ChatSettings:
    """The citizens' front end; see ``ChatFrontendArgs`` for each field."""

    image: str
    oidc_issuer_url: str
    oidc_client_id: str
    oidc_client_secret: pulumi.Input[str]
    session_secret: pulumi.Input[str]
    exposure: ChatExposure = field(default_factory=InternalExposure)
    identity_provider_egress_cidrs: tuple[str, ...] = ()
    identity_provider_in_cluster: PeerSelector | None = None
    identity_provider_ports: tuple[int, ...] = (443,)
    roles_claim: str = "roles"
    admin_roles: tuple[str, ...] = ("assistant-admin",)
    display_name: str = "Assistant"
    oidc_provider_name: str = "SSO"
    data_volume_gib: int = 20
    ai_notice: AiNoticeSpec | None = None


@dataclass(frozen=True)
class TenantSpec:
    """One startup of the tenant programme; see ``TenantNamespaceArgs`` for each field."""

    name: str
    group_name: str
    gpu_quota: int
    cpu_cores: int
    memory_gib: int
    storage_gib: int
    max_pods: int
    ephemeral_storage_gib: int = 50


@dataclass(frozen=True)
class ModelDeployment:
    """One model server of the assistant; see ``InferenceServiceArgs`` for each field."""

    name: str
    """Names the Kubernetes objects of this server (``InferenceServiceArgs.service_name``)."""
    image: str
    model: ModelRecord
    localization: Localization
    gpus_per_replica: int = 1
    replicas_min: int = 1
    replicas_max: int = 2
    max_context_tokens: int = 8192
    cpu_millicores_per_replica: int = 8000
    memory_gib_per_replica: int = 64
    extra_server_args: tuple[str, ...] = ()
    waiting_requests_per_replica: int = 4
    """Autoscaler target: queued requests per replica (see ``QueueDepthScaling``)."""
    kv_cache_usage_percent: int | None = 85
    """Autoscaler target: mean KV-cache use in percent; None: queue depth only."""


@dataclass(frozen=True)
class AssistantPlatformArgs:
    country_code: str
    environment: Environment
    registry_prefix: str
    """The country's registry; every image and model artifact must start with it."""
    as_of: datetime.date
    """Date the model risk gate checks against (today)."""
    storage_class: str | EncryptedStorageClassArgs
    """Name of an existing encrypted StorageClass, or the Args to create one."""
    deployments: tuple[ModelDeployment, ...] = ()
    """Model servers of the assistant; omitted: none (tenant namespaces only)."""
    api_key: pulumi.Input[str] | None = None
    """The bearer token every model server requires and the front end sends (stack config ``assistantApiKey``,
    a secret); required with deployments."""
    runs_on_confidential_gpu: bool = False
    """True only when every GPU pool is confidential; the risk gate needs it for high and critical tiers."""
    gpu_taint: str = DEFAULT_GPU_TAINT
    gpu_node_label: str = DEFAULT_GPU_NODE_LABEL
    workload_identity_annotations: Mapping[str, str] = field(default_factory=dict)
    """ServiceAccount annotations of the inference services; omitted: none."""
    workload_identity_pod_labels: Mapping[str, str] = field(default_factory=dict)
    chat: ChatSettings | None = None
    """The front end, offering every deployment (the first is the default); omitted: API only."""
    tenants: tuple[TenantSpec, ...] = ()
    denied_storage_classes: tuple[str, ...] = ()
    """The cloud's unencrypted built-in classes, which tenants get a zero quota on."""
    namespace_name: str = "assistant"
    """Namespace of the inference services and the front end."""
    protect_stateful: bool = True
    """Protect namespaces and the front end's data claim; the stack sets False for non-production."""
    metrics: MetricsSource | None = None
    """The in-cluster Prometheus the deployments autoscale on (through KEDA); omitted: fixed replicas_min."""
    scaled_object_depends_on: tuple[pulumi.Resource, ...] = ()
    """What installs KEDA's CRDs (the OKE release); the ScaledObjects wait for it."""

    def __post_init__(self) -> None:
        # Build every child's Args once now, so a bad value fails before anything is registered.
        for names, what in (
            ([d.name for d in self.deployments], "deployment"),
            ([t.name for t in self.tenants], "tenant"),
        ):
            if len(set(names)) != len(names):
                raise ValueError(f"{what} names must be unique (got {names})")
        if self.chat is not None and not self.deployments:
            raise ValueError("the chat front end needs at least one deployment to talk to")
        if self.deployments and self.api_key is None:
            raise ValueError("api_key is required with deployments: the model API must not be open")
        endpoints = self.endpoints(self.namespace_name)
        for deployment in self.deployments:
            self.inference_args(deployment, self.namespace_name)
        if self.chat is not None:
            self.chat_args(self.namespace_name, endpoints)
        for tenant in self.tenants:
            self.tenant_args(tenant)

    @property
    def storage_class_name(self) -> str:
        if isinstance(self.storage_class, EncryptedStorageClassArgs):
            return self.storage_class.storage_class_name
        return self.storage_class

    def endpoints(self, namespace: pulumi.Input[str]) -> tuple[ServiceEndpoint, ...]:
        return tuple(inference_endpoint(namespace, d.name) for d in self.deployments)

    def inference_args(
        self, deployment: ModelDeployment, namespace: pulumi.Input[str]
    ) -> InferenceServiceArgs:
        # The front end only: tenants will reach the model through the tenant API gateway, never directly.
        clients = [chat_client_selector(namespace)] if self.chat is not None else []
        return InferenceServiceArgs(
            namespace=namespace,
            country_code=self.country_code,
            registry_prefix=self.registry_prefix,
            image=deployment.image,
            model=deployment.model,
            as_of=self.as_of,
            localization=deployment.localization,
            service_name=deployment.name,
            gpus_per_replica=deployment.gpus_per_replica,
            replicas_min=deployment.replicas_min,
            replicas_max=deployment.replicas_max,
            max_context_tokens=deployment.max_context_tokens,
            runs_on_confidential_gpu=self.runs_on_confidential_gpu,
            gpu_taint=self.gpu_taint,
            gpu_node_label=self.gpu_node_label,
            cpu_millicores_per_replica=deployment.cpu_millicores_per_replica,
            memory_gib_per_replica=deployment.memory_gib_per_replica,
            extra_server_args=deployment.extra_server_args,
            api_key=self.api_key,
            priority_class_name=ASSISTANT_PRIORITY_CLASS,
            allowed_clients=tuple(clients),
            autoscaling=None
            if self.metrics is None
            else QueueDepthScaling(
                self.metrics,
                waiting_requests_per_replica=deployment.waiting_requests_per_replica,
                kv_cache_usage_percent=deployment.kv_cache_usage_percent,
            ),
            scaled_object_depends_on=self.scaled_object_depends_on,
            service_account_annotations=self.workload_identity_annotations,
            workload_identity_pod_labels=self.workload_identity_pod_labels,
        )

    def chat_args(
        self,
        namespace: pulumi.Input[str],
        endpoints: tuple[ServiceEndpoint, ...],
        storage_class: pulumi.Input[str] | None = None,
    ) -> ChatFrontendArgs:
        chat = self.chat
        if chat is None:
            raise ValueError("no chat settings")
        first = self.deployments[0]
        return ChatFrontendArgs(
            namespace=namespace,
            country_code=self.country_code,
            registry_prefix=self.registry_prefix,
            image=chat.image,
            inference=endpoints,
            default_model=first.model.served_model_name,
            default_locale=first.localization.default_locale,
            oidc_issuer_url=chat.oidc_issuer_url,
            oidc_client_id=chat.oidc_client_id,
            oidc_client_secret=chat.oidc_client_secret,
            session_secret=chat.session_secret,
            storage_class_name=self.storage_class_name if storage_class is None else storage_class,
            display_name=chat.display_name,
            oidc_provider_name=chat.oidc_provider_name,
            identity_provider_egress_cidrs=chat.identity_provider_egress_cidrs,
            identity_provider_in_cluster=chat.identity_provider_in_cluster,
            identity_provider_ports=chat.identity_provider_ports,
            roles_claim=chat.roles_claim,
            admin_roles=chat.admin_roles,
            exposure=chat.exposure,
            data_volume_gib=chat.data_volume_gib,
            protect_stateful=self.protect_stateful,
            model_api_key=self.api_key,
            priority_class_name=ASSISTANT_PRIORITY_CLASS,
            ai_notice=chat.ai_notice,
        )

    def tenant_args(self, tenant: TenantSpec) -> TenantNamespaceArgs:
        return TenantNamespaceArgs(
            tenant_name=tenant.name,
            group_name=tenant.group_name,
            country_code=self.country_code,
            environment=self.environment,
            gpu_quota=tenant.gpu_quota,
            cpu_cores=tenant.cpu_cores,
            memory_gib=tenant.memory_gib,
            storage_gib=tenant.storage_gib,
            max_pods=tenant.max_pods,
            ephemeral_storage_gib=tenant.ephemeral_storage_gib,
            priority_class_name=TENANT_PRIORITY_CLASS,
            denied_storage_classes=self.denied_storage_classes,
            protect_stateful=self.protect_stateful,
        )


class AssistantPlatform(pulumi.ComponentResource):
    namespace_name: pulumi.Output[str]
    base_urls: dict[str, pulumi.Output[str]]
    """OpenAI-compatible URL inside the cluster of each deployment, by deployment name."""
    chat_url: pulumi.Output[str] | None
    """The front end's URL, or None without a front end."""
    tenant_namespaces: dict[str, pulumi.Output[str]]
    """Namespace of each tenant, by tenant name."""

    def __init__(self, name: str, args: AssistantPlatformArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("sovereign:kubernetes:AssistantPlatform", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # The class's name as an Output, so that claims are only declared once their class exists.
        storage_class: pulumi.Input[str] = args.storage_class_name
        if isinstance(args.storage_class, EncryptedStorageClassArgs):
            storage_class = EncryptedStorageClass(
                f"{name}-storage", args.storage_class, opts=child
            ).storage_class_name
        # Pods naming a class that does not exist yet are refused at admission: everything waits for them.
        classes = PriorityClasses(f"{name}-priority", opts=child)
        ImagePolicyGuard(f"{name}-image-policy", opts=child)
        after = pulumi.ResourceOptions(parent=self, depends_on=[classes])
        namespace = RestrictedNamespace(
            f"{name}-namespace",
            RestrictedNamespaceArgs(
                namespace_name=args.namespace_name,
                country_code=args.country_code,
                environment=args.environment,
                purpose="assistant",
                protect_stateful=args.protect_stateful,
            ),
            opts=child,
        )
        self.namespace_name = namespace.namespace_name
        self.base_urls = {
            deployment.name: InferenceService(
                f"{name}-{deployment.name}",
                args.inference_args(deployment, self.namespace_name),
                opts=after,
            ).base_url
            for deployment in args.deployments
        }
        endpoints = args.endpoints(self.namespace_name)
        self.chat_url = None
        if args.chat is not None:
            self.chat_url = ChatFrontend(
                f"{name}-chat", args.chat_args(self.namespace_name, endpoints, storage_class), opts=after
            ).url
        self.tenant_namespaces = {
            tenant.name: TenantNamespace(
                f"{name}-tenant-{tenant.name}", args.tenant_args(tenant), opts=after
            ).namespace_name
            for tenant in args.tenants
        }
        outputs: dict[str, object] = {
            "namespace_name": self.namespace_name,
            "base_urls": self.base_urls,
            "tenant_namespaces": self.tenant_namespaces,
        }
        if self.chat_url is not None:
            outputs["chat_url"] = self.chat_url
        self.register_outputs(outputs)
