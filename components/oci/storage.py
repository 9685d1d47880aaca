"""EncryptedStorage: one Object Storage bucket per configured store, encrypted with the country's key.

Every bucket is ``NoPublicAccess``, encrypted with the customer-managed key (``kms_key_id``), emits object
events, and stays in the region: no replication policy is declared, and nothing in the Args can declare one.

- Model weights, datasets and backups: object versioning on, so an overwrite or delete keeps the old version.
- Audit logs: a *locked* time-bound retention rule instead (WORM: nobody, not even a tenancy administrator,
  can delete or change an object before the retention ends). OCI does not allow retention rules on a
  versioned bucket, and the locked rule is the stronger protection, so audit buckets are not versioned. The
  lock takes effect at ``retention_lock_date`` (OCI requires it at least 14 days after the rule is created);
  the rule's name and lock date are kept from its creation (OCI refuses to change either once locked).

Buckets are protected in prod stacks.

Non-goals: lifecycle (tiering/archive) policies, pre-authenticated requests, private endpoints for Object
Storage (traffic already stays on the service gateway).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

import pulumi
import pulumi_oci as oci

from components.oci.regions import require_region
from sovereign.clouds.oci.facts import LOCK_DELAY_DAYS
from sovereign.types import StorePurpose

if TYPE_CHECKING:
    from components.oci.key_custody import KeyCustody
    from components.oci.network import SovereignNetwork

__all__ = [
    "BucketSpec",
    "EncryptedStorage",
    "EncryptedStorageArgs",
    "default_lock_date",
    "retention_rule_name",
]

_BUCKET_NAME = re.compile(r"[A-Za-z0-9._-]{1,256}")
_STORE_NAME = re.compile(r"[a-z][a-z0-9-]{0,39}")
MAX_RETENTION_DAYS = 36500
_FIXED_AT_CREATION = ("displayName", "timeRuleLocked")


def retention_rule_name(store: str) -> str:
    """The stable display name of a store's retention rule (never the duration: see ``_bucket``)."""
    return f"{store}-locked"


def default_lock_date(as_of: date) -> date:
    """The lock date of a rule created after validation on ``as_of``: at least OCI's 14 days after creation."""
    return as_of + timedelta(days=LOCK_DELAY_DAYS)


@dataclass(frozen=True)
class BucketSpec:
    """One configured store."""

    name: str
    """Store name, unique in the country (lower case; part of the resource name and default bucket name)."""
    purpose: StorePurpose
    """What the bucket holds; decides versioning versus locked retention."""
    bucket_name: str | None = None
    """Bucket name, unique in the tenancy's namespace. Omitted: '<component name>-<store name>'."""
    versioning: bool = True
    """Keep previous object versions. Omitted: on. OCI refuses retention rules on a versioned bucket, so it is
    off for audit-log buckets."""
    retention_days: int | None = None
    """Audit logs only (required there): days every object is kept, immutable, after its last change."""
    retention_lock_date: date | None = None
    """Audit logs only (required there): the day the retention rule locks for good (OCI: >= 14 days after
    creation; the stack passes :func:`default_lock_date` unless the config names one). Used when the rule is
    created only: later changes are ignored, since OCI refuses to change a locked rule's lock time."""

    def __post_init__(self) -> None:
        where = f"stores.{self.name}"
        if not _STORE_NAME.fullmatch(self.name):
            raise ValueError(
                f"{where}: store name must be lower case letters, digits and '-' (got {self.name!r})"
            )
        if self.bucket_name is not None and not _BUCKET_NAME.fullmatch(self.bucket_name):
            raise ValueError(
                f"{where}.bucket_name: {self.bucket_name!r} (allowed: letters, digits, '.', '_', '-')"
            )
        audit = self.purpose == StorePurpose.AUDIT_LOGS
        if audit and (self.retention_days is None or self.retention_lock_date is None):
            raise ValueError(
                f"{where}: audit-log buckets need retention_days and retention_lock_date (a locked retention "
                "rule is what makes the audit trail tamper-proof)"
            )
        if not audit and (self.retention_days is not None or self.retention_lock_date is not None):
            raise ValueError(
                f"{where}: retention is only for audit_logs (got retention_days {self.retention_days}); OCI "
                "forbids retention rules on versioned buckets, and this store is versioned"
            )
        if audit and self.versioning:
            raise ValueError(
                f"{where}: versioning on an audit_logs bucket (allowed: off) - OCI refuses retention rules on "
                "versioned buckets (Oracle: 'Using Retention Rules to Preserve Data')"
            )
        if self.retention_days is not None and not 1 <= self.retention_days <= MAX_RETENTION_DAYS:
            raise ValueError(
                f"{where}.retention_days: got {self.retention_days} (allowed: 1-{MAX_RETENTION_DAYS})"
            )


@dataclass(frozen=True)
class EncryptedStorageArgs:
    network: SovereignNetwork
    """The platform network: its country compartment holds the buckets."""
    keys: KeyCustody
    """The country's keys: the Object Storage key encrypts every bucket, and buckets wait for its policy."""
    region: str
    """Region identifier of the provider; the buckets live there and only there."""
    stores: Sequence[BucketSpec]
    """One bucket per store; store names must be unique."""
    namespace: pulumi.Input[str] | None = None
    """Object Storage namespace. Omitted: looked up (``getNamespace``)."""
    freeform_tags: Mapping[str, str] = field(default_factory=dict)
    """Free-form tags on every bucket."""
    protect_stateful: bool = True
    """Protect the buckets from deletion by Pulumi (the stack sets False for non-prod)."""

    def __post_init__(self) -> None:
        require_region(self.region)
        names = [s.name for s in self.stores]
        if not names or len(names) != len(set(names)):
            raise ValueError(f"stores: need at least one store and unique store names (got {names})")


class EncryptedStorage(pulumi.ComponentResource):
    namespace: pulumi.Output[str]
    bucket_names: dict[str, pulumi.Output[str]]
    """Bucket name by store name."""
    bucket_ids: dict[str, pulumi.Output[str]]

    def __init__(
        self, name: str, args: EncryptedStorageArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("sovereign:oci:EncryptedStorage", name, None, opts)
        namespace = (
            pulumi.Output.from_input(args.namespace)
            if args.namespace is not None
            else oci.objectstorage.get_namespace_output(
                compartment_id=args.network.compartment_id, opts=pulumi.InvokeOutputOptions(parent=self)
            ).namespace
        )
        buckets = {spec.name: self._bucket(name, spec, namespace, args) for spec in args.stores}
        self.namespace = namespace
        self.bucket_names = {store: bucket.name for store, bucket in buckets.items()}
        self.bucket_ids = {store: bucket.id for store, bucket in buckets.items()}
        self.register_outputs({"namespace": self.namespace, "bucket_names": self.bucket_names})

    def _bucket(
        self, name: str, spec: BucketSpec, namespace: pulumi.Output[str], args: EncryptedStorageArgs
    ) -> oci.objectstorage.Bucket:
        retention = None
        if spec.retention_days is not None and spec.retention_lock_date is not None:
            retention = [
                oci.objectstorage.BucketRetentionRuleArgs(
                    # The provider matches rules by display name: a new name creates a rule and deletes the old
                    # one, which OCI refuses once locked (terraform-provider-oci objectstorage_bucket_resource.go,
                    # categorizeRetentionRules). So the name never carries the duration: raising retention_days
                    # is an update of the same rule, the one change OCI allows on a locked rule.
                    display_name=retention_rule_name(spec.name),
                    duration=oci.objectstorage.BucketRetentionRuleDurationArgs(
                        time_amount=str(spec.retention_days), time_unit="DAYS"
                    ),
                    time_rule_locked=f"{spec.retention_lock_date.isoformat()}T00:00:00Z",
                )
            ]
        return oci.objectstorage.Bucket(
            f"{name}-{spec.name}",
            compartment_id=args.network.compartment_id,
            namespace=namespace,
            name=spec.bucket_name or f"{name}-{spec.name}",
            access_type="NoPublicAccess",
            kms_key_id=args.keys.object_storage_key_id,
            # Retention rules and versioning exclude each other in OCI; audit buckets take the locked rule.
            versioning="Enabled" if spec.versioning else "Disabled",
            retention_rules=retention,
            object_events_enabled=True,
            storage_tier="Standard",
            auto_tiering="Disabled",
            freeform_tags={**args.freeform_tags, "sovereign.ai/store-purpose": spec.purpose.value},
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=args.protect_stateful,
                # "Once a rule is locked, only increases in the duration are allowed and no other properties
                # can be changed" (Oracle, CreateRetentionRuleDetails.TimeRuleLocked). The lock date and the
                # name are therefore the creation-time values for good: the lock date is computed from the
                # first deployment's date, and stacks created before the stable name keep their old
                # '<store>-locked-<n>d' name (renaming a locked rule is itself a refused update).
                ignore_changes=[f"retentionRules[0].{p}" for p in _FIXED_AT_CREATION] if retention else None,
                # Object Storage checks its key access at creation: before the key policy has propagated the
                # bucket fails with 404-NotAuthorizedOrFoundKmsKey (oracle/terraform-provider-oci#1514).
                depends_on=[args.keys.key_access_ready],
            ),
        )
