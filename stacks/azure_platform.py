"""Map an Azure country onto ``components.azure.AzurePlatform``: config in, typed specs out, one component."""

from __future__ import annotations

import datetime as dt
import ipaddress

import pulumi
import pulumi_azure_native as azure_native
import pulumiverse_time as time

from components.azure import (
    AllowedDestination,
    AzurePlatform,
    AzurePlatformArgs,
    ClusterSpec,
    KeyLifetime,
    NamedStore,
    NodePoolSpec,
    RegistryReplica,
    SovereignNetworkArgs,
    StoreSpec,
)
from sovereign.catalogue import find_region
from sovereign.clouds.azure.facts import LOGS_KEY_GRANTED_CONFIG, USER_POOL_NAME, logs_second_deployment_note
from sovereign.clouds.azure.settings import AzureCountry
from sovereign.config.derived import allowed_regions, registry_prefix, store_versioning
from sovereign.config.limits import MIN_AUDIT_RETENTION_DAYS
from sovereign.types import Cloud, Environment, StorePurpose
from stacks.cloud_platform import Platform, freeform_tags, protect_stateful, resource_prefix
from stacks.renames import renamed_from

__all__ = ["build_platform"]

KEY_EXPIRY_MARGIN_DAYS = 90
"""Keys expire this long after their rotation is due, so a missed rotation warns before anything breaks."""
DEFAULT_SOFT_DELETE_DAYS = 30


def _stores(config: AzureCountry) -> list[NamedStore]:
    renamed = renamed_from(pulumi.Config())
    pair = find_region(Cloud.AZURE, config.regions.primary)
    stores = []
    for store in config.storage.stores:
        audit = store.purpose == StorePurpose.AUDIT_LOGS
        spec = StoreSpec(
            purpose=store.purpose,
            versioning=store_versioning(config, store),
            redundancy=store.redundancy,
            geo_paired_region=pair.geo_pair if pair and store.redundancy.is_geo else None,
            soft_delete_days=DEFAULT_SOFT_DELETE_DAYS
            if audit
            else (store.retention_days or DEFAULT_SOFT_DELETE_DAYS),
            # Validation requires audit-log stores to state their retention (at least a year).
            audit_retention_days=store.retention_days or MIN_AUDIT_RETENTION_DAYS,
            # The country's deliberate second step (settings.AzureStore); validation makes prod state it.
            lock_immutability_policy=audit and bool(store.lock_immutability),
        )
        if audit and not store.lock_immutability and config.environment is Environment.PROD:
            pulumi.log.warn(
                f"storage.stores '{store.name}': the audit-log store's immutability policy is not locked yet "
                "(lock_immutability: false). Once this deployment has created the store, set "
                "'lock_immutability: true' in the country file and deploy again (irreversible)."
            )
        component = f"{resource_prefix(config)}-store-{store.name}"
        stores.append(NamedStore(store.name, spec, naming_base=renamed.get(component)))
    return stores


def _cluster(config: AzureCountry) -> ClusterSpec:
    system, service_cidr = config.cluster.system_pool, config.network.service_cidr
    user = config.cluster.user_pool
    return ClusterSpec(
        # Break-glass groups are not standing admins: they are PIM-eligible (components/azure/break_glass.py).
        admin_group_object_ids=[g.object_id for g in config.access.admin_groups],
        system_pool=NodePoolSpec("system", system.vm_size, system.node_count_min, system.node_count_max),
        gpu_pools=[
            NodePoolSpec(
                p.name,
                p.vm_size,
                p.node_count_min,
                p.node_count_max,
                os_disk_size_gib=p.os_disk_gib,
                enable_autoscaling=p.enable_autoscaling,
            )
            for p in config.cluster.gpu_pools
        ],
        user_pool=NodePoolSpec(USER_POOL_NAME, user.vm_size, user.node_count_min, user.node_count_max),
        confidential_tier=config.cluster.confidential_tier,
        kubernetes_version=config.cluster.kubernetes_version,
        pod_cidr=config.azure.pod_cidr,
        service_cidr=service_cidr,
        dns_service_ip=str(ipaddress.ip_network(service_cidr)[10]),
        # Validation refuses Defender with egress 'none'; with 'allow_list' the platform adds its destinations.
        enable_defender=config.azure.defender,
    )


def _registry_replicas(config: AzureCountry) -> list[RegistryReplica]:
    """The secondary region's registry replica: in-country disaster recovery for images and weights.
    Validation has already refused a secondary region outside the country (regions_lie_in_country)."""
    secondary = config.regions.secondary
    region = find_region(Cloud.AZURE, secondary) if secondary else None
    if region is None or region.country != config.country:
        return []
    return [RegistryReplica(region.name, zone_redundant=region.availability_zones > 0)]


def _logs_key_granted(config: AzureCountry) -> bool:
    """Whether this is the second deployment of the dedicated log cluster; says what to do when it is not."""
    granted = pulumi.Config().get_bool(LOGS_KEY_GRANTED_CONFIG) or False
    note = None if granted else logs_second_deployment_note(config)
    if note:
        pulumi.log.warn(note)
    return granted


def build_platform(config: AzureCountry, as_of: dt.date) -> Platform:
    """``as_of``: the validation date (today under `pulumi up`); nothing Azure builds depends on it yet."""
    prefix, region = resource_prefix(config), config.regions.primary
    subnets, egress = config.network.subnets, config.azure.egress
    rotate = config.key_custody.rotation_days
    # The one Azure provider of the stack: in-country location, credentials from the environment (az login,
    # ARM_* variables or OIDC), as the provider reads them.
    provider = azure_native.Provider(f"{prefix}-azure", location=region)
    # The time provider holds no cloud resource: it only waits (RBAC propagation, components/azure/rbac.py).
    # Explicit like every provider, since the stacks disable default providers.
    waits = time.Provider(f"{prefix}-time")
    platform = AzurePlatform(
        prefix,
        AzurePlatformArgs(
            network=SovereignNetworkArgs(
                location=region,
                address_space=config.network.address_space[0],
                nodes_subnet_cidr=subnets.nodes,
                api_server_subnet_cidr=subnets.api_server,
                private_endpoints_subnet_cidr=subnets.private_endpoints,
                internal_load_balancers_subnet_cidr=subnets.internal_load_balancers,
                egress_mode=egress.mode,
                egress_firewall_ip=str(egress.firewall_ip) if egress.firewall_ip else None,
                tags=freeform_tags(config),
                protect_stateful=protect_stateful(config),
            ),
            key_lifetime=KeyLifetime(
                rotate_after_days=rotate,
                expiry_days=max(365, rotate + KEY_EXPIRY_MARGIN_DAYS),
                key_size_bits=config.azure.key_custody.key_size_bits,
            ),
            cluster=_cluster(config),
            registry_name=config.registry.name,
            egress_firewall_policy_id=egress.firewall_policy_id,
            egress_destinations=[
                AllowedDestination(d.fqdn, tuple(d.ports), d.justification)
                for d in egress.allowed_destinations
            ],
            allowed_regions=allowed_regions(config),
            stores=_stores(config),
            registry_replicas=_registry_replicas(config),
            break_glass_group_object_ids=[g.object_id for g in config.access.break_glass_groups],
            log_retention_days=config.audit_logging.retention_days,
            logs_platform_key_justification=config.azure.logs_platform_key_justification,
            # Second deployment of a dedicated log cluster (its key after its grant): `pulumi config set
            # logs-cluster-key-granted true` once the first `pulumi up` has finished.
            logs_cluster_key_granted=_logs_key_granted(config),
            protect_stateful=protect_stateful(config),
            tags=freeform_tags(config),
        ),
        opts=pulumi.ResourceOptions(providers={"azure-native": provider, "time": waits}),
    )
    keys, cluster = platform.keys, platform.cluster
    return Platform(
        cluster_id=cluster.cluster_id,
        kubeconfig=cluster.kubeconfig,
        registry_prefix=registry_prefix(config),
        key_ids={purpose.value: key.key_uri for purpose, key in keys.keys.items()},
        storage_class_key_id=cluster.disk_encryption_set_id,
        cluster_ready=[cluster],
        oidc_issuer_url=cluster.oidc_issuer_url,
    )
