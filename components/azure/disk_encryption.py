"""The disk encryption set of a cluster: node OS and data disks encrypted with the country's disk key.

Scope: a ``DiskEncryptionSet`` with double encryption (a platform key under the customer key), following Key
Vault's rotation of the key automatically, using the disk-key identity from key custody; and the read grant
AKS documents for the cluster identity on the set. Non-goals: confidential-VM disk encryption sets
(``ConfidentialVmEncryptedWithCustomerKey``), which AKS does not take for node pools.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import authorization, compute

from components.azure.catalogue import role_definition_id
from components.azure.rbac import grant

__all__ = ["DiskEncryption", "DiskEncryptionArgs"]


@dataclass(frozen=True)
class DiskEncryptionArgs:
    resource_group_name: pulumi.Input[str]
    """Resource group of the cluster."""
    location: str
    """Region of the cluster (a disk encryption set serves disks of its own region only)."""
    key_uri_with_version: pulumi.Input[str]
    """Versioned disk key URI (Azure requires the version even with automatic rotation)."""
    key_vault_id: pulumi.Input[str]
    """The Key Vault holding the key."""
    identity_id: pulumi.Input[str]
    """The identity granted the disk key (KeyCustody.keys[DISKS].identity_id)."""
    reader_principal_id: pulumi.Input[str]
    """Principal that must read the set: the cluster's control-plane identity."""
    protect_stateful: bool = True
    """Protect the set from `pulumi destroy`: disks are unreadable without it."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """The country's tags."""


class DiskEncryption(pulumi.ComponentResource):
    disk_encryption_set_id: pulumi.Output[str]
    """Resolves once the cluster identity can read the set, so a cluster using it waits for the grant."""
    reader_grant: authorization.RoleAssignment
    """The cluster identity's read grant on the set: the cluster also waits for its propagation."""

    def __init__(
        self, name: str, args: DiskEncryptionArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("sovereign:azure:DiskEncryption", name, None, opts)
        disk_encryption = compute.DiskEncryptionSet(
            f"{name}-des",
            disk_encryption_set_name=f"{name}-des",
            resource_group_name=args.resource_group_name,
            location=args.location,
            identity=compute.EncryptionSetIdentityArgs(
                type="UserAssigned", user_assigned_identities=[args.identity_id]
            ),
            active_key=compute.KeyForDiskEncryptionSetArgs(
                key_url=args.key_uri_with_version, source_vault=compute.SourceVaultArgs(id=args.key_vault_id)
            ),
            encryption_type="EncryptionAtRestWithPlatformAndCustomerKeys",
            rotation_to_latest_key_version_enabled=True,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect_stateful),
        )
        reader = grant(
            f"{name}-reader",
            principal_id=args.reader_principal_id,
            role_definition_id=role_definition_id("reader"),
            scope=disk_encryption.id,
            description="AKS reads the disk encryption set it encrypts node disks with",
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.reader_grant = reader
        self.disk_encryption_set_id = pulumi.Output.all(disk_encryption.id, reader.id).apply(
            lambda ids: ids[0]
        )
        self.register_outputs({"disk_encryption_set_id": self.disk_encryption_set_id})
