"""Map an OCI country onto ``components.oci``: network, keys, cluster, storage, registry, fences, logs."""

from __future__ import annotations

import pulumi
import pulumi_oci as oci

from components.oci import (
    AuditLogging,
    AuditLoggingArgs,
    BucketSpec,
    ContainerRegistry,
    ContainerRegistryArgs,
    EncryptedStorage,
    EncryptedStorageArgs,
    KeyCustody,
    KeyCustodyArgs,
    NodePoolSpec,
    RegionFences,
    RegionFencesArgs,
    SovereignCluster,
    SovereignClusterArgs,
    SovereignNetwork,
    SovereignNetworkArgs,
)
from sovereign.catalogue.kubernetes import oke_release
from sovereign.config.derived import allowed_regions, registry_prefix
from sovereign.config.schema import CountryConfig
from sovereign.types import StorePurpose, parse_image_ref
from stacks.cloud_platform import Platform, freeform_tags, protect_stateful, resource_prefix

__all__ = ["build_oci_platform"]

GPU_NODE_LABELS = {"sovereign.ai/gpu": "true"}
OCI_MAX_LOG_RETENTION_DAYS = 180
"""OCI Logging keeps logs at most 180 days; the locked audit bucket keeps them for the configured years."""
DEFAULT_FLEX_OCPUS = 4
DEFAULT_FLEX_MEMORY_GIB = 64


def _providers(config: CountryConfig) -> tuple[oci.Provider, oci.Provider | None]:
    """The in-country provider (credentials from the environment or ~/.oci/config, as the provider reads
    them), and a home-region provider for IAM and quota writes when the home region differs."""
    assert config.oci is not None
    prefix = resource_prefix(config)
    provider = oci.Provider(f"{prefix}-oci", region=config.regions.primary)
    home = config.oci.home_region
    if home and home != config.regions.primary:
        return provider, oci.Provider(f"{prefix}-oci-home", region=home)
    return provider, None


def _node_pools(config: CountryConfig) -> list[NodePoolSpec]:
    system = config.cluster.system_pool
    pools = [
        NodePoolSpec(
            name="system",
            shape=system.vm_size,
            node_count=system.node_count_min,
            ocpus=system.ocpus or DEFAULT_FLEX_OCPUS,
            memory_gib=system.memory_gib or DEFAULT_FLEX_MEMORY_GIB,
        )
    ]
    # OKE pools are fixed-size here (no cluster autoscaler add-on yet): GPU pools run at their maximum, which is
    # the capacity the config validation checked.
    pools += [
        NodePoolSpec(name=p.name, shape=p.vm_size, node_count=p.node_count_max, labels=GPU_NODE_LABELS)
        for p in config.cluster.gpu_pools
    ]
    return pools


def _repositories(config: CountryConfig, prefix: str) -> list[str]:
    """Repositories the cluster pulls from: the registry name plus each image's path under it."""
    refs = []
    if config.assistant:
        refs = [config.assistant.chat.image] + [
            r for d in config.assistant.deployments for r in (d.image, d.weights)
        ]
    namespace_prefix = prefix.split("/", 2)[2] if prefix.count("/") >= 2 else prefix
    repos = []
    for ref in refs:
        _, path, _ = parse_image_ref(ref)
        # path is '<namespace>/<registry name>/...'; OCI repositories are named without the namespace.
        repos.append(path.split("/", 1)[1] if path.split("/", 1)[0] != namespace_prefix else path)
    return sorted(set(repos))


def build_oci_platform(config: CountryConfig) -> Platform:
    assert config.oci is not None  # validated: OCI countries carry their OCI settings
    prefix = resource_prefix(config)
    tags = freeform_tags(config)
    protect = protect_stateful(config)
    region = config.regions.primary
    provider, home_provider = _providers(config)
    opts = pulumi.ResourceOptions(providers={"oci": provider})
    tenancy = config.oci.tenancy_id
    subnets = config.network.subnets
    compartment_name = f"sovereign-{prefix}"
    parent_path = config.oci.parent_compartment_path
    net = SovereignNetwork(
        prefix,
        SovereignNetworkArgs(
            parent_compartment_id=config.oci.parent_compartment_id or tenancy,
            compartment_name=compartment_name,
            region=region,
            vcn_cidr=config.network.address_space[0],
            subnet_cidrs={
                "workers": subnets.nodes,
                "api": subnets.api_server,
                "load_balancers": subnets.internal_load_balancers,
                **({"pods": subnets.pods} if subnets.pods else {}),
            },
            freeform_tags=tags,
            protect_stateful=protect,
        ),
        opts=opts,
    )
    keys = KeyCustody(
        f"{prefix}-keys",
        KeyCustodyArgs(
            compartment_id=net.compartment_id,
            tenancy_id=tenancy,
            region=region,
            custody_tier=config.key_custody.tier,
            rotation_interval_days=config.key_custody.rotation_days,
            identity_provider=home_provider,
            freeform_tags=tags,
            protect_stateful=protect,
        ),
        opts=opts,
    )
    signing = [keys.image_signing_key_id] if keys.image_signing_key_id is not None else []
    cluster = SovereignCluster(
        prefix,
        SovereignClusterArgs(
            compartment_id=net.compartment_id,
            tenancy_id=tenancy,
            region=region,
            kubernetes_version=oke_release(config.cluster.kubernetes_version),
            vcn_id=net.vcn_id,
            api_subnet_id=net.api_subnet_id,
            api_nsg_id=net.api_nsg_id,
            worker_subnet_id=net.worker_subnet_id,
            worker_nsg_id=net.worker_nsg_id,
            pod_subnet_id=net.pod_subnet_id,
            pod_nsg_id=net.pod_nsg_id,
            lb_subnet_id=net.lb_subnet_id,
            cluster_secrets_key_id=keys.cluster_secrets_key_id,
            volume_key_id=keys.volume_key_id,
            image_signing_key_ids=signing,
            node_pools=_node_pools(config),
            services_cidr=config.network.service_cidr,
            wait_for=[keys],
            freeform_tags=tags,
            protect_stateful=protect,
        ),
        opts=opts,
    )
    storage = EncryptedStorage(
        f"{prefix}-storage",
        EncryptedStorageArgs(
            compartment_id=net.compartment_id,
            region=region,
            kms_key_id=keys.object_storage_key_id,
            namespace=config.oci.tenancy_namespace,
            stores=[
                BucketSpec(
                    name=s.name,
                    purpose=s.purpose,
                    retention_days=s.retention_days if s.purpose == StorePurpose.AUDIT_LOGS else None,
                    retention_lock_date=s.retention_lock_date
                    if s.purpose == StorePurpose.AUDIT_LOGS
                    else None,
                )
                for s in config.storage.stores
            ],
            freeform_tags=tags,
            protect_stateful=protect,
        ),
        opts=opts,
    )
    registry = registry_prefix(config)
    ContainerRegistry(
        f"{prefix}-registry",
        ContainerRegistryArgs(
            compartment_id=net.compartment_id,
            region=region,
            repositories=_repositories(config, registry),
            reader_dynamic_groups=[keys.cluster_dynamic_group_name, keys.worker_dynamic_group_name],
            image_signing_key_id=keys.image_signing_key_id,
            namespace=config.oci.tenancy_namespace,
            identity_provider=home_provider,
            freeform_tags=tags,
            protect_stateful=protect,
        ),
        opts=opts,
    )
    RegionFences(
        f"{prefix}-fences",
        RegionFencesArgs(
            tenancy_id=tenancy,
            compartment_id=net.compartment_id,
            compartment_path=f"{parent_path}:{compartment_name}" if parent_path else compartment_name,
            region=region,
            allowed_regions=allowed_regions(config),
            admin_groups=[g.name for g in config.access.admin_groups],
            identity_provider=home_provider,
            freeform_tags=tags,
        ),
        opts=opts,
    )
    audit_stores = [s.name for s in config.storage.stores if s.purpose == StorePurpose.AUDIT_LOGS]
    AuditLogging(
        f"{prefix}-logs",
        AuditLoggingArgs(
            compartment_id=net.compartment_id,
            region=region,
            flow_log_subnet_ids=net.subnet_ids,
            retention_days=min(OCI_MAX_LOG_RETENTION_DAYS, config.audit_logging.retention_days // 30 * 30),
            audit_bucket_name=storage.bucket_names[audit_stores[0]] if audit_stores else None,
            namespace=storage.namespace,
            identity_provider=home_provider,
            freeform_tags=tags,
            protect_stateful=protect,
        ),
        opts=opts,
    )
    return Platform(
        cluster_id=cluster.cluster_id,
        kubeconfig=cluster.kubeconfig,
        registry_prefix=registry,
        key_ids={
            "cluster_secrets": keys.cluster_secrets_key_id,
            "volumes": keys.volume_key_id,
            "object_storage": keys.object_storage_key_id,
        },
        storage_class_key_id=keys.volume_key_id,
        cluster_ready=[cluster],
    )
