"""One encrypted, private, in-country storage account for one configured store (weights, datasets, audit logs...).

Scope: a StorageV2 account encrypted with the country's storage key (customer-managed, versionless so Key Vault
rotation is followed, through a user-assigned identity) on top of infrastructure encryption; HTTPS only with
TLS 1.2 minimum; shared keys, local users, SFTP and anonymous blob access off; Entra ID the default for data
access; public network access disabled, with a private endpoint for the blob service; copies allowed only
between accounts reached through private links; blob versioning, change feed and soft delete of blobs and
containers; one private container named after the purpose.

Redundancy is in-region by default (zone-redundant). Geo-redundant kinds copy to Azure's paired region, which
for some countries is abroad (brazilsouth pairs with southcentralus), so geo needs the paired region named and
listed in the country's allowed regions: a cross-border pair cannot be expressed without the caller saying so.

Audit-log stores get account-level, version-level immutability (WORM) for the configured retention. Azure
creates such policies only in the Unlocked state; locking is a separate, irreversible step, so the policy is
created unlocked and ``lock_immutability_policy=True`` on a later deployment locks it (the country file's
``lock_immutability`` on the store, required in prod; rule 'audit-store-immutability-locked').
Non-goals: lifecycle management rules, Azure Files/queues/tables, data-plane access grants (RBAC for readers).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
from pulumi_azure_native import authorization, storage

from components.azure.catalogue import KeyPurpose, PrivateZone
from components.azure.private_endpoint import PrivateEndpoint, PrivateEndpointArgs
from sovereign.clouds.azure.naming import storage_account_name
from sovereign.types import Redundancy, StorePurpose

if TYPE_CHECKING:
    from components.azure.key_custody import KeyCustody
    from components.azure.network import SovereignNetwork

__all__ = ["EncryptedStorage", "EncryptedStorageArgs", "StoreSpec"]

SKU_BY_REDUNDANCY = {
    Redundancy.LOCAL: "Standard_LRS",
    Redundancy.ZONE: "Standard_ZRS",
    Redundancy.GEO: "Standard_GRS",
    Redundancy.GEO_ZONE: "Standard_GZRS",
}
"""Read-access geo kinds (RA-GRS, RA-GZRS) are left out: a readable secondary is a second place to guard."""


@dataclass(frozen=True)
class StoreSpec:
    """One configured store: plain values, checked before anything registers."""

    purpose: StorePurpose
    """What the store holds; audit_logs stores get an immutability policy."""
    versioning: bool = True
    """Keep previous blob versions. Omitted: on. Version-level immutability (audit_logs) requires it."""
    redundancy: Redundancy = Redundancy.ZONE
    """Replication kind. Omitted: zone-redundant, three zones of the same region."""
    geo_paired_region: str | None = None
    """Geo kinds only, required there: the paired region the copies go to (from the region catalogue)."""
    soft_delete_days: int = 30
    """Days deleted blobs and containers stay recoverable (1-365). Omitted: 30."""
    audit_retention_days: int = 365
    """audit_logs only: days every blob version stays immutable (1-146000). Omitted: 365."""
    lock_immutability_policy: bool = False
    """audit_logs only: lock the immutability policy (irreversible; Azure creates it unlocked). Omitted: unlocked."""
    account_name: str | None = None
    """Azure account name (3-24 lowercase letters and digits, globally unique). Omitted: the component name
    without dashes, cut to fit, + 6 hex characters hashing it with the subscription (stable across runs)."""

    def __post_init__(self) -> None:
        where = f"store {self.purpose.value}"
        if not self.redundancy.is_geo and self.geo_paired_region is not None:
            raise ValueError(
                f"{where}: geo_paired_region set for redundancy {self.redundancy.value!r} (allowed: None) - "
                "only geo kinds have a paired region"
            )
        if not 1 <= self.soft_delete_days <= 365:
            raise ValueError(f"{where}: soft_delete_days {self.soft_delete_days} (allowed: 1 to 365)")
        if not 1 <= self.audit_retention_days <= 146000:
            raise ValueError(
                f"{where}: audit_retention_days {self.audit_retention_days} (allowed: 1 to 146000)"
            )
        if self.lock_immutability_policy and self.purpose is not StorePurpose.AUDIT_LOGS:
            raise ValueError(f"{where}: lock_immutability_policy applies to audit_logs stores only")
        if self.purpose is StorePurpose.AUDIT_LOGS and not self.versioning:
            raise ValueError(
                f"{where}: versioning off for an audit_logs store (allowed: on) - version-level immutability "
                "requires blob versioning (Microsoft: 'Configure immutability policies for blob versions')"
            )


@dataclass(frozen=True)
class EncryptedStorageArgs:
    network: SovereignNetwork
    """The platform network: resource group, region (the primary copy), private-endpoint subnet, blob zone."""
    keys: KeyCustody
    """The country's key custody; its storage key encrypts the account."""
    spec: StoreSpec
    """The store's own settings."""
    allowed_regions: Sequence[str] = ()
    """Regions the country allows data in; a geo store's paired region must be one of them."""
    protect_stateful: bool = True
    """Protect the account from `pulumi destroy` (the stack sets False outside prod)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """The country's tags."""
    naming_base: str | None = None
    """What the store's Azure names (account, private endpoint) derive from. Omitted: the component name. A
    store renamed through the stack's rename table passes its old name here, so the alias that keeps its URNs
    also keeps its Azure names and nothing is replaced (an account name cannot change in place)."""

    def __post_init__(self) -> None:
        spec = self.spec
        if spec.redundancy.is_geo and (
            spec.geo_paired_region is None
            or spec.geo_paired_region not in self.allowed_regions
            or spec.geo_paired_region == self.network.location
        ):
            raise ValueError(
                f"store {spec.purpose.value}: redundancy {spec.redundancy.value!r} copies data to the paired "
                f"region {spec.geo_paired_region!r}, which is not another allowed region (allowed: "
                f"{[r for r in self.allowed_regions if r != self.network.location]}) - use 'zone', or name an "
                "in-country pair the country allows"
            )


class EncryptedStorage(pulumi.ComponentResource):
    account_id: pulumi.Output[str]
    account_name: pulumi.Output[str]
    blob_endpoint: pulumi.Output[str]
    container_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: EncryptedStorageArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("sovereign:azure:EncryptedStorage", name, None, opts)
        tags = dict(args.tags)
        network, spec, key = args.network, args.spec, args.keys.keys[KeyPurpose.STORAGE]
        base = args.naming_base or name
        immutability = None
        if spec.purpose is StorePurpose.AUDIT_LOGS:
            immutability = storage.ImmutableStorageAccountArgs(
                enabled=True,
                immutability_policy=storage.AccountImmutabilityPolicyPropertiesArgs(
                    immutability_period_since_creation_in_days=spec.audit_retention_days,
                    state="Locked" if spec.lock_immutability_policy else "Unlocked",
                    # Appending to a log blob is allowed; rewriting or deleting what was written is not.
                    allow_protected_append_writes=True,
                ),
            )
        account = storage.StorageAccount(
            f"{name}-account",
            resource_group_name=network.resource_group_name,
            # Explicit and deterministic: an auto-name (Pulumi name + 8 random characters, dashes kept) breaks
            # the 3-24 lowercase-alphanumerics rule (sovereign.clouds.azure.naming; pulumi-azure-native #2532).
            account_name=spec.account_name
            or authorization.get_client_config_output(
                opts=pulumi.InvokeOutputOptions(parent=self)
            ).subscription_id.apply(lambda subscription: storage_account_name(base, subscription)),
            location=network.location,
            kind="StorageV2",
            sku=storage.SkuArgs(name=SKU_BY_REDUNDANCY[spec.redundancy]),
            access_tier=storage.AccessTier.HOT,
            identity=storage.IdentityArgs(type="UserAssigned", user_assigned_identities=[key.identity_id]),
            encryption=storage.EncryptionArgs(
                key_source="Microsoft.Keyvault",
                # No key version: the account follows Key Vault's rotation of the key automatically.
                key_vault_properties=storage.KeyVaultPropertiesArgs(
                    key_vault_uri=args.keys.vault_uri, key_name=key.key_name
                ),
                encryption_identity=storage.EncryptionIdentityArgs(
                    encryption_user_assigned_identity=key.identity_id
                ),
                require_infrastructure_encryption=True,
                services=storage.EncryptionServicesArgs(
                    blob=storage.EncryptionServiceArgs(enabled=True, key_type="Account"),
                    file=storage.EncryptionServiceArgs(enabled=True, key_type="Account"),
                    queue=storage.EncryptionServiceArgs(enabled=True, key_type="Account"),
                    table=storage.EncryptionServiceArgs(enabled=True, key_type="Account"),
                ),
            ),
            enable_https_traffic_only=True,
            minimum_tls_version="TLS1_2",
            allow_shared_key_access=False,
            default_to_o_auth_authentication=True,
            allow_blob_public_access=False,
            allow_cross_tenant_replication=False,
            allowed_copy_scope="PrivateLink",
            is_local_user_enabled=False,
            is_sftp_enabled=False,
            public_network_access="Disabled",
            network_rule_set=storage.NetworkRuleSetArgs(
                default_action=storage.DefaultAction.DENY, bypass="None"
            ),
            immutable_storage_with_versioning=immutability,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect_stateful),
        )
        retention = storage.DeleteRetentionPolicyArgs(enabled=True, days=spec.soft_delete_days)
        blob_service = storage.BlobServiceProperties(
            f"{name}-blob",
            resource_group_name=network.resource_group_name,
            account_name=account.name,
            blob_services_name="default",
            is_versioning_enabled=spec.versioning,
            delete_retention_policy=retention,
            container_delete_retention_policy=retention,
            change_feed=storage.ChangeFeedArgs(enabled=True),
            opts=pulumi.ResourceOptions(parent=self),
        )
        container = storage.BlobContainer(
            f"{name}-container",
            resource_group_name=network.resource_group_name,
            account_name=account.name,
            container_name=spec.purpose.value.replace("_", "-"),
            public_access=storage.PublicAccess.NONE,
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[blob_service], protect=args.protect_stateful
            ),
        )
        PrivateEndpoint(
            f"{name}-pe",
            PrivateEndpointArgs(
                resource_group_name=network.resource_group_name,
                location=network.location,
                subnet_id=network.private_endpoints_subnet_id,
                target_resource_id=account.id,
                group_id="blob",
                private_dns_zone_ids=[network.private_dns_zone_ids[PrivateZone.BLOB]],
                tags=args.tags,
                naming_base=f"{base}-pe",
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.account_id = account.id
        self.account_name = account.name
        self.blob_endpoint = account.primary_endpoints.apply(lambda endpoints: endpoints.blob)
        self.container_name = container.name
        self.register_outputs(
            {
                "account_id": self.account_id,
                "blob_endpoint": self.blob_endpoint,
                "container_name": self.container_name,
            }
        )
