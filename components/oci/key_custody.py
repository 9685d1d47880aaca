"""KeyCustody: the country's OCI Vault, its customer-managed keys, and who may use them.

Declares:

- a virtual private vault (``VIRTUAL_PRIVATE``: the country's own HSM partition; OCI rotates keys
  automatically only there, so it is the one tier). No replica is ever declared (replicas are a separate
  ``VaultVerification`` resource this component does not create), so key material stays in the vault's region;
- three AES-256 master encryption keys with HSM protection, one per purpose (Kubernetes secrets in etcd,
  boot and block volumes, Object Storage), with automatic rotation from the config;
- an RSA-4096 HSM key for signing container images, which the cluster's image verification policy trusts
  (not auto-rotated: a rotation must be coordinated with the signing pipeline);
- :class:`components.oci.key_access.KeyAccessPolicies`: dynamic groups and one region-conditioned policy,
  and the propagation wait (``key_access_ready``) that buckets, the cluster, node pools and the storage class
  wait for (Object Storage, OKE and Block Volume check key access when a consumer is created).

Vault and keys are protected and retained on delete in prod stacks: deleting a key makes every volume, bucket
and etcd secret encrypted with it unreadable. In non-prod stacks ``pulumi destroy`` deletes them the way OCI
deletes key material, by scheduling it: the provider's Delete calls ScheduleKeyDeletion and
ScheduleVaultDeletion (terraform-provider-oci internal/service/kms/kms_key_resource.go and
kms_vault_resource.go; their delete targets are PENDING_DELETION or DELETED), and without ``time_of_deletion``
OCI deletes 30 days later (oci-go-sdk keymanagement ScheduleVaultDeletionDetails: "between 7 and 30 days ...
set to 30 days from the time of the request by default"); until then CancelVaultDeletion restores them. A
retained staging vault would instead stay, and be billed, after every destroy.

Non-goals: external key managers (EKMS), key import (BYOK), cross-region replicas, secrets in the vault.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
import pulumi_oci as oci

from components.oci.key_access import KeyAccessPolicies, KeyAccessPoliciesArgs
from components.oci.regions import require_region

if TYPE_CHECKING:
    from components.oci.network import SovereignNetwork

__all__ = ["KeyCustody", "KeyCustodyArgs"]

AES_256_BYTES = 32
RSA_4096_BYTES = 512
ROTATION_DAYS_MIN, ROTATION_DAYS_MAX = 60, 365  # OCI's bounds for automatic key rotation
_PURPOSE_KEYS = ("cluster-secrets", "volumes", "object-storage")


@dataclass(frozen=True)
class KeyCustodyArgs:
    network: SovereignNetwork
    """The platform network: its country compartment holds the vault, the keys and the key policy."""
    tenancy_id: pulumi.Input[str]
    """Tenancy OCID, for the dynamic groups (which live in the root compartment)."""
    region: str
    """Region identifier of the vault (the stack's region); key policies are limited to it."""
    rotation_interval_days: int = 90
    """Automatic rotation interval of the AES keys, 60-365 days."""
    enable_image_signing_key: bool = True
    """Create the RSA image-signing key the cluster's image verification trusts."""
    identity_provider: pulumi.ProviderResource | None = None
    """OCI provider for the tenancy's home region, used for the dynamic groups and policy (IAM accepts
    writes only there). Omitted: the inherited provider, right when the stack's region is the home region."""
    freeform_tags: Mapping[str, str] = field(default_factory=dict)
    """Free-form tags on every resource."""
    protect_stateful: bool = True
    """Protect vault and keys from deletion by Pulumi and keep them when the stack is destroyed (the stack sets
    False for non-prod, where a destroy schedules their deletion)."""

    def __post_init__(self) -> None:
        require_region(self.region)
        days = self.rotation_interval_days
        if not ROTATION_DAYS_MIN <= days <= ROTATION_DAYS_MAX:
            raise ValueError(
                f"rotation_interval_days: got {days} (allowed: {ROTATION_DAYS_MIN}-{ROTATION_DAYS_MAX}, "
                "OCI's bounds for automatic rotation)"
            )


class KeyCustody(pulumi.ComponentResource):
    vault_id: pulumi.Output[str]
    management_endpoint: pulumi.Output[str]
    crypto_endpoint: pulumi.Output[str]
    cluster_secrets_key_id: pulumi.Output[str]
    volume_key_id: pulumi.Output[str]
    object_storage_key_id: pulumi.Output[str]
    image_signing_key_id: pulumi.Output[str] | None
    cluster_dynamic_group_name: pulumi.Output[str]
    worker_dynamic_group_name: pulumi.Output[str]
    key_policy_id: pulumi.Output[str]
    key_access_ready: pulumi.Resource
    """The wait after the key policy (``KeyAccessPolicies.ready``): every key consumer depends on it."""

    def __init__(self, name: str, args: KeyCustodyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("sovereign:oci:KeyCustody", name, None, opts)
        tags = dict(args.freeform_tags)
        keep = pulumi.ResourceOptions(
            parent=self, protect=args.protect_stateful, retain_on_delete=args.protect_stateful
        )
        compartment_id = args.network.compartment_id

        vault = oci.kms.Vault(
            f"{name}-vault",
            compartment_id=compartment_id,
            display_name=f"{name}-vault",
            vault_type="VIRTUAL_PRIVATE",
            freeform_tags=tags,
            opts=keep,
        )
        rotation = args.rotation_interval_days
        keys = {
            purpose: oci.kms.Key(
                f"{name}-{purpose}",
                compartment_id=compartment_id,
                display_name=f"{name}-{purpose}",
                management_endpoint=vault.management_endpoint,
                key_shape=oci.kms.KeyKeyShapeArgs(algorithm="AES", length=AES_256_BYTES),
                protection_mode="HSM",
                is_auto_rotation_enabled=True,
                auto_key_rotation_details=oci.kms.KeyAutoKeyRotationDetailsArgs(
                    rotation_interval_in_days=rotation
                ),
                freeform_tags=tags,
                opts=keep,
            )
            for purpose in _PURPOSE_KEYS
        }
        signing_key = None
        if args.enable_image_signing_key:
            signing_key = oci.kms.Key(
                f"{name}-image-signing",
                compartment_id=compartment_id,
                display_name=f"{name}-image-signing",
                management_endpoint=vault.management_endpoint,
                key_shape=oci.kms.KeyKeyShapeArgs(algorithm="RSA", length=RSA_4096_BYTES),
                protection_mode="HSM",
                is_auto_rotation_enabled=False,
                freeform_tags=tags,
                opts=keep,
            )
        access = KeyAccessPolicies(
            f"{name}-access",
            KeyAccessPoliciesArgs(
                tenancy_id=args.tenancy_id,
                compartment_id=compartment_id,
                region=args.region,
                cluster_secrets_key_id=keys["cluster-secrets"].id,
                volume_key_id=keys["volumes"].id,
                object_storage_key_id=keys["object-storage"].id,
                image_signing_key_id=signing_key.id if signing_key is not None else None,
                freeform_tags=tags,
            ),
            opts=pulumi.ResourceOptions(
                parent=self, providers=[args.identity_provider] if args.identity_provider else None
            ),
        )

        self.vault_id = vault.id
        self.management_endpoint = vault.management_endpoint
        self.crypto_endpoint = vault.crypto_endpoint
        self.cluster_secrets_key_id = keys["cluster-secrets"].id
        self.volume_key_id = keys["volumes"].id
        self.object_storage_key_id = keys["object-storage"].id
        self.image_signing_key_id = signing_key.id if signing_key is not None else None
        self.cluster_dynamic_group_name = access.cluster_dynamic_group_name
        self.worker_dynamic_group_name = access.worker_dynamic_group_name
        self.key_policy_id = access.policy_id
        self.key_access_ready = access.ready
        self.register_outputs(
            {
                "vault_id": self.vault_id,
                "cluster_secrets_key_id": self.cluster_secrets_key_id,
                "volume_key_id": self.volume_key_id,
                "object_storage_key_id": self.object_storage_key_id,
                "image_signing_key_id": self.image_signing_key_id,
                "key_policy_id": self.key_policy_id,
            }
        )
