"""Key custody for a country: the HSM-backed Key Vault, one key per purpose, and who may use each key.

Scope: a Key Vault Premium (keys in FIPS 140 Level 3 HSMs, RBAC authorization) with purge protection, soft
delete kept 90 days, public network access disabled, a private endpoint in the platform network with its DNS
records, and one ``CustodyKey`` per ``KeyPurpose`` with its own identity and a grant on that key only.

The vault keeps Azure's trusted-service exception on: disk encryption sets, Storage and Azure Monitor reach
the vault as trusted Microsoft services, not through the virtual network, and fail with the exception off. It
grants no access by itself: every use still needs the RBAC role on the key, which only the purpose identities
created here hold.

Non-goals: Managed HSM (Resource Manager cannot create its keys before the security-domain ceremony, so the
country config refuses that tier and no code path here builds one), secrets and certificates, key release
policies for confidential workloads, backups of keys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
from pulumi_azure_native import authorization, keyvault

from components.azure.catalogue import KeyPurpose, PrivateZone
from components.azure.custody_key import CustodyKey, CustodyKeyArgs, KeyLifetime
from components.azure.private_endpoint import PrivateEndpoint, PrivateEndpointArgs
from sovereign.clouds.azure.naming import key_vault_name

if TYPE_CHECKING:
    from components.azure.network import SovereignNetwork

__all__ = ["KeyCustody", "KeyCustodyArgs"]

SOFT_DELETE_DAYS = 90
"""The maximum Azure allows: a deleted vault or key stays recoverable for 90 days."""


@dataclass(frozen=True)
class KeyCustodyArgs:
    network: SovereignNetwork
    """The platform network: the vault's resource group, region, private-endpoint subnet and DNS zone."""
    purposes: Sequence[KeyPurpose] = tuple(KeyPurpose)
    """One key and one identity per purpose. Omitted: disks, etcd, storage, registry and logs."""
    lifetime: KeyLifetime = field(default_factory=KeyLifetime)
    """Key size, rotation and expiry, from the country config. Omitted: 3072-bit, rotate 180 d, expire 365 d."""
    tenant_id: pulumi.Input[str] | None = None
    """Entra tenant of the vault. Omitted: the tenant of the deploying credentials (getClientConfig)."""
    vault_name: str | None = None
    """Azure name of the vault (globally unique, 3-24 characters). Omitted: ``<component name>-<6 hex>``, the
    suffix a hash of the subscription and the name (stable across runs, distinct per subscription)."""
    protect_stateful: bool = True
    """Protect the vault and keys from `pulumi destroy` (the stack sets False outside prod)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """The country's tags."""

    def __post_init__(self) -> None:
        if not self.purposes:
            raise ValueError("purposes: empty (allowed: one or more KeyPurpose) - nothing would be encrypted")


class KeyCustody(pulumi.ComponentResource):
    vault_id: pulumi.Output[str]
    """Resource id of the Key Vault."""
    vault_uri: pulumi.Output[str]
    """https://<name>.vault.azure.net/"""
    keys: dict[KeyPurpose, CustodyKey]
    """Per purpose: key_name, key_uri (versionless), key_uri_with_version, identity_id/principal_id/client_id."""

    def __init__(self, name: str, args: KeyCustodyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("sovereign:azure:KeyCustody", name, None, opts)
        network = args.network
        tenant_id = (
            args.tenant_id
            or authorization.get_client_config_output(opts=pulumi.InvokeOutputOptions(parent=self)).tenant_id
        )
        # The vault is retained on delete like its keys: deleting it would take every key with it.
        stateful = pulumi.ResourceOptions(parent=self, protect=args.protect_stateful, retain_on_delete=True)
        vault = keyvault.Vault(
            f"{name}-vault",
            resource_group_name=network.resource_group_name,
            # Explicit and deterministic: an auto-name (Pulumi name + 8 random characters) is 26 characters for
            # 'de-prod-keys-vault', over Key Vault's 24 (sovereign.clouds.azure.naming; pulumi-azure-native #3514).
            vault_name=args.vault_name
            or authorization.get_client_config_output(
                opts=pulumi.InvokeOutputOptions(parent=self)
            ).subscription_id.apply(lambda subscription: key_vault_name(name, subscription)),
            location=network.location,
            properties=keyvault.VaultPropertiesArgs(
                tenant_id=tenant_id,
                sku=keyvault.SkuArgs(family="A", name=keyvault.SkuName.PREMIUM),
                enable_rbac_authorization=True,
                enable_purge_protection=True,
                enable_soft_delete=True,
                soft_delete_retention_in_days=SOFT_DELETE_DAYS,
                public_network_access="Disabled",
                network_acls=keyvault.NetworkRuleSetArgs(default_action="Deny", bypass="AzureServices"),
                enabled_for_deployment=False,
                enabled_for_disk_encryption=False,
                enabled_for_template_deployment=False,
            ),
            tags=dict(args.tags),
            opts=stateful,
        )
        self.vault_uri = vault.properties.apply(lambda p: p.vault_uri or "")
        PrivateEndpoint(
            f"{name}-pe",
            PrivateEndpointArgs(
                resource_group_name=network.resource_group_name,
                location=network.location,
                subnet_id=network.private_endpoints_subnet_id,
                target_resource_id=vault.id,
                group_id="vault",
                private_dns_zone_ids=[network.private_dns_zone_ids[PrivateZone.KEY_VAULT]],
                tags=args.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.vault_id = vault.id
        self.keys = {
            purpose: CustodyKey(
                f"{name}-{purpose.value}",
                CustodyKeyArgs(
                    resource_group_name=network.resource_group_name,
                    location=network.location,
                    purpose=purpose,
                    vault_name=vault.name,
                    vault_id=vault.id,
                    lifetime=args.lifetime,
                    protect_stateful=args.protect_stateful,
                    tags=args.tags,
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            for purpose in args.purposes
        }
        self.register_outputs(
            {
                "vault_id": self.vault_id,
                "vault_uri": self.vault_uri,
                "key_uris": {purpose.value: key.key_uri for purpose, key in self.keys.items()},
            }
        )
