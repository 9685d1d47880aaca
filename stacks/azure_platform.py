"""Map an Azure country onto ``components.azure``: network, keys, logs, registry, stores, cluster, policies."""

from __future__ import annotations

import ipaddress

import pulumi
import pulumi_azure_native as azure_native

from components.azure import (
    AuditLogging,
    AuditLoggingArgs,
    EncryptedStorage,
    EncryptedStorageArgs,
    KeyCustody,
    KeyCustodyArgs,
    KeyLifetime,
    KeyPurpose,
    LogsCustomerKey,
    NodePoolSpec,
    PrivateZone,
    SovereignCluster,
    SovereignClusterArgs,
    SovereignNetwork,
    SovereignNetworkArgs,
    SovereignPolicies,
    SovereignPoliciesArgs,
    SovereignRegistry,
    SovereignRegistryArgs,
)
from sovereign.catalogue import find_region
from sovereign.config.derived import allowed_regions, registry_prefix
from sovereign.config.invariants import MIN_AUDIT_RETENTION_DAYS
from sovereign.config.schema import CountryConfig
from sovereign.types import Cloud, ConfidentialTier, StorePurpose
from stacks.cloud_platform import Platform, freeform_tags, protect_stateful, resource_prefix

__all__ = ["build_azure_platform"]

GPU_NODE_LABELS = {"sovereign.ai/gpu": "true"}
KEY_EXPIRY_MARGIN_DAYS = 90
"""Keys expire this long after their rotation is due, so a missed rotation warns before anything breaks."""
DEFAULT_SOFT_DELETE_DAYS = 30


def _key_lifetime(config: CountryConfig) -> KeyLifetime:
    rotate = config.key_custody.rotation_days
    return KeyLifetime(
        rotate_after_days=rotate,
        expiry_days=max(365, rotate + KEY_EXPIRY_MARGIN_DAYS),
        key_size_bits=config.key_custody.key_size_bits,
    )


def _dns_service_ip(service_cidr: str) -> str:
    return str(ipaddress.ip_network(service_cidr)[10])


def build_azure_platform(config: CountryConfig) -> Platform:
    prefix = resource_prefix(config)
    tags = freeform_tags(config)
    protect = protect_stateful(config)
    region = config.regions.primary
    # The one Azure provider of the stack: in-country location, credentials from the environment (az login,
    # ARM_* variables or OIDC), as the provider reads them.
    provider = azure_native.Provider(f"{prefix}-azure", location=region)
    opts = pulumi.ResourceOptions(providers={"azure-native": provider})
    subnets = config.network.subnets
    egress = config.network.egress
    net = SovereignNetwork(
        f"{prefix}-net",
        SovereignNetworkArgs(
            location=region,
            address_space=config.network.address_space[0],
            nodes_subnet_cidr=subnets.nodes,
            api_server_subnet_cidr=subnets.api_server,
            private_endpoints_subnet_cidr=subnets.private_endpoints,
            egress_mode=egress.mode,
            egress_firewall_ip=str(egress.firewall_ip) if egress.firewall_ip else None,
            tags=tags,
            protect_stateful=protect,
        ),
        opts=opts,
    )
    zones = net.private_dns_zone_ids
    keys = KeyCustody(
        f"{prefix}-keys",
        KeyCustodyArgs(
            resource_group_name=net.resource_group_name,
            location=region,
            private_endpoint_subnet_id=net.private_endpoints_subnet_id,
            private_dns_zone_id=zones[PrivateZone.KEY_VAULT],
            tier=config.key_custody.tier,
            lifetime=_key_lifetime(config),
            protect_stateful=protect,
            tags=tags,
        ),
        opts=opts,
    )
    common = {
        "resource_group_name": net.resource_group_name,
        "location": region,
        "private_endpoint_subnet_id": net.private_endpoints_subnet_id,
        "protect_stateful": protect,
        "tags": tags,
    }
    logs_key = keys.keys[KeyPurpose.LOGS]
    justification = config.audit_logging.platform_key_justification
    logs = AuditLogging(
        f"{prefix}-logs",
        AuditLoggingArgs(
            **common,
            private_dns_zone_ids=zones,
            customer_managed_key=None
            if justification
            else LogsCustomerKey(
                key_vault_uri=keys.vault_uri, key_name=logs_key.key_name, identity_id=logs_key.identity_id
            ),
            platform_key_justification=justification,
            retention_days=config.audit_logging.retention_days,
        ),
        opts=opts,
    )
    registry_key = keys.keys[KeyPurpose.REGISTRY]
    registry = SovereignRegistry(
        f"{prefix}-acr",
        SovereignRegistryArgs(
            **common,
            key_uri=registry_key.key_uri,
            key_identity_id=registry_key.identity_id,
            key_identity_client_id=registry_key.identity_client_id,
            registry_private_dns_zone_id=zones[PrivateZone.REGISTRY],
            registry_name=config.registry.name,
        ),
        opts=opts,
    )
    primary = find_region(Cloud.AZURE, region)
    storage_key = keys.keys[KeyPurpose.STORAGE]
    for store in config.storage.stores:
        is_audit = store.purpose == StorePurpose.AUDIT_LOGS
        EncryptedStorage(
            f"{prefix}-store-{store.name}",
            EncryptedStorageArgs(
                **common,
                purpose=store.purpose,
                key_vault_uri=keys.vault_uri,
                key_name=storage_key.key_name,
                key_identity_id=storage_key.identity_id,
                blob_private_dns_zone_id=zones[PrivateZone.BLOB],
                redundancy=store.redundancy,
                geo_paired_region=primary.geo_pair if primary and store.redundancy.is_geo else None,
                allowed_regions=allowed_regions(config),
                soft_delete_days=DEFAULT_SOFT_DELETE_DAYS
                if is_audit
                else (store.retention_days or DEFAULT_SOFT_DELETE_DAYS),
                # Validation requires audit-log stores to state their retention (at least 365 days).
                audit_retention_days=store.retention_days or MIN_AUDIT_RETENTION_DAYS,
            ),
            opts=opts,
        )
    etcd, disks = keys.keys[KeyPurpose.ETCD], keys.keys[KeyPurpose.DISKS]
    system = config.cluster.system_pool
    cluster = SovereignCluster(
        f"{prefix}-aks",
        SovereignClusterArgs(
            resource_group_name=net.resource_group_name,
            location=region,
            nodes_subnet_id=net.nodes_subnet_id,
            api_server_subnet_id=net.api_server_subnet_id,
            aks_private_dns_zone_id=zones[PrivateZone.AKS],
            control_plane_identity_id=etcd.identity_id,
            control_plane_identity_principal_id=etcd.identity_principal_id,
            kms_key_uri_with_version=etcd.key_uri_with_version,
            key_vault_id=keys.vault_id,
            disk_key_uri_with_version=disks.key_uri_with_version,
            disk_identity_id=disks.identity_id,
            log_analytics_workspace_id=logs.workspace_id,
            admin_group_object_ids=[g.object_id for g in config.access.admin_groups if g.object_id],
            system_pool=NodePoolSpec(
                name="system",
                vm_size=system.vm_size,
                node_count_min=system.node_count_min,
                node_count_max=system.node_count_max,
            ),
            gpu_pools=[
                NodePoolSpec(
                    name=p.name,
                    vm_size=p.vm_size,
                    node_count_min=p.node_count_min,
                    node_count_max=p.node_count_max,
                    labels=GPU_NODE_LABELS,
                )
                for p in config.cluster.gpu_pools
            ],
            confidential_tier=config.cluster.confidential_tier,
            egress_mode=egress.mode,
            route_table_id=net.route_table_id,
            registry_id=registry.registry_id,
            kubernetes_version=config.cluster.kubernetes_version,
            pod_cidr=config.network.pod_cidr,
            service_cidr=config.network.service_cidr,
            dns_service_ip=_dns_service_ip(config.network.service_cidr),
            protect_stateful=protect,
            tags=tags,
        ),
        opts=opts,
    )
    confidential = config.cluster.confidential_tier
    confidential_skus = [system.vm_size] + (
        [p.vm_size for p in config.cluster.gpu_pools]
        if confidential == ConfidentialTier.CONFIDENTIAL_GPU
        else []
    )
    SovereignPolicies(
        f"{prefix}-policy",
        SovereignPoliciesArgs(
            scope=net.resource_group_id,
            allowed_locations=allowed_regions(config),
            key_custody_tier=config.key_custody.tier,
            confidential_tier=confidential,
            confidential_vm_skus=confidential_skus if confidential != ConfidentialTier.NONE else (),
            confidential_scope=cluster.node_resource_group_id,
        ),
        opts=opts,
    )
    return Platform(
        cluster_id=cluster.cluster_id,
        kubeconfig=cluster.kubeconfig,
        registry_prefix=registry_prefix(config),
        key_ids={purpose.value: key.key_uri for purpose, key in keys.keys.items()},
        storage_class_key_id=cluster.disk_encryption_set_id,
        cluster_ready=[cluster],
        oidc_issuer_url=cluster.oidc_issuer_url,
    )
