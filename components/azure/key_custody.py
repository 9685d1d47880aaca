"""Key custody for a country: the HSM-backed key store, one key per purpose, and who may use each key.

Scope: by ``KeyCustodyTier``, either a Key Vault Premium (keys in FIPS 140 Level 3 HSMs, RBAC authorization)
or a Managed HSM pool (single-tenant HSMs whose security domain the country's custodians hold). Either way:
purge protection, soft delete kept 90 days, public network access disabled, a private endpoint with its DNS
records, and one ``CustodyKey`` per ``KeyPurpose`` with its own identity and a grant on that key only.

The vault keeps Azure's trusted-service exception on: disk encryption sets, Storage and Azure Monitor reach
the vault as trusted Microsoft services, not through the virtual network, and fail with the exception off. It
grants no access by itself: every use still needs the RBAC role on the key, which only the purpose identities
created here hold.

Managed HSM: Resource Manager can create the pool but not its keys or its local role assignments, and the
pool serves nothing until its custodians download the security domain (a quorum ceremony that deliberately
stays manual). First deploy the pool, run the ceremony, create the keys with ``az keyvault key create
--hsm-name``, then pass their versioned URIs as ``managed_hsm_key_uris``. Managed HSM geo-replication
(``regions``) is never set: a replica would hold key material outside the country.
Non-goals: secrets and certificates, key release policies for confidential workloads, backups of keys.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import authorization, keyvault

from components.azure.catalogue import KeyPurpose, require_uuids
from components.azure.custody_key import CustodyKey, CustodyKeyArgs, KeyLifetime
from components.azure.private_endpoint import PrivateEndpoint, PrivateEndpointArgs
from sovereign.types import KeyCustodyTier

__all__ = ["KeyCustody", "KeyCustodyArgs"]

SOFT_DELETE_DAYS = 90
"""The maximum Azure allows: a deleted vault, HSM or key stays recoverable for 90 days."""
AZURE_TIERS = (KeyCustodyTier.KEY_VAULT_PREMIUM, KeyCustodyTier.MANAGED_HSM)


@dataclass(frozen=True)
class KeyCustodyArgs:
    resource_group_name: pulumi.Input[str]
    """Resource group of the vault, the keys' identities and the private endpoint."""
    location: str
    """Azure region; keys never leave it (no geo-replicated HSM regions are configured)."""
    private_endpoint_subnet_id: pulumi.Input[str]
    """Private-endpoint subnet of the platform network."""
    private_dns_zone_id: pulumi.Input[str]
    """privatelink.vaultcore.azure.net (Key Vault) or privatelink.managedhsm.azure.net (Managed HSM) zone id."""
    tier: KeyCustodyTier = KeyCustodyTier.KEY_VAULT_PREMIUM
    """key_vault_premium or managed_hsm (the OCI tiers are refused). Omitted: key_vault_premium."""
    purposes: Sequence[KeyPurpose] = tuple(KeyPurpose)
    """One key and one identity per purpose. Omitted: disks, etcd, storage, registry and logs."""
    lifetime: KeyLifetime = field(default_factory=KeyLifetime)
    """Key size, rotation and expiry, from the country config. Omitted: 3072-bit, rotate 180 d, expire 365 d."""
    tenant_id: pulumi.Input[str] | None = None
    """Entra tenant of the vault. Omitted: the tenant of the deploying credentials (getClientConfig)."""
    vault_name: str | None = None
    """Azure name of the vault or HSM (globally unique, 3-24 characters). Omitted: derived with a random suffix."""
    hsm_administrator_object_ids: Sequence[str] = ()
    """Managed HSM only, required there: Entra object ids of the custodians who become its initial admins."""
    managed_hsm_key_uris: Mapping[KeyPurpose, str] = field(default_factory=dict)
    """Managed HSM only: versioned URIs of the keys created after the security-domain ceremony, per purpose."""
    protect_stateful: bool = True
    """Protect the vault and keys from `pulumi destroy` (the stack sets False outside prod)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """The country's tags."""

    def __post_init__(self) -> None:
        if self.tier not in AZURE_TIERS:
            raise ValueError(
                f"tier: {self.tier.value!r} is not an Azure custody tier (got {self.tier.value}; allowed: "
                f"{', '.join(t.value for t in AZURE_TIERS)}) - the OCI tiers belong to the OCI components"
            )
        if not self.purposes:
            raise ValueError("purposes: empty (allowed: one or more KeyPurpose) - nothing would be encrypted")
        if self.tier is KeyCustodyTier.MANAGED_HSM:
            if not self.hsm_administrator_object_ids:
                raise ValueError(
                    "hsm_administrator_object_ids: empty for tier 'managed_hsm' (allowed: the object ids of the "
                    "key custodians) - Azure requires initial administrators and nobody else can activate the HSM"
                )
            require_uuids("hsm_administrator_object_ids", self.hsm_administrator_object_ids)
        elif self.managed_hsm_key_uris or self.hsm_administrator_object_ids:
            raise ValueError(
                "managed_hsm_key_uris / hsm_administrator_object_ids: set for tier 'key_vault_premium' (allowed: "
                "empty) - they only apply to a Managed HSM; remove them or change the tier"
            )


class KeyCustody(pulumi.ComponentResource):
    vault_id: pulumi.Output[str]
    """Resource id of the Key Vault or Managed HSM."""
    vault_uri: pulumi.Output[str]
    """https://<name>.vault.azure.net/ or https://<name>.managedhsm.azure.net/"""
    keys: dict[KeyPurpose, CustodyKey]
    """Per purpose: key_name, key_uri (versionless), key_uri_with_version, identity_id/principal_id/client_id.
    With Managed HSM, only the purposes whose key URI was passed in."""

    def __init__(self, name: str, args: KeyCustodyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("sovereign:azure:KeyCustody", name, None, opts)
        tenant_id = (
            args.tenant_id
            or authorization.get_client_config_output(opts=pulumi.InvokeOutputOptions(parent=self)).tenant_id
        )
        # The vault (or HSM pool) is retained on delete like its keys: deleting it would take every key with it.
        stateful = pulumi.ResourceOptions(parent=self, protect=args.protect_stateful, retain_on_delete=True)
        if args.tier is KeyCustodyTier.KEY_VAULT_PREMIUM:
            vault = keyvault.Vault(
                f"{name}-vault",
                resource_group_name=args.resource_group_name,
                vault_name=args.vault_name,
                location=args.location,
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
            vault_name: pulumi.Output[str] | None = vault.name
            self.vault_uri = vault.properties.apply(lambda p: p.vault_uri or "")
            group_id = "vault"
        else:
            vault = keyvault.ManagedHsm(
                f"{name}-hsm",
                resource_group_name=args.resource_group_name,
                name=args.vault_name,
                location=args.location,
                sku=keyvault.ManagedHsmSkuArgs(family="B", name=keyvault.ManagedHsmSkuName.STANDARD_B1),
                properties=keyvault.ManagedHsmPropertiesArgs(
                    tenant_id=tenant_id,
                    initial_admin_object_ids=list(args.hsm_administrator_object_ids),
                    enable_purge_protection=True,
                    enable_soft_delete=True,
                    soft_delete_retention_in_days=SOFT_DELETE_DAYS,
                    public_network_access="Disabled",
                    network_acls=keyvault.MHSMNetworkRuleSetArgs(
                        default_action="Deny", bypass="AzureServices"
                    ),
                ),
                tags=dict(args.tags),
                opts=stateful,
            )
            vault_name = None
            self.vault_uri = vault.properties.apply(lambda p: p.hsm_uri or "")
            group_id = "managedhsm"
        PrivateEndpoint(
            f"{name}-pe",
            PrivateEndpointArgs(
                resource_group_name=args.resource_group_name,
                location=args.location,
                subnet_id=args.private_endpoint_subnet_id,
                target_resource_id=vault.id,
                group_id=group_id,
                private_dns_zone_ids=[args.private_dns_zone_id],
                tags=args.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.vault_id = vault.id
        self.keys = {}
        for purpose in args.purposes:
            existing = args.managed_hsm_key_uris.get(purpose)
            if args.tier is KeyCustodyTier.MANAGED_HSM and existing is None:
                continue  # the key does not exist before the security-domain ceremony; see the module docstring
            self.keys[purpose] = CustodyKey(
                f"{name}-{purpose.value}",
                CustodyKeyArgs(
                    resource_group_name=args.resource_group_name,
                    location=args.location,
                    purpose=purpose,
                    vault_name=vault_name,
                    vault_id=vault.id,
                    existing_key_uri=existing,
                    lifetime=args.lifetime,
                    protect_stateful=args.protect_stateful,
                    tags=args.tags,
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs(
            {
                "vault_id": self.vault_id,
                "vault_uri": self.vault_uri,
                "key_uris": {purpose.value: key.key_uri for purpose, key in self.keys.items()},
            }
        )
