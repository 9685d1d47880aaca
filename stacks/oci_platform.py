"""Map an OCI country onto ``components.oci.OciPlatform``: config in, typed specs out, one component."""

from __future__ import annotations

import pulumi
import pulumi_oci as oci

from components.oci import BucketSpec, NodePoolSpec, OciPlatform, OciPlatformArgs, SovereignNetworkArgs
from sovereign.catalogue.kubernetes import oke_release
from sovereign.clouds.oci.settings import OciCountry
from sovereign.config.derived import allowed_regions, registry_prefix, store_versioning
from sovereign.types import StorePurpose, parse_image_ref
from stacks.cloud_platform import Platform, freeform_tags, protect_stateful, resource_prefix

__all__ = ["build_platform"]

OCI_MAX_LOG_RETENTION_DAYS = 180
"""OCI Logging keeps logs at most 180 days; the locked audit bucket keeps them for the configured years."""


def _providers(config: OciCountry) -> tuple[oci.Provider, oci.Provider | None]:
    """The in-country provider (credentials from the environment or ~/.oci/config, as the provider reads
    them), and a home-region provider for IAM and quota writes when the home region differs."""
    prefix = resource_prefix(config)
    provider = oci.Provider(f"{prefix}-oci", region=config.regions.primary)
    home = config.oci.home_region
    if home and home != config.regions.primary:
        return provider, oci.Provider(f"{prefix}-oci-home", region=home)
    return provider, None


def _node_pools(config: OciCountry) -> list[NodePoolSpec]:
    system = config.cluster.system_pool
    # OKE pools are fixed-size here (no cluster autoscaler add-on yet): GPU pools run at their maximum, which is
    # the capacity the config validation checked.
    return [
        NodePoolSpec("system", system.vm_size, system.node_count_min, system.ocpus, system.memory_gib),
        *(NodePoolSpec(p.name, p.vm_size, p.node_count_max) for p in config.cluster.gpu_pools),
    ]


def _repositories(config: OciCountry) -> list[str]:
    """Repositories the cluster pulls from: each image's path under '<host>/<namespace>/'."""
    refs = []
    if config.assistant:
        chat = config.assistant.chat.image
        refs = [chat] + [r for d in config.assistant.deployments for r in (d.image, d.weights)]
    # path is '<namespace>/<registry name>/...'; OCI repositories are named without the namespace.
    return sorted({parse_image_ref(ref)[1].split("/", 1)[1] for ref in refs})


def build_platform(config: OciCountry) -> Platform:
    prefix, region, oci_settings = resource_prefix(config), config.regions.primary, config.oci
    provider, home_provider = _providers(config)
    subnets = config.network.subnets
    compartment = f"sovereign-{prefix}"
    parent_path = oci_settings.parent_compartment_path
    platform = OciPlatform(
        prefix,
        OciPlatformArgs(
            tenancy_id=oci_settings.tenancy_id,
            tenancy_namespace=oci_settings.tenancy_namespace,
            region=region,
            network=SovereignNetworkArgs(
                parent_compartment_id=oci_settings.parent_compartment_id or oci_settings.tenancy_id,
                compartment_name=compartment,
                region=region,
                vcn_cidr=config.network.address_space[0],
                subnet_cidrs={
                    "workers": subnets.nodes,
                    "api": subnets.api_server,
                    "load_balancers": subnets.internal_load_balancers,
                    "pods": subnets.pods,
                },
                freeform_tags=freeform_tags(config),
                protect_stateful=protect_stateful(config),
            ),
            kubernetes_version=oke_release(config.cluster.kubernetes_version),
            node_pools=_node_pools(config),
            services_cidr=config.network.service_cidr,
            key_rotation_days=config.key_custody.rotation_days,
            stores=[
                BucketSpec(
                    name=s.name,
                    purpose=s.purpose,
                    versioning=store_versioning(config, s),
                    retention_days=s.retention_days if s.purpose == StorePurpose.AUDIT_LOGS else None,
                    retention_lock_date=s.retention_lock_date
                    if s.purpose == StorePurpose.AUDIT_LOGS
                    else None,
                )
                for s in config.storage.stores
            ],
            repositories=_repositories(config),
            compartment_path=f"{parent_path}:{compartment}" if parent_path else compartment,
            allowed_regions=allowed_regions(config),
            # Break-glass groups get the admins' region-fenced rights; they are empty until an emergency.
            admin_groups=[g.name for g in (*config.access.admin_groups, *config.access.break_glass_groups)],
            log_retention_days=min(
                OCI_MAX_LOG_RETENTION_DAYS, config.audit_logging.retention_days // 30 * 30
            ),
            identity_provider=home_provider,
            protect_stateful=protect_stateful(config),
            freeform_tags=freeform_tags(config),
        ),
        opts=pulumi.ResourceOptions(providers={"oci": provider}),
    )
    keys, cluster = platform.keys, platform.cluster
    return Platform(
        cluster_id=cluster.cluster_id,
        kubeconfig=cluster.kubeconfig,
        registry_prefix=registry_prefix(config),
        key_ids={
            "cluster_secrets": keys.cluster_secrets_key_id,
            "volumes": keys.volume_key_id,
            "object_storage": keys.object_storage_key_id,
        },
        storage_class_key_id=keys.volume_key_id,
        cluster_ready=[cluster],
    )
