"""The file-facing country config: what a platform team writes in ``country_configs/<cc>.yaml``.

Pure data (STYLE rule 5): frozen pydantic models, ``extra="forbid"``, closed sets as enums, never a Pulumi
``Output``. Field descriptions are the user documentation (the README's config reference and the JSON Schema
are generated from them). Per-field rules live here; cross-field sovereignty invariants live in
``sovereign.config.invariants`` so each one is a small named function reporting its own path.
Non-goals: no secrets (they come from stack config), no knowledge of Pulumi resources.
"""

from __future__ import annotations

import datetime as dt
from ipaddress import IPv4Address
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from sovereign.types import (
    Bcp47Tag,
    Cidr,
    Cloud,
    ConfidentialTier,
    CountryCode,
    EgressMode,
    Environment,
    GiB,
    ImageRef,
    KeyCustodyTier,
    ModelTier,
    Redundancy,
    Sha256Digest,
    StorePurpose,
)

__all__ = [
    "AccessConfig",
    "AccessGroup",
    "AssistantConfig",
    "AssistantDeployment",
    "AuditLoggingConfig",
    "ChatFrontEnd",
    "ClusterConfig",
    "CountryConfig",
    "EgressDestination",
    "EgressPolicy",
    "GpuPool",
    "KeyCustodyConfig",
    "ModelAssessment",
    "ModelRecord",
    "ModelRegister",
    "NetworkConfig",
    "OciSettings",
    "PublicExposure",
    "RegionsConfig",
    "RegistryConfig",
    "StorageConfig",
    "Store",
    "SubnetsConfig",
    "SystemPool",
    "Tags",
    "Tenant",
]

Name = Annotated[str, StringConstraints(pattern=r"^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$")]
"""A DNS-label-like name: lower case letters, digits and hyphens, 1-32 characters, starting with a letter."""

Uuid = Annotated[
    str, StringConstraints(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


class RegionsConfig(_Model):
    primary: str = Field(
        description="Cloud region that hosts the platform, e.g. 'germanywestcentral' or 'eu-paris-1'."
    )
    secondary: str | None = Field(
        default=None,
        description="Optional second in-country region (disaster recovery, geo-redundant storage target). "
        "Omitted: everything stays in the primary region.",
    )


class OciSettings(_Model):
    realm: Literal["oc1", "oc19"] = Field(
        default="oc1",
        description="OCI realm of the tenancy: 'oc1' commercial, 'oc19' EU Sovereign Cloud. Every region must "
        "belong to it.",
    )
    tenancy_id: str = Field(
        pattern=r"^ocid1\.tenancy\.[a-z0-9]+\.[a-z0-9-]*\.[a-z0-9]+$",
        description="OCID of the tenancy (quota fences and dynamic groups are tenancy-level).",
    )
    parent_compartment_id: str | None = Field(
        default=None,
        pattern=r"^ocid1\.compartment\.[a-z0-9]+\.[a-z0-9-]*\.[a-z0-9]+$",
        description="OCID of the compartment under which the country's compartment is created. Omitted: the "
        "tenancy root.",
    )
    parent_compartment_path: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)*$",
        description="Colon path of that parent compartment as quota statements name it ('platform:ai'). "
        "Required with parent_compartment_id.",
    )
    home_region: str | None = Field(
        default=None,
        description="The tenancy's home region, where OCI writes IAM policies and quotas. Omitted: the primary "
        "region. It holds identity data, so it must lie in the country too.",
    )
    tenancy_namespace: str = Field(
        pattern=r"^[a-z0-9]{4,32}$",
        description="Object Storage namespace of the tenancy; images are pulled from "
        "'<region key>.ocir.io/<namespace>/...'.",
    )


class SubnetsConfig(_Model):
    nodes: Cidr = Field(description="Subnet for cluster nodes (worker VMs).")
    api_server: Cidr = Field(description="Subnet for the private Kubernetes API endpoint.")
    private_endpoints: Cidr = Field(
        description="Subnet for private endpoints of the vault, storage and registry."
    )
    internal_load_balancers: Cidr = Field(description="Subnet for internal (private) load balancers.")
    pods: Cidr | None = Field(
        default=None,
        description="Subnet for pods on VCN-native pod networking (OCI). Omitted on Azure, where pods use the "
        "overlay 'pod_cidr'.",
    )


class EgressDestination(_Model):
    fqdn: Annotated[str, StringConstraints(pattern=r"^(\*\.)?([a-z0-9-]+\.)+[a-z]{2,}$")] = Field(
        description="Destination host name (a leading '*.' allows its subdomains)."
    )
    ports: list[Annotated[int, Field(ge=1, le=65535)]] = Field(
        default=[443], min_length=1, description="TCP ports allowed to the destination."
    )
    justification: str = Field(min_length=10, description="Why the cluster needs to reach this destination.")


class EgressPolicy(_Model):
    mode: EgressMode = Field(
        default=EgressMode.NONE,
        description="'none': no outbound internet at all (private registry and in-region service endpoints "
        "only). 'allow_list': outbound only to 'allowed_destinations' through the egress firewall/NAT. "
        "Open egress cannot be expressed.",
    )
    allowed_destinations: list[EgressDestination] = Field(
        default=[],
        description="Destinations reachable with mode 'allow_list'; must be empty with mode 'none'.",
    )
    firewall_ip: IPv4Address | None = Field(
        default=None,
        description="Azure 'allow_list': private IP of the country's egress firewall, which enforces "
        "'allowed_destinations' (all outbound traffic is routed to it). Omitted with mode 'none'.",
    )


class NetworkConfig(_Model):
    address_space: list[Cidr] = Field(
        min_length=1, description="Address space(s) of the virtual network / VCN."
    )
    subnets: SubnetsConfig = Field(description="Subnets inside the address space.")
    pod_cidr: Cidr = Field(description="Overlay address range for pods (must not overlap the address space).")
    service_cidr: Cidr = Field(
        description="Address range for Kubernetes services (must not overlap anything)."
    )
    api_server_private: Literal[True] = Field(
        default=True,
        description="The Kubernetes API server is reachable only inside the network. Always true: a public API "
        "server cannot be configured.",
    )
    egress: EgressPolicy = Field(
        default_factory=EgressPolicy, description="Outbound posture; none by default."
    )


class SystemPool(_Model):
    vm_size: str = Field(
        description="Machine size of the system pool, from the catalogue (e.g. 'Standard_D8ds_v5')."
    )
    node_count_min: int = Field(
        default=3, ge=1, le=100, description="Fewest system nodes (default 3, one per zone)."
    )
    node_count_max: int = Field(default=5, ge=1, le=100, description="Most system nodes (default 5).")
    ocpus: int | None = Field(
        default=None, ge=1, le=64, description="OCI flexible shapes only: OCPUs per node (default 4)."
    )
    memory_gib: GiB | None = Field(
        default=None, description="OCI flexible shapes only: memory per node (default 64)."
    )


class GpuPool(_Model):
    name: Name = Field(
        description="Pool name, unique in the cluster (Azure allows 12 characters, letters/digits)."
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
    enable_autoscaling: bool = Field(
        default=True, description="Scale between the bounds; off: fixed at the max."
    )
    taints: list[str] = Field(
        default=["nvidia.com/gpu=present:NoSchedule"],
        description="Node taints 'key=value:Effect'. The GPU taint keeps non-GPU workloads off these nodes.",
    )


class ClusterConfig(_Model):
    kubernetes_version: str = Field(
        pattern=r"^1\.[0-9]{2}$", description="Kubernetes minor version, e.g. '1.34', supported by the cloud."
    )
    system_pool: SystemPool = Field(description="The pool for system (critical add-on) pods.")
    gpu_pools: list[GpuPool] = Field(
        min_length=1, description="GPU node pools serving the assistant and tenants."
    )
    confidential_tier: ConfidentialTier = Field(
        default=ConfidentialTier.NONE,
        description="'confidential_vm': system pool on confidential VMs; 'confidential_gpu': also every GPU pool "
        "on confidential GPUs (required for high/critical models).",
    )


class KeyCustodyConfig(_Model):
    tier: KeyCustodyTier = Field(
        description="Azure: 'key_vault_premium' (HSM-backed keys) or 'managed_hsm'. OCI: "
        "'virtual_private_vault' (isolated HSM partition) or 'default_vault'."
    )
    key_type: Literal["RSA-HSM", "AES"] = Field(
        description="'RSA-HSM' on Azure (keys never leave the HSM); 'AES' on OCI (HSM protection mode)."
    )
    key_size_bits: Literal[256, 2048, 3072, 4096] = Field(description="RSA: 2048/3072/4096; AES: 256.")
    rotation_days: int = Field(
        default=90, ge=7, le=730, description="Automatic key rotation period, at most 365."
    )


class Store(_Model):
    name: Name = Field(description="Store name, unique in the country.")
    purpose: StorePurpose = Field(
        description="What the store holds: model_weights, datasets, audit_logs or backups."
    )
    redundancy: Redundancy = Field(
        default=Redundancy.ZONE,
        description="'zone' (default) and 'local' stay in the region; 'geo'/'geo_zone' replicate to the paired "
        "region and are allowed only where that pair lies in the same country.",
    )
    enable_versioning: bool = Field(default=True, description="Keep previous object versions (default true).")
    retention_days: int | None = Field(
        default=None,
        ge=1,
        le=36500,
        description="Days objects are kept (soft delete / retention). Required for 'audit_logs' stores.",
    )
    immutable: bool = Field(
        default=False,
        description="Locked time-based retention (WORM). Required true for 'audit_logs' stores.",
    )
    retention_lock_date: dt.date | None = Field(
        default=None,
        description="OCI audit-log stores: the date the retention rule locks (must be at least 14 days after the "
        "rule is first created; after it, nobody can shorten retention). Omitted on Azure.",
    )


class StorageConfig(_Model):
    stores: list[Store] = Field(min_length=1, description="Named stores, each with a purpose.")


class RegistryConfig(_Model):
    name: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]{5,50}$")] = Field(
        description="Azure: the container registry name (login server '<name>.azurecr.io'). OCI: the repository "
        "prefix under the tenancy namespace."
    )


class AccessGroup(_Model):
    name: str = Field(min_length=3, max_length=100, description="Group display name.")
    object_id: Uuid | None = Field(
        default=None, description="Azure: the Entra ID group object id (required on Azure). OCI: omitted."
    )


class AccessConfig(_Model):
    admin_groups: list[AccessGroup] = Field(
        min_length=1, description="Groups with cluster and platform admin rights."
    )
    break_glass_groups: list[AccessGroup] = Field(
        min_length=1, description="Emergency-access groups; membership is empty in normal operation."
    )
    operator_access_approvers: list[Email] = Field(
        min_length=2, description="People who approve operator (just-in-time) access; at least two distinct."
    )


class AuditLoggingConfig(_Model):
    region: str | None = Field(
        default=None, description="Region of the log workspace. Omitted: the primary region."
    )
    retention_days: int = Field(
        default=365,
        ge=30,
        le=4383,
        description="Log retention; at least 365 days (Azure workspaces: at most 730).",
    )
    platform_key_justification: str | None = Field(
        default=None,
        description="Azure only, explicit opt-out: a written reason (at least 40 characters) to encrypt the log "
        "workspace with platform keys, because customer keys for Log Analytics need a dedicated cluster with a "
        "100 GB/day commitment. Omitted (default): customer-managed key.",
    )


class PublicExposure(_Model):
    hostname: Annotated[str, StringConstraints(pattern=r"^([a-z0-9-]+\.)+[a-z]{2,}$")] = Field(
        description="Public host name of the chat front end."
    )
    ingress_class_name: str = Field(
        min_length=1, description="Ingress class of the cluster's ingress controller."
    )
    ingress_controller_namespace: str = Field(min_length=1, description="Namespace of that controller.")
    tls_secret_name: str = Field(
        min_length=1, description="TLS certificate secret (public exposure is TLS only)."
    )
    justification: str = Field(min_length=20, description="Why citizens must reach it from the internet.")


class ChatFrontEnd(_Model):
    image: ImageRef = Field(
        description="Chat UI image (e.g. Open WebUI) from the country's registry, by digest."
    )
    oidc_issuer_url: Annotated[str, StringConstraints(pattern=r"^https://\S+$")] = Field(
        description="OIDC issuer of the country's identity provider for citizen login."
    )
    oidc_client_id: str = Field(
        min_length=1, description="OIDC client id (the secret comes from stack config)."
    )
    identity_provider_cidrs: list[Cidr] = Field(
        default=[],
        description="Address ranges of the identity provider the front end may call (its only egress besides "
        "the assistant). Omitted: none, for an identity provider reached through the in-cluster DNS name.",
    )
    public_exposure: PublicExposure | None = Field(
        default=None,
        description="Omitted (default): reachable only inside the network. Set: exposed publicly through the "
        "ingress controller, TLS only, with a written justification.",
    )


class AssistantDeployment(_Model):
    name: Name = Field(description="Deployment name, unique in the country; names the Kubernetes objects.")
    model: str = Field(description="Model id from country_configs/models.yaml (the risk register).")
    image: ImageRef = Field(description="Serving image (vLLM) in the country's registry, pinned by digest.")
    weights: ImageRef = Field(
        description="Model weights artifact in the country's registry, pinned by the digest the register approved."
    )
    gpus_per_replica: int = Field(ge=1, le=8, description="GPUs per replica (= tensor parallel size).")
    replicas_min: int = Field(
        default=2,
        ge=1,
        le=100,
        description="Fewest replicas the autoscaler keeps (and the disruption budget protects).",
    )
    replicas_max: int = Field(
        default=4,
        ge=1,
        le=100,
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


class AssistantConfig(_Model):
    deployments: list[AssistantDeployment] = Field(
        min_length=1, description="Model servers of the national assistant (one per model)."
    )
    chat: ChatFrontEnd = Field(description="The citizen-facing chat front end.")


class Tenant(_Model):
    name: Name = Field(description="Tenant (startup) name; its namespace is 'tenant-<name>'.")
    group: AccessGroup = Field(description="The tenant's group, bound to edit rights in its namespace only.")
    gpu_quota: int = Field(default=0, ge=0, le=64, description="GPUs the tenant may request in total.")
    cpu_cores: int = Field(default=8, ge=1, le=512, description="CPU cores the tenant may request in total.")
    memory_gib: GiB = Field(default=32, description="Memory the tenant may request in total.")
    storage_gib: GiB = Field(default=100, description="Persistent storage the tenant may claim in total.")
    max_pods: int = Field(default=50, ge=1, le=1000, description="Most pods in the tenant's namespace.")
    may_call_assistant: bool = Field(
        default=True, description="Allow the tenant's namespace to call the assistant."
    )


class Tags(_Model):
    owner: str = Field(min_length=2, description="Team that owns the platform.")
    cost_centre: str = Field(min_length=2, description="Cost centre billed for it.")
    data_classification: Literal["public", "internal", "confidential", "restricted"] = Field(
        description="Highest classification of data it holds."
    )


class CountryConfig(_Model):
    """One country-environment, after layering defaults -> country file -> environment overrides."""

    country: CountryCode = Field(description="ISO 3166-1 alpha-2 code; set from the file name.")
    environment: Environment = Field(description="Set from the 'environments' key being planned.")
    display_name: str = Field(min_length=2, description="Country name for reports.")
    cloud: Cloud = Field(description="Cloud that hosts the country: 'azure' (AKS) or 'oci' (OKE).")
    regions: RegionsConfig = Field(
        description="In-country regions; every region used anywhere must lie in the country."
    )
    oci: OciSettings | None = Field(default=None, description="Required on OCI; must be omitted on Azure.")
    network: NetworkConfig = Field(description="Private network of the platform.")
    cluster: ClusterConfig = Field(description="The sovereign Kubernetes cluster.")
    key_custody: KeyCustodyConfig = Field(
        description="Customer-managed keys: custody tier, algorithm, rotation."
    )
    storage: StorageConfig = Field(description="Encrypted in-country stores.")
    registry: RegistryConfig = Field(
        description="The in-country container registry; images and weights come only from it."
    )
    access: AccessConfig = Field(description="Personnel access, through groups only.")
    audit_logging: AuditLoggingConfig = Field(
        default_factory=AuditLoggingConfig,
        description="In-country audit log workspace. Omitted: primary region, 365 days minimum.",
    )
    assistant: AssistantConfig | None = Field(
        default=None,
        description="The national assistant. Omitted: the platform is built without it (for example until a model "
        "is assessed for the country).",
    )
    tenants: list[Tenant] = Field(
        default=[], description="Local startups with their own GPU-quota namespaces. Omitted: none."
    )
    tags: Tags = Field(description="Tags applied to every cloud resource.")

    @property
    def stack_name(self) -> str:
        return f"{self.country}-{self.environment.value}"


# --- The model risk register (country_configs/models.yaml) ---------------------------------------------------


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


class ModelRegister(_Model):
    models: list[ModelRecord] = Field(description="Every assessed model.")

    def find(self, model_id: str) -> ModelRecord | None:
        return next((m for m in self.models if m.id == model_id), None)
