"""The cloud-neutral part of the file-facing country config, shared by every cloud's country model.

Pure data (STYLE rule 5): frozen pydantic models, ``extra="forbid"``, closed sets as enums or literals, never a
Pulumi ``Output``. Field descriptions are the user documentation (the README's config reference and the JSON
Schema are generated from them). A cloud's own country model (``sovereign.clouds.<cloud>.settings``) derives
from :class:`_CountryBase`, fills in its group, pool, subnet and store types and adds its own section.
Non-goals: no secrets (they come from stack config), no knowledge of Pulumi resources, no cloud-only settings.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from sovereign.config.deployment import DeploymentConfig
from sovereign.config.identity import person_in_group_field
from sovereign.config.limits import MAX_REPLICAS, MAX_ROTATION_DAYS
from sovereign.types import (
    Bcp47Tag,
    Cidr,
    Cloud,
    ConfidentialTier,
    CountryCode,
    Environment,
    GiB,
    ImageRef,
    ModelTier,
    Redundancy,
    Sha256Digest,
    StorePurpose,
)

__all__ = [
    "LEAST_BYTES_PER_PARAMETER",
    "AccessConfig",
    "AssistantConfig",
    "AssistantDeployment",
    "AuditLoggingConfig",
    "ChatFrontEnd",
    "ClusterConfig",
    "Email",
    "GpuPool",
    "Group",
    "IdentityProviderInCluster",
    "InternalExposure",
    "KeyCustodyConfig",
    "ModelAssessment",
    "ModelRecord",
    "ModelRegister",
    "Name",
    "NetworkConfig",
    "PublicExposure",
    "RegionsConfig",
    "RegistryConfig",
    "StorageConfig",
    "Store",
    "SubnetsConfig",
    "SystemPool",
    "Tags",
    "Tenant",
    "Uuid",
    "WeightsDtype",
]

Name = Annotated[str, StringConstraints(pattern=r"^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$")]
"""A DNS-label-like name: lower case letters, digits and hyphens, 1-32 characters, starting with a letter."""

Uuid = Annotated[
    str, StringConstraints(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")]
_DNS_LABEL = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"
_HOSTNAME = r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


class RegionsConfig(_Model):
    primary: str = Field(
        description="Cloud region that hosts the platform, e.g. 'germanywestcentral' or 'eu-paris-1'."
    )
    secondary: str | None = Field(
        default=None,
        description="Optional second in-country region (disaster recovery), different from the primary; the "
        "stack allows resources there. Omitted: everything stays in the primary region (geo-redundant Azure "
        "stores still replicate to the primary's in-country pair).",
    )


class SubnetsConfig(_Model):
    nodes: Cidr = Field(description="Subnet for cluster nodes (worker VMs).")
    api_server: Cidr = Field(
        description="Subnet for the Kubernetes API endpoint, which is always private (/28 or larger)."
    )
    internal_load_balancers: Cidr = Field(description="Subnet for internal (private) load balancers.")


S = TypeVar("S", bound=SubnetsConfig)


class NetworkConfig(_Model, Generic[S]):
    address_space: list[Cidr] = Field(
        min_length=1,
        max_length=1,
        description="Address space of the virtual network / VCN: one private range that holds every subnet.",
    )
    subnets: S = Field(description="Subnets inside the address space.")
    service_cidr: Cidr = Field(
        description="Address range for Kubernetes services (must not overlap anything; /28 or larger)."
    )


class SystemPool(_Model):
    vm_size: str = Field(
        description="Machine size of the system pool, from the catalogue (e.g. 'Standard_D8ds_v5')."
    )
    node_count_min: int = Field(
        default=3, ge=1, le=100, description="Fewest system nodes (default 3, one per zone)."
    )
    node_count_max: int = Field(default=5, ge=1, le=100, description="Most system nodes (default 5).")


class GpuPool(_Model):
    name: Name = Field(
        description="Pool name, unique in the cluster and not 'system' (Azure: 1-12 lower-case letters and "
        "digits; OCI: at most 30 characters). GPU nodes always carry the taint "
        "'nvidia.com/gpu=present:NoSchedule' and the label 'sovereign.ai/gpu=true'."
    )
    vm_size: str = Field(
        description="GPU machine size from the catalogue, e.g. 'Standard_NC40ads_H100_v5' or 'BM.GPU.H100.8'."
    )
    node_count_min: int = Field(
        default=0, ge=0, le=100, description="Lower bound of the pool (0 lets it scale to zero)."
    )
    node_count_max: int = Field(
        ge=1, le=100, description="Upper bound of the pool; GPU capacity checks use it."
    )

    @property
    def node_disk(self) -> tuple[str, int] | None:
        """(setting, GiB) of the node disk that holds the images the kubelet pulls; None where the cloud's
        settings do not size it. Validation checks it holds the weights (``sovereign.config.node_disks``)."""
        return None


SP = TypeVar("SP", bound=SystemPool)
GP = TypeVar("GP", bound=GpuPool)


class ClusterConfig(_Model, Generic[SP, GP]):
    kubernetes_version: str = Field(
        pattern=r"^1\.[0-9]{2}$", description="Kubernetes minor version, e.g. '1.34', supported by the cloud."
    )
    system_pool: SP = Field(description="The pool for system (critical add-on) pods, named 'system'.")
    gpu_pools: list[GP] = Field(
        min_length=1,
        description="GPU node pools serving the assistant and tenants; layered by 'name' (see Layering).",
    )
    confidential_tier: ConfidentialTier = Field(
        default=ConfidentialTier.NONE,
        description="'confidential_vm': system pool on confidential VMs; 'confidential_gpu': also every GPU pool "
        "on confidential GPUs (required for high/critical models).",
    )


class KeyCustodyConfig(_Model):
    rotation_days: int = Field(
        default=90,
        ge=7,
        le=MAX_ROTATION_DAYS,
        description=f"Automatic rotation period of the customer-managed keys, at most {MAX_ROTATION_DAYS} days "
        "(OCI: at least 60).",
    )


class Store(_Model):
    name: Name = Field(description="Store name, unique in the country.")
    purpose: StorePurpose = Field(
        description="What the store holds: model_weights, datasets, audit_logs or backups."
    )
    redundancy: Redundancy = Field(
        default=Redundancy.ZONE,
        description="'zone' (default) and 'local' stay in the region; 'geo'/'geo_zone' replicate to the paired "
        "region and are allowed only where that pair lies in the same country (never on OCI).",
    )
    enable_versioning: bool | None = Field(
        default=None,
        description="Keep previous object versions. Omitted: on, except OCI audit-log stores, where it is off "
        "(OCI refuses retention rules on versioned buckets). Azure audit-log stores need it on (version-level "
        "immutability); OCI audit-log stores need it off.",
    )
    retention_days: int | None = Field(
        default=None,
        ge=1,
        le=36500,
        description="Audit-log stores (required, at least 365): days objects are kept under the time-based "
        "retention (WORM) that every audit-log store has and no other store has. Other Azure stores: "
        "soft-delete days (1-365; omitted: 30). Other OCI stores: omitted.",
    )


ST = TypeVar("ST", bound=Store)


class StorageConfig(_Model, Generic[ST]):
    stores: list[ST] = Field(
        min_length=1, description="Named stores, each with a purpose; layered by 'name' (see Layering)."
    )


class RegistryConfig(_Model):
    name: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]{5,50}$")] = Field(
        description="Azure: the container registry name (login server '<name>.azurecr.io'). OCI: the repository "
        "prefix under the tenancy namespace."
    )


class Group(_Model):
    name: str = Field(min_length=3, max_length=100, description="Group display name.")

    @field_validator("name", mode="before")
    @classmethod
    def _not_a_person(cls, value: Any) -> Any:
        # Before the cloud's own name pattern (OCI's refuses '@' too, without saying why), on every group field.
        person = person_in_group_field(value) if isinstance(value, str) else None
        if person is not None:
            raise ValueError(f"{person} — create a group, put the person in it, and name the group here")
        return value


G = TypeVar("G", bound=Group)


class AccessConfig(_Model, Generic[G]):
    admin_groups: list[G] = Field(min_length=1, description="Groups with cluster and platform admin rights.")
    break_glass_groups: list[G] = Field(
        min_length=1, description="Emergency-access groups; membership is empty in normal operation."
    )
    operator_access_approvers: list[Email] = Field(
        min_length=2, description="People who approve operator (just-in-time) access; at least two distinct."
    )


class AuditLoggingConfig(_Model):
    retention_days: int = Field(
        default=365,
        ge=30,
        le=4383,
        description="Log retention in the primary region's log service; at least 365 days (Azure workspaces: at "
        "most 730; OCI Logging keeps 180 and the locked audit-log store the rest).",
    )


class PublicExposure(_Model):
    hostname: Annotated[str, StringConstraints(pattern=_HOSTNAME, max_length=253)] = Field(
        description="Public host name of the chat front end."
    )
    ingress_class_name: str = Field(
        min_length=1, description="Ingress class of the cluster's ingress controller."
    )
    ingress_controller_namespace: Annotated[str, StringConstraints(pattern=_DNS_LABEL)] = Field(
        description="Namespace of that controller (a DNS label)."
    )
    tls_secret_name: str = Field(
        min_length=1, description="TLS certificate secret (public exposure is TLS only)."
    )
    justification: str = Field(
        min_length=20, description="Why citizens must reach it from the internet (at least 20 characters)."
    )


class InternalExposure(_Model):
    hostname: Annotated[str, StringConstraints(pattern=_HOSTNAME, max_length=253)] = Field(
        description="Private DNS name citizens open inside the government network (resolving to the internal "
        "ingress controller's private load balancer)."
    )
    ingress_class_name: str = Field(
        min_length=1,
        description="Ingress class of an internal ingress controller (private load balancer only).",
    )
    ingress_controller_namespace: Annotated[str, StringConstraints(pattern=_DNS_LABEL)] = Field(
        description="Namespace of that controller (a DNS label); the only source the chat admits."
    )
    tls_secret_name: Annotated[str, StringConstraints(pattern=_DNS_LABEL)] | None = Field(
        default=None,
        description="TLS certificate secret for 'hostname' in the assistant namespace. Omitted: plain HTTP inside "
        "the private network, and session cookies are not marked Secure.",
    )


class IdentityProviderInCluster(_Model):
    namespace: Annotated[str, StringConstraints(pattern=_DNS_LABEL)] = Field(
        description="Namespace of the pods that answer on the issuer's address (the identity provider, or the "
        "ingress controller in front of it)."
    )
    pod_labels: dict[str, str] = Field(
        default={}, description="Labels of those pods. Omitted: every pod of the namespace."
    )
    ports: list[Annotated[int, Field(ge=1, le=65535)]] = Field(
        default=[443],
        min_length=1,
        description="TCP ports of those pods (after the Service's targetPort, e.g. 8443 for Keycloak).",
    )


_ROLE = Annotated[str, StringConstraints(pattern=r"^[^,\s]{1,128}$")]


class AiNotice(_Model):
    notice_url: Annotated[str, StringConstraints(pattern=r"^https://[^\s/?#]+(/[^\s<>()\[\]]*)?$")] = Field(
        description="The country's public notice page about the assistant (https): what the system is, who runs "
        "it, what happens to conversations, whom to ask. Linked from the notice in every language."
    )
    texts: dict[Bcp47Tag, Annotated[str, StringConstraints(min_length=20, max_length=500)]] = Field(
        min_length=1,
        description="What the chat shows every signed-in user at the top of the conversation, that they are "
        "talking to an AI system, per language (BCP-47, 'de' or 'de-DE'): one for each language of the "
        "assistant's deployments. Open WebUI shows the text of the user's interface language (then of its base "
        "language), else the default locale's. Plain text: the stack appends the notice link.",
    )


class ChatFrontEnd(_Model):
    image: ImageRef = Field(
        description="Chat UI image (e.g. Open WebUI) from the country's registry, by digest."
    )
    oidc_issuer_url: Annotated[str, StringConstraints(pattern=r"^https://[^\s/?#]+(/[^\s?#]*)?$")] = Field(
        description="OIDC issuer of the country's identity provider for citizen login (https, no query)."
    )
    oidc_client_id: Annotated[str, StringConstraints(pattern=r"\S")] = Field(
        description="OIDC client id (the secret comes from stack config)."
    )
    identity_provider_cidrs: list[Cidr] = Field(
        default=[],
        description="Address ranges of the identity provider the front end calls on TCP 443 (discovery, token, "
        "userinfo, keys; its only egress besides the assistant), each /16 or narrower. Omitted: "
        "'identity_provider_in_cluster' must say which pods serve the issuer.",
    )
    public_exposure: PublicExposure | None = Field(
        default=None,
        description="Omitted (default): reachable only inside the network. Set: exposed publicly through the "
        "ingress controller, TLS only, with a written justification.",
    )
    internal_exposure: InternalExposure | None = Field(
        default=None,
        description="How citizens reach the chat inside the government network: an Ingress on an internal "
        "ingress controller. Required in prod unless 'public_exposure' is set (never both). Omitted outside "
        "prod: no Ingress, reachable by port-forward only.",
    )
    identity_provider_in_cluster: IdentityProviderInCluster | None = Field(
        default=None,
        description="The identity provider's pods, when the issuer's address is served inside the cluster; the "
        "front end's egress admits them. Without it 'identity_provider_cidrs' must list the provider's ranges: "
        "sign-in calls the issuer from the server (discovery, token, userinfo, keys).",
    )
    identity_provider_country: CountryCode | None = Field(
        default=None,
        description="ISO 3166-1 alpha-2 code of the country where the identity provider runs and keeps its "
        "users, sign-in records and keys. Required with 'identity_provider_cidrs' (address ranges say nothing "
        "of a country); omitted with 'identity_provider_in_cluster': the cluster's country. Another country is "
        "refused (invariant data_stays_in_country).",
    )
    roles_claim: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_:/.-]{1,128}$")] = Field(
        default="roles",
        description="ID-token/userinfo claim holding the person's roles (dots for nested claims, e.g. "
        "'realm_access.roles'); Open WebUI's administrators are decided from it at every login.",
    )
    admin_roles: list[_ROLE] = Field(
        default=["assistant-admin"],
        min_length=1,
        description="Roles in 'roles_claim' that make a person an Open WebUI administrator; everyone else is a "
        "user. Nobody becomes administrator by logging in first.",
    )
    ai_notice: AiNotice | None = Field(
        default=None,
        description="The notice that citizens are talking to an AI system (EU AI Act Art. 50(1)), shown as a "
        "banner they cannot dismiss, in the country's languages, linking the notice page. Required in prod.",
    )


class AssistantDeployment(_Model):
    name: Name = Field(description="Deployment name, unique in the country; names the Kubernetes objects.")
    model: str = Field(description="Model id from country_configs/models.yaml (the risk register).")
    image: ImageRef = Field(description="Serving image (vLLM) in the country's registry, pinned by digest.")
    weights: ImageRef = Field(
        description="Model weights artifact in the country's registry, pinned by the digest the register approved."
    )
    gpus_per_replica: Literal[1, 2, 4, 8] = Field(  # = limits.TENSOR_PARALLEL_SIZES (a test keeps them equal)
        description="GPUs per replica (= tensor parallel size, which must divide the model's attention heads): "
        "1, 2, 4 or 8."
    )
    replicas_min: int = Field(
        default=2,
        ge=1,
        le=MAX_REPLICAS,
        description="Fewest replicas the autoscaler keeps (and the disruption budget protects).",
    )
    replicas_max: int = Field(
        default=4,
        ge=1,
        le=MAX_REPLICAS,
        description="Most replicas the autoscaler may run; GPU capacity checks use it.",
    )
    languages: list[Bcp47Tag] = Field(min_length=1, description="Languages the assistant serves (BCP-47).")
    locale: Bcp47Tag = Field(description="Default locale of answers and of the chat front end, e.g. 'de-DE'.")
    system_prompt: str = Field(
        min_length=20,
        max_length=8000,
        description="System prompt in the country's language(s); changing it rolls the pods.",
    )
    max_context_tokens: int = Field(
        default=32768,
        ge=1024,
        le=1_048_576,
        description="Context length served (at most the model's, from the register).",
    )
    server_args: list[str] = Field(
        default_factory=list,
        description="Extra vllm serve flags from the allow-list (see sovereign/rules/vllm_args.py), such as "
        "['--max-num-seqs', '64']; flags the toolkit sets and any other flag are refused.",
    )
    autoscale_waiting_requests: int = Field(
        default=4,
        ge=1,
        le=1000,
        description="Autoscaling target: requests queued per replica (vLLM's vllm:num_requests_waiting, summed "
        "over the replicas and divided by their count); above it KEDA adds replicas up to replicas_max.",
    )
    autoscale_kv_cache_percent: int | None = Field(
        default=85,
        ge=10,
        le=100,
        description="Autoscaling target: mean KV-cache use of the replicas in percent (vLLM's "
        "vllm:kv_cache_usage_perc); the larger of the two targets wins. null: scale on the queue only.",
    )


class AssistantConfig(_Model):
    deployments: list[AssistantDeployment] = Field(
        min_length=1,
        description="Model servers of the national assistant (one per model); layered by 'name' (see Layering).",
    )
    chat: ChatFrontEnd = Field(description="The citizen-facing chat front end.")


class Tenant(_Model, Generic[G]):
    name: Name = Field(description="Tenant (startup) name; its namespace is 'tenant-<name>'.")
    group: G = Field(description="The tenant's group, bound to edit rights in its namespace only.")
    gpu_quota: int = Field(default=0, ge=0, le=64, description="GPUs the tenant may request in total.")
    cpu_cores: int = Field(default=8, ge=1, le=512, description="CPU cores the tenant may request in total.")
    memory_gib: GiB = Field(default=32, description="Memory the tenant may request in total.")
    storage_gib: GiB = Field(default=100, description="Persistent storage the tenant may claim in total.")
    max_pods: int = Field(default=50, ge=1, le=1000, description="Most pods in the tenant's namespace.")
    ephemeral_storage_gib: int = Field(
        default=50,
        ge=1,
        le=4096,
        description="Node-local scratch space (container layers, logs, emptyDirs) the tenant's containers may "
        "request and use in total; containers that declare none get 1 GiB each.",
    )

    @model_validator(mode="before")
    @classmethod
    def _no_direct_model_access(cls, data: Any) -> Any:
        # Removed setting with its own answer (an unknown-setting error would not say where the access went).
        if isinstance(data, dict) and "may_call_assistant" in data:
            raise ValueError(
                "'may_call_assistant' was removed: tenants never call the model servers directly (their "
                "NetworkPolicy admits the chat front end only, finding K15); tenants will reach the model through "
                "the tenant API gateway. Remove the setting"
            )
        return data


class Tags(_Model):
    owner: str = Field(min_length=2, description="Team that owns the platform.")
    cost_centre: str = Field(min_length=2, description="Cost centre billed for it.")
    data_classification: Literal["public", "internal", "confidential", "restricted"] = Field(
        description="Highest classification of data it holds."
    )


N = TypeVar("N", bound=NetworkConfig)
C = TypeVar("C", bound=ClusterConfig)
STG = TypeVar("STG", bound=StorageConfig)


class _CountryBase(_Model, Generic[N, C, STG, G]):
    """One country-environment, after layering defaults -> country file -> environment overrides.

    Each cloud's model fills in the network, cluster, storage and group types and adds its own section; the
    file-facing type is their union, discriminated by ``cloud`` (``sovereign.config.schema.CountryConfig``).
    """

    country: CountryCode = Field(description="ISO 3166-1 alpha-2 code; set from the file name.")
    environment: Environment = Field(description="Set from the 'environments' key being planned.")
    display_name: str = Field(min_length=2, description="Country name for reports.")
    cloud: Cloud = Field(description="Cloud that hosts the country: 'azure' (AKS) or 'oci' (OKE).")
    regions: RegionsConfig = Field(
        description="In-country regions; every region used anywhere must lie in the country."
    )
    network: N = Field(description="Private network of the platform; the API server is always private.")
    cluster: C = Field(description="The sovereign Kubernetes cluster.")
    key_custody: KeyCustodyConfig = Field(
        default_factory=KeyCustodyConfig,
        description="Customer-managed keys for every store, disk, secret and log: rotation. Omitted: 90 days.",
    )
    storage: STG = Field(description="Encrypted in-country stores.")
    registry: RegistryConfig = Field(
        description="The in-country container registry; images and weights come only from it."
    )
    access: AccessConfig[G] = Field(description="Personnel access, through groups only.")
    audit_logging: AuditLoggingConfig = Field(
        default_factory=AuditLoggingConfig,
        description="In-country audit log workspace in the primary region. Omitted: 365 days.",
    )
    assistant: AssistantConfig | None = Field(
        default=None,
        description="The national assistant. Omitted: the platform is built without it (for example until a model "
        "is assessed for the country).",
    )
    tenants: list[Tenant[G]] = Field(
        default=[],
        description="Local startups with their own GPU-quota namespaces; layered by 'name'. Omitted: none.",
    )
    tags: Tags = Field(description="Tags applied to every cloud resource.")
    deployment: DeploymentConfig = Field(
        description="Where the stack's Pulumi state is kept and which key encrypts its stack secrets; both in the "
        "country (sovereign.config.deployment)."
    )

    @property
    def stack_name(self) -> str:
        return f"{self.country}-{self.environment.value}"


# --- The model risk register (country_configs/models.yaml) ---------------------------------------------------

WeightsDtype = Literal["bf16", "fp8", "mxfp4"]
"""Precision of a register artifact's weights (``ModelRecord.weights_dtype``)."""

LEAST_BYTES_PER_PARAMETER: dict[str, float] = {"bf16": 2, "fp8": 1, "mxfp4": 4.25 / 8}
"""Bytes per parameter of each weights dtype; for mxfp4 a lower bound. MXFP4 (OCP Microscaling Formats v1.0)
stores 32-value blocks of 4-bit E2M1 values with one shared 8-bit E8M0 scale: 4 + 8/32 = 4.25 bits per value
(block size 32: ``MXFP4_BLOCK_SIZE = 32`` in vLLM 0.33.0 ``vllm/_xpu_ops.py``; gpt-oss stores the FP4 values two
per uint8 in ``tensor.blocks`` and the block scales in ``tensor.scales``, openai/gpt-oss README.md at commit
7b583341). Only the MoE expert weights are MXFP4 and every other tensor is BF16, so a real mxfp4 artifact takes
more: gpt-oss-120b 60.8 GiB for 116.8B parameters (0.56 bytes each)."""


class ModelAssessment(_Model):
    assessed_on: dt.date = Field(description="Date the risk assessment was signed.")
    expires_on: dt.date = Field(
        description="Last date the assessment is valid; deployments are refused after it."
    )
    approvers: list[Email] = Field(min_length=2, description="Who signed the assessment; at least two.")
    report: str | None = Field(default=None, description="Where the assessment report is kept.")


class ModelRecord(_Model):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.-]{1,62}$")] = Field(
        description="Model id referenced by country files."
    )
    display_name: str = Field(description="Human-readable model name for reports.")
    weights_digest: Sha256Digest = Field(description="Digest of the approved weights artifact.")
    served_model_name: str = Field(
        min_length=1, description="Name clients use in OpenAI-compatible requests."
    )
    capability_tier: ModelTier = Field(
        description="Risk tier: low, medium, high, critical (high and critical need confidential GPUs)."
    )
    assessment: ModelAssessment = Field(description="The risk assessment record.")
    approved_countries: list[CountryCode] = Field(
        min_length=1, description="Countries the assessment covers."
    )
    max_context_tokens: int = Field(ge=1024, le=1_048_576, description="Longest context the model supports.")
    chat_template: str | None = Field(default=None, description="Chat template file in the serving image.")
    system_prompt_placement: Literal["system", "first_user"] = Field(
        default="system",
        description="Where the country's prompt goes: 'system' (a system message), or 'first_user' (before the "
        "first user turn) for chat templates that drop or replace system content (LLM-jp-3).",
    )
    reasoning_parser: Literal["deepseek_r1", "qwen3", "mistral", "openai_gptoss"] | None = Field(
        default=None,
        description="vLLM --reasoning-parser (0.33.0 names, vllm/reasoning/__init__.py) for a model that emits "
        "reasoning: <think> blocks, or gpt-oss's harmony 'analysis' channel ('openai_gptoss').",
    )
    chat_format: Literal["chat_template", "harmony"] = Field(
        default="chat_template",
        description="How vLLM renders a chat request: 'chat_template' (the template the toolkit serves, with the "
        "country's prompt in front), or 'harmony' (gpt-oss: vLLM 0.33.0 renders it with openai-harmony and ignores "
        "--chat-template, so the country's prompt cannot be put in front; deployments of it are refused). "
        "Omitted: chat_template.",
    )
    parameters_billion: float = Field(gt=0, le=2000, description="Parameters of the artifact, in billions.")
    weights_dtype: WeightsDtype = Field(
        description="Precision of the artifact's weights: 'bf16' (2 bytes per parameter), 'fp8' (1), or 'mxfp4' "
        "(the MoE expert weights in 4-bit MXFP4 blocks, the rest in BF16, as gpt-oss ships: GPU memory is then "
        "weights_size_gib). The display name says '(FP8)' exactly when it is fp8 and '(MXFP4)' exactly when it "
        "is mxfp4."
    )
    kv_cache_bytes_per_token: int = Field(
        gt=0,
        description="KV cache per token at 16-bit: 2 x layers x KV heads x head dim x 2 bytes (config.json); "
        "sliding-window layers are counted as full layers (an upper bound).",
    )
    weights_size_gib: int = Field(
        ge=1,
        le=4096,
        description="Size of the weights image in GiB (the sum of its layer sizes in the registry manifest, "
        "rounded up). GPU node disks must hold it twice (containerd keeps the pulled layers and the unpacked "
        "snapshot); validation checks every GPU pool's disk against it.",
    )

    @model_validator(mode="after")
    def _weights_size_holds_the_parameters(self) -> ModelRecord:
        # A size below the parameters' own bytes is a typo, and would let an undersized node disk pass.
        least = math.floor(
            self.parameters_billion * LEAST_BYTES_PER_PARAMETER[self.weights_dtype] * 1e9 / 2**30 * 0.95
        )
        if self.weights_size_gib < least:
            raise ValueError(
                f"weights_size_gib {self.weights_size_gib} is below what {self.parameters_billion}B "
                f"{self.weights_dtype} parameters take (at least {least} GiB): give the weights image's size "
                "from its registry manifest"
            )
        return self

    @model_validator(mode="after")
    def _display_name_says_precision(self) -> ModelRecord:
        for dtype, mark in (("fp8", "(FP8)"), ("mxfp4", "(MXFP4)")):
            if (mark in self.display_name) != (self.weights_dtype == dtype):
                raise ValueError(
                    f"display_name '{self.display_name}' and weights_dtype '{self.weights_dtype}' disagree: "
                    f"an {dtype.upper()} artifact's display name ends in '{mark}', and only an "
                    f"{dtype.upper()} artifact's does"
                )
        return self

    @property
    def weights_gpu_gib(self) -> float:
        """GiB the weights take in GPU memory: parameters x bytes per parameter for bf16 and fp8; for mxfp4 the
        artifact's own size, since its 4-bit expert weights and BF16 other tensors have no single byte count
        (gpt-oss: 4.25 bits per MoE weight, 'All other tensors will be in BF16', openai/gpt-oss README.md)."""
        if self.weights_dtype == "mxfp4":
            return float(self.weights_size_gib)
        return self.parameters_billion * 1e9 * LEAST_BYTES_PER_PARAMETER[self.weights_dtype] / 2**30


class ModelRegister(_Model):
    models: list[ModelRecord] = Field(description="Every assessed model.")

    def find(self, model_id: str) -> ModelRecord | None:
        return next((m for m in self.models if m.id == model_id), None)
