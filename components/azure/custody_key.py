"""One customer-managed key, the identity that may use it, and that identity's grant on that key alone.

Scope: an RSA-HSM key in a Key Vault Premium (non-exportable, with an expiry and an automatic rotation policy),
a user-assigned managed identity for the one service that uses the key, and an Azure RBAC role assignment
scoped to the key (not the vault): "Key Vault Crypto Service Encryption User" (get, wrap, unwrap) for disks,
storage, the registry and Log Analytics; "Key Vault Crypto User" plus "Key Vault Contributor" on the vault for
AKS KMS, which needs encrypt/decrypt and manages its private-link access to a private vault itself.

Rotation: Key Vault creates new versions on the policy's schedule; consumers given the versionless URI (storage,
registry, Log Analytics) follow automatically, disk encryption sets follow through rotationToLatestKeyVersion,
AKS KMS takes the versioned URI and follows on the next ``pulumi up --refresh``. The Keys API of Resource
Manager creates a key only if it does not exist, so a changed rotation policy reaches an existing key only
through ``az keyvault key rotation-policy update``.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import authorization, keyvault, managedidentity

from components.azure.catalogue import KeyPurpose, role_definition_id
from components.azure.rbac import grant, propagation_wait

__all__ = ["CustodyKey", "CustodyKeyArgs", "KeyLifetime"]

MIN_EXPIRY_DAYS = 28
"""Key Vault refuses a rotation policy whose expiry is shorter than 28 days."""
MIN_ROTATION_DAYS = 7
"""Key Vault's minimum interval between automatic rotations."""


@dataclass(frozen=True)
class KeyLifetime:
    """How long a key version lives and when Key Vault replaces it."""

    rotate_after_days: int = 180
    """Days after a version's creation at which Key Vault creates the next one. Omitted: 180."""
    expiry_days: int = 365
    """Days after creation at which a version expires (new data can no longer be wrapped). Omitted: 365."""
    notify_before_expiry_days: int = 30
    """Days before expiry at which Key Vault emits a near-expiry event. Omitted: 30."""
    key_size_bits: int = 3072
    """RSA modulus of RSA-HSM keys: 3072 or 4096. Omitted: 3072 (2048 is not offered)."""

    def __post_init__(self) -> None:
        if self.key_size_bits not in (3072, 4096):
            raise ValueError(
                f"key_size_bits: {self.key_size_bits} is not allowed (got {self.key_size_bits}; allowed: 3072, "
                "4096) - 2048-bit RSA is below current guidance for keys that protect data for years"
            )
        if self.expiry_days < MIN_EXPIRY_DAYS:
            raise ValueError(
                f"expiry_days: {self.expiry_days} is too short (allowed: {MIN_EXPIRY_DAYS} or more) - "
                "Key Vault rejects shorter rotation-policy expiries"
            )
        if (
            not MIN_ROTATION_DAYS
            <= self.rotate_after_days
            < self.expiry_days - self.notify_before_expiry_days
        ):
            raise ValueError(
                f"rotate_after_days: {self.rotate_after_days} does not rotate before the near-expiry notice "
                f"(got {self.rotate_after_days} with expiry_days={self.expiry_days} and "
                f"notify_before_expiry_days={self.notify_before_expiry_days}; allowed: {MIN_ROTATION_DAYS} to "
                f"{self.expiry_days - self.notify_before_expiry_days - 1}) - a key that expires before it is "
                "rotated stops wrapping new data; rotate earlier or extend the expiry"
            )
        if self.notify_before_expiry_days < 1:
            raise ValueError(
                f"notify_before_expiry_days: must be at least 1 (got {self.notify_before_expiry_days})"
            )


@dataclass(frozen=True)
class CustodyKeyArgs:
    resource_group_name: pulumi.Input[str]
    """Resource group of the identity (and of the vault)."""
    location: str
    """Azure region of the identity."""
    purpose: KeyPurpose
    """What the key protects; decides its operations and the role its identity receives."""
    vault_name: pulumi.Input[str]
    """Name of the Key Vault Premium that holds the key."""
    vault_id: pulumi.Input[str]
    """Resource id of that vault (the scope of the AKS KMS vault-level grant)."""
    lifetime: KeyLifetime = field(default_factory=KeyLifetime)
    """Size, rotation and expiry of a created key. Omitted: the KeyLifetime defaults."""
    protect_stateful: bool = True
    """Protect the key from `pulumi destroy`; the key is always retained in Azure when removed from the stack."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for the key and the identity."""


def _expires_epoch(days: int) -> float:
    # Rounded to the day so that re-running a plan the same day gives the same value; ignore_changes keeps the
    # creation-time value afterwards (later versions get their expiry from the rotation policy).
    today = datetime.datetime.now(datetime.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return (today + datetime.timedelta(days=days)).timestamp()


class CustodyKey(pulumi.ComponentResource):
    key_name: pulumi.Output[str]
    key_id: pulumi.Output[str]
    """Resource id of the key: the scope of grants on it."""
    key_uri: pulumi.Output[str]
    """Versionless URI: consumers that follow rotation automatically take this one."""
    key_uri_with_version: pulumi.Output[str]
    """Versioned URI (AKS KMS and disk encryption sets require a version)."""
    identity_id: pulumi.Output[str]
    identity_principal_id: pulumi.Output[str]
    identity_client_id: pulumi.Output[str]
    grants_propagated: pulumi.Resource
    """The wait after this key's grants; the identity outputs above resolve only after it."""

    def __init__(self, name: str, args: CustodyKeyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("sovereign:azure:CustodyKey", name, None, opts)
        tags = dict(args.tags)
        identity = managedidentity.UserAssignedIdentity(
            f"{name}-identity",
            resource_name_=f"{name}-identity",
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        key = self._create_key(name, args, tags)
        grants = self._grant(name, args, identity, key)
        self.key_name = key.name
        self.key_id = key.id
        self.key_uri = key.key_uri
        self.key_uri_with_version = key.key_uri_with_version
        # The identity outputs resolve only once its grants exist and have had Azure's propagation time (up to
        # 10 minutes, see components/azure/rbac.py): a consumer (disk encryption set, storage account, registry,
        # AKS KMS) validates key access when it is created, so it depends on the grant and on the wait.
        self.grants_propagated = propagation_wait(
            f"{name}-grant-propagation", grants, pulumi.ResourceOptions(parent=self)
        )
        granted = [*(g.id for g in grants), self.grants_propagated.id]
        self.identity_id = pulumi.Output.all(identity.id, *granted).apply(lambda values: values[0])
        self.identity_principal_id = pulumi.Output.all(identity.principal_id, *granted).apply(
            lambda values: values[0]
        )
        self.identity_client_id = pulumi.Output.all(identity.client_id, *granted).apply(
            lambda values: values[0]
        )
        self.register_outputs(
            {
                "key_uri": self.key_uri,
                "key_uri_with_version": self.key_uri_with_version,
                "identity_id": self.identity_id,
            }
        )

    def _grant(
        self,
        name: str,
        args: CustodyKeyArgs,
        identity: managedidentity.UserAssignedIdentity,
        key: keyvault.Key,
    ) -> list[authorization.RoleAssignment]:
        is_etcd = args.purpose is KeyPurpose.ETCD
        grants = [
            grant(
                f"{name}-key-access",
                principal_id=identity.principal_id,
                role_definition_id=role_definition_id(
                    "key_vault_crypto_user" if is_etcd else "key_vault_crypto_service_encryption_user"
                ),
                scope=key.id,
                description=f"{args.purpose.value}: use of this key only",
                opts=pulumi.ResourceOptions(parent=self),
            )
        ]
        if is_etcd:
            grants.append(
                grant(
                    f"{name}-vault-link",
                    principal_id=identity.principal_id,
                    role_definition_id=role_definition_id("key_vault_contributor"),
                    scope=args.vault_id,
                    description="AKS KMS with a private key vault manages its private-link access",
                    opts=pulumi.ResourceOptions(parent=self),
                )
            )
        return grants

    def _create_key(self, name: str, args: CustodyKeyArgs, tags: dict[str, str]) -> keyvault.Key:
        lifetime = args.lifetime
        operations = ["wrapKey", "unwrapKey"]
        if args.purpose is KeyPurpose.ETCD:
            operations += [
                "encrypt",
                "decrypt",
            ]  # the AKS KMS plugin encrypts data keys with RSA-OAEP directly
        return keyvault.Key(
            f"{name}-key",
            resource_group_name=args.resource_group_name,
            vault_name=args.vault_name,
            key_name=f"{args.purpose.value}-cmk",
            properties=keyvault.KeyPropertiesArgs(
                kty="RSA-HSM",
                key_size=lifetime.key_size_bits,
                key_ops=operations,
                attributes=keyvault.KeyAttributesArgs(
                    enabled=True, exportable=False, expires=_expires_epoch(lifetime.expiry_days)
                ),
                rotation_policy=keyvault.RotationPolicyArgs(
                    attributes=keyvault.KeyRotationPolicyAttributesArgs(
                        expiry_time=f"P{lifetime.expiry_days}D"
                    ),
                    lifetime_actions=[
                        keyvault.LifetimeActionArgs(
                            action=keyvault.ActionArgs(type=keyvault.KeyRotationPolicyActionType.ROTATE),
                            trigger=keyvault.TriggerArgs(time_after_create=f"P{lifetime.rotate_after_days}D"),
                        ),
                        keyvault.LifetimeActionArgs(
                            action=keyvault.ActionArgs(type=keyvault.KeyRotationPolicyActionType.NOTIFY),
                            trigger=keyvault.TriggerArgs(
                                time_before_expiry=f"P{lifetime.notify_before_expiry_days}D"
                            ),
                        ),
                    ],
                ),
            ),
            tags=tags,
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=args.protect_stateful,
                # A deleted key makes every disk, blob and secret it wrapped unreadable: never delete with the stack.
                retain_on_delete=True,
                ignore_changes=["properties.attributes.expires"],
            ),
        )
