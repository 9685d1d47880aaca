"""Shared builders for the Azure component tests: one whole platform, recorded once per test module.

Each test builds components inside a program passed to ``run_program`` and asserts afterwards on the recorded,
wire-named inputs. ``platform_program`` composes every Azure component the way the stack does, so the
cross-component tests (parenting, regions, tags, protect flags) see real wiring, not hand-written ids.
"""

from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from sovereign.engine.recorder import Recording, run_program
from sovereign.types import ConfidentialTier, EgressMode, KeyCustodyTier, StorePurpose

REGION = "germanywestcentral"
ADMIN_GROUP = "6f1c7b6e-3f0a-4c8e-9a55-0b1f1d2e3a4b"
CUSTODIAN = "0b3f4c1d-2e5a-4f6b-8c7d-9e0f1a2b3c4d"
TAGS = {"country": "de", "data-classification": "sovereign"}


def network_args(
    egress: EgressMode = EgressMode.NONE, firewall_ip: str | None = None, **overrides: Any
) -> Any:
    from components.azure import SovereignNetworkArgs

    values: dict[str, Any] = {
        "location": REGION,
        "address_space": "10.40.0.0/16",
        "nodes_subnet_cidr": "10.40.0.0/20",
        "api_server_subnet_cidr": "10.40.16.0/28",
        "private_endpoints_subnet_cidr": "10.40.17.0/24",
        "egress_mode": egress,
        "egress_firewall_ip": firewall_ip,
        "tags": TAGS,
    }
    values.update(overrides)
    return SovereignNetworkArgs(**values)


def platform_program(
    *,
    egress: EgressMode = EgressMode.NONE,
    confidential: ConfidentialTier = ConfidentialTier.NONE,
    protect: bool = True,
) -> Callable[[], None]:
    """The whole Azure platform of one country, wired like the stack wires it."""

    def program() -> None:
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
            SovereignPolicies,
            SovereignPoliciesArgs,
            SovereignRegistry,
            SovereignRegistryArgs,
        )

        firewall = "10.0.0.4" if egress is EgressMode.ALLOW_LIST else None
        net = SovereignNetwork("de-net", network_args(egress, firewall))
        zones = net.private_dns_zone_ids
        keys = KeyCustody(
            "de-keys",
            KeyCustodyArgs(
                resource_group_name=net.resource_group_name,
                location=REGION,
                private_endpoint_subnet_id=net.private_endpoints_subnet_id,
                private_dns_zone_id=zones[PrivateZone.KEY_VAULT],
                lifetime=KeyLifetime(rotate_after_days=90, expiry_days=365),
                protect_stateful=protect,
                tags=TAGS,
            ),
        )
        common = {
            "resource_group_name": net.resource_group_name,
            "location": REGION,
            "private_endpoint_subnet_id": net.private_endpoints_subnet_id,
            "protect_stateful": protect,
            "tags": TAGS,
        }
        logs = AuditLogging(
            "de-logs",
            AuditLoggingArgs(
                **common,
                private_dns_zone_ids=zones,
                customer_managed_key=LogsCustomerKey(
                    key_vault_uri=keys.vault_uri,
                    key_name=keys.keys[KeyPurpose.LOGS].key_name,
                    identity_id=keys.keys[KeyPurpose.LOGS].identity_id,
                ),
            ),
        )
        registry_key = keys.keys[KeyPurpose.REGISTRY]
        registry = SovereignRegistry(
            "de-acr",
            SovereignRegistryArgs(
                **common,
                key_uri=registry_key.key_uri,
                key_identity_id=registry_key.identity_id,
                key_identity_client_id=registry_key.identity_client_id,
                registry_private_dns_zone_id=zones[PrivateZone.REGISTRY],
            ),
        )
        for purpose in (StorePurpose.MODEL_WEIGHTS, StorePurpose.AUDIT_LOGS):
            EncryptedStorage(
                f"de-{purpose.value.replace('_', '-')}",
                EncryptedStorageArgs(
                    **common,
                    purpose=purpose,
                    key_vault_uri=keys.vault_uri,
                    key_name=keys.keys[KeyPurpose.STORAGE].key_name,
                    key_identity_id=keys.keys[KeyPurpose.STORAGE].identity_id,
                    blob_private_dns_zone_id=zones[PrivateZone.BLOB],
                ),
            )
        confidential_pools = confidential is not ConfidentialTier.NONE
        system = NodePoolSpec(
            name="system", vm_size="Standard_DC4as_v5" if confidential_pools else "Standard_D4ads_v5"
        )
        gpu = NodePoolSpec(
            name="gpu",
            vm_size=(
                "Standard_NCC40ads_H100_v5"
                if confidential is ConfidentialTier.CONFIDENTIAL_GPU
                else "Standard_NC40ads_H100_v5"
            ),
            node_count_min=0,
            node_count_max=4,
            zones=(),
        )
        etcd, disks = keys.keys[KeyPurpose.ETCD], keys.keys[KeyPurpose.DISKS]
        cluster = SovereignCluster(
            "de-aks",
            SovereignClusterArgs(
                resource_group_name=net.resource_group_name,
                location=REGION,
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
                admin_group_object_ids=[ADMIN_GROUP],
                system_pool=system,
                gpu_pools=[gpu],
                confidential_tier=confidential,
                egress_mode=egress,
                route_table_id=net.route_table_id,
                registry_id=registry.registry_id,
                protect_stateful=protect,
                tags=TAGS,
            ),
        )
        SovereignPolicies(
            "de-policy",
            SovereignPoliciesArgs(
                scope="/subscriptions/00000000-0000-0000-0000-000000000000",
                allowed_locations=[REGION],
                key_custody_tier=KeyCustodyTier.KEY_VAULT_PREMIUM,
                confidential_tier=confidential,
                confidential_vm_skus=[system.vm_size, gpu.vm_size] if confidential_pools else (),
            ),
        )
        pulumi.export("kubeconfig", cluster.kubeconfig)
        pulumi.export("kubeconfig_plain", pulumi.Output.unsecret(cluster.kubeconfig))
        pulumi.export("oidc_issuer_url", cluster.oidc_issuer_url)
        pulumi.export("login_server", registry.login_server)

    return program


@pytest.fixture(scope="module")
def platform() -> Recording:
    """The default platform (egress none, no confidential tier, prod protection), recorded once per module."""
    return run_program(platform_program())


@pytest.fixture
def make_network_args() -> Callable[..., Any]:
    """SovereignNetworkArgs with valid defaults; keyword overrides replace single fields."""
    return network_args
