"""Map an OCI country onto ``components.oci.OciPlatform``: config in, typed specs out, one component."""

from __future__ import annotations

import datetime as dt

import pulumi
import pulumi_oci as oci
import pulumiverse_time as time

from components.oci import (
    BucketSpec,
    NodeBootstrapSpec,
    NodePoolSpec,
    OciPlatform,
    OciPlatformArgs,
    SovereignNetworkArgs,
)
from components.oci.regions import confirm_home_region
from components.oci.storage import default_lock_date
from sovereign.catalogue import calico, keda, prometheus
from sovereign.catalogue.kubernetes import oke_release
from sovereign.catalogue.mirror import release_repositories
from sovereign.clouds.oci.settings import OciCountry
from sovereign.config.derived import allowed_regions, registry_prefix, store_versioning
from sovereign.types import StorePurpose, parse_image_ref
from stacks.cloud_platform import Platform, freeform_tags, protect_stateful, resource_prefix

__all__ = ["build_platform"]

OCI_MAX_LOG_RETENTION_DAYS = 180
"""OCI Logging keeps logs at most 180 days; the locked audit bucket keeps them for the configured years."""


def _providers(config: OciCountry) -> tuple[oci.Provider, oci.Provider, time.Provider]:
    """The in-country provider (credentials from the environment or ~/.oci/config, as the provider reads
    them), the home-region provider every IAM and quota write goes through, and the time provider of the
    propagation waits (explicit like every provider: the stacks disable default providers).

    IAM accepts writes only in the tenancy's home region (oracle/terraform-provider-oci#1596), which is
    ``oci.home_region`` or, omitted, the primary region. The program checks that against the tenancy's region
    subscriptions before any IAM write: the home provider's region *is* the checked value, so nothing goes
    through it unless the check passed (the region subscriptions filtered by name, as terraform-oci-oke's
    examples/rms/*/data.tf filter them by ``is_home_region``). Switching the IAM resources of an existing stack
    from the in-country provider to this one, in the same region, replaces nothing: the engine asks the provider
    whether the configuration change needs replacement (pulumi/pulumi#18509, in CLI 3.231+).
    """
    prefix = resource_prefix(config)
    provider = oci.Provider(f"{prefix}-oci", region=config.regions.primary)
    expected = config.oci.home_region or config.regions.primary
    subscriptions = oci.identity.get_region_subscriptions_output(
        tenancy_id=config.oci.tenancy_id,
        filters=[oci.identity.GetRegionSubscriptionsFilterArgs(name="region_name", values=[expected])],
        opts=pulumi.InvokeOutputOptions(provider=provider),
    )

    def confirmed(result: oci.identity.GetRegionSubscriptionsResult) -> str:
        pairs = [(s.region_name, s.is_home_region) for s in result.region_subscriptions]
        try:
            return confirm_home_region(pairs, expected, configured=config.oci.home_region is not None)
        except ValueError as exc:
            raise pulumi.RunError(
                f"stack {config.stack_name} (country_configs/{config.country}.yaml): {exc}"
            ) from None

    home = oci.Provider(f"{prefix}-oci-home", region=subscriptions.apply(confirmed))
    return provider, home, time.Provider(f"{prefix}-time")


def _node_pools(config: OciCountry) -> list[NodePoolSpec]:
    system = config.cluster.system_pool
    # GPU pools start at their minimum and the OKE Cluster Autoscaler add-on grows them to their maximum (the
    # capacity the config validation checked); equal bounds make a fixed pool. The system pool runs the add-ons
    # and stays fixed: Oracle recommends one pool the autoscaler does not manage (components/oci/cluster_addons.py).
    return [
        NodePoolSpec("system", system.vm_size, system.node_count_min, system.ocpus, system.memory_gib),
        *(
            NodePoolSpec(
                p.name,
                p.vm_size,
                p.node_count_min,
                boot_volume_size_gib=p.boot_volume_gib,
                node_count_max=p.node_count_max if p.node_count_max > p.node_count_min else None,
            )
            for p in config.cluster.gpu_pools
        ),
    ]


def _repositories(config: OciCountry) -> list[str]:
    """Repositories the cluster pulls from: each image's path under '<host>/<namespace>/', and the chart and
    images of every release the stack installs from the mirror (``stacks.assistant``: Calico always on OKE,
    KEDA and Prometheus with the assistant). Rule ``oci-pulled-repositories-planned`` checks the plan for it."""
    refs = []
    releases = [(calico.CHART_NAME, calico.MIRRORED_IMAGES)]
    if config.assistant:
        chat = config.assistant.chat.image
        refs = [chat] + [r for d in config.assistant.deployments for r in (d.image, d.weights)]
        releases += [
            (keda.CHART_NAME, keda.MIRRORED_IMAGES),
            (prometheus.CHART_NAME, prometheus.MIRRORED_IMAGES),
        ]
    # path is '<namespace>/<registry name>/...'; OCI repositories are named without the namespace.
    paths = {parse_image_ref(ref)[1].split("/", 1)[1] for ref in refs}
    paths |= {
        f"{config.registry.name}/{p}" for name, images in releases for p in release_repositories(name, images)
    }
    return sorted(paths)


def build_platform(config: OciCountry, as_of: dt.date) -> Platform:
    """``as_of``: the validation date (today under `pulumi up`); a default retention lock date derives from it."""
    prefix, region, oci_settings = resource_prefix(config), config.regions.primary, config.oci
    provider, home_provider, waits = _providers(config)
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
                api_client_cidrs=oci_settings.api_client_cidrs,
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
                    # Omitted: locked 30 days after today's validation; the bucket keeps it from creation on.
                    retention_lock_date=(s.retention_lock_date or default_lock_date(as_of))
                    if s.purpose == StorePurpose.AUDIT_LOGS
                    else None,
                )
                for s in config.storage.stores
            ],
            repositories=_repositories(config),
            node_bootstrap=NodeBootstrapSpec(
                bucket=oci_settings.node_bootstrap.bucket,
                credential_provider_sha256=oci_settings.node_bootstrap.credential_provider_sha256,
                as_of=as_of,
            ),
            compartment_path=f"{parent_path}:{compartment}" if parent_path else compartment,
            allowed_regions=allowed_regions(config),
            # Break-glass groups get the admins' region-fenced rights, key recovery included ('manage
            # all-resources' covers the vault and keys: cancel a key deletion, restore a key backup); they are
            # empty until an emergency, and the plan rule oci-break-glass-access checks both grants.
            # By OCID (validation requires one): OCI rejects a policy naming a group that does not exist.
            admin_groups=[
                g.ocid or g.name for g in (*config.access.admin_groups, *config.access.break_glass_groups)
            ],
            log_retention_days=min(
                OCI_MAX_LOG_RETENTION_DAYS, config.audit_logging.retention_days // 30 * 30
            ),
            identity_provider=home_provider,
            protect_stateful=protect_stateful(config),
            freeform_tags=freeform_tags(config),
            # In-country key DR: the vault and its keys replicated to the secondary region (validation keeps
            # the secondary in the country and the realm).
            replica_region=config.regions.secondary,
        ),
        opts=pulumi.ResourceOptions(providers={"oci": provider, "time": waits}),
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
        # The storage class encrypts PVCs with the volume key: Kubernetes objects wait for the key policy too.
        cluster_ready=[cluster, keys.key_access_ready],
        # OKE names IAM groups in RBAC by OCID (validation requires one for every break-glass group).
        break_glass_rbac_groups=tuple(g.ocid for g in config.access.break_glass_groups if g.ocid),
    )
