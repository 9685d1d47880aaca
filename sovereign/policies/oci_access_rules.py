"""OCI controls that must exist in the plan, not only in the config: break-glass access, the locked audit
retention, and the in-country key replica.

- ``oci-break-glass-access``: every break-glass group is bound to ``cluster-admin`` by its OCID (OKE maps RBAC
  Group subjects to IAM groups by OCID: Oracle, "About Access Control and Kubernetes Engine (OKE)",
  contengaboutaccesscontrol.htm), holds an IAM ``manage all-resources`` grant on the country compartment (vault
  and keys included: key recovery), and no other group is cluster-admin.
- ``oci-audit-retention-locked``: every audit-log bucket has a time-bound retention rule that locks
  (``timeRuleLocked``), at least as long as the store's ``retention_days``, locking no later than
  ``MAX_LOCK_DELAY_DAYS`` after the validation date, and versioning off (OCI refuses retention rules on versioned
  buckets). "Once a rule is locked, only increases in the duration are allowed" (Oracle,
  CreateRetentionRuleDetails.TimeRuleLocked): an unlocked rule can be deleted by any bucket manager.
- ``oci-key-replica-in-country``: every vault replica (``oci:Kms/vaultVerification``) is in an in-country region
  the stack allows, and a country with a secondary region has its replica there (the disaster recovery
  ``regions.secondary`` promises).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from sovereign.catalogue import find_region
from sovereign.clouds.oci.facts import MAX_LOCK_DELAY_DAYS
from sovereign.clouds.oci.settings import OciCountry
from sovereign.policies.model import Finding, PolicyContext, ResourceView, Rule
from sovereign.types import Cloud, StorePurpose

__all__ = ["OCI_ACCESS_RULES"]

CLUSTER_ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"
POLICY = "oci:Identity/policy:Policy"
BUCKET = "oci:ObjectStorage/bucket:Bucket"
VAULT_REPLICA = "oci:Kms/vaultVerification:VaultVerification"
PURPOSE_TAG = "sovereign.ai/store-purpose"


def _is_oci(ctx: PolicyContext) -> bool:
    return isinstance(ctx.config, OciCountry)


def _admin_groups(binding: ResourceView) -> set[str]:
    """Group subjects of a ClusterRoleBinding to the ClusterRole cluster-admin (empty for any other role)."""
    ref = binding.get("roleRef") or {}
    if not isinstance(ref, dict) or ref.get("kind") != "ClusterRole" or ref.get("name") != "cluster-admin":
        return set()
    subjects: Any = binding.get("subjects") or []
    return {
        str(s.get("name"))
        for s in subjects
        if isinstance(s, dict) and s.get("kind") == "Group" and s.get("name") is not None
    }


def _manages_compartment(statement: str, group_ocid: str) -> bool:
    text = " ".join(statement.split()).lower()
    return bool(
        re.match(
            rf"allow group id {re.escape(group_ocid.lower())} to manage (all-resources|vaults|keys|key-family) "
            r"in compartment id ",
            text,
        )
    )


def _break_glass(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    config = ctx.config
    if not isinstance(config, OciCountry):
        return
    wanted = [g for g in config.access.break_glass_groups if g.ocid]
    bound: set[str] = set()
    for r in resources:
        if r.type == CLUSTER_ROLE_BINDING:
            groups = _admin_groups(r)
            bound |= groups
            for extra in sorted(groups - {g.ocid for g in wanted}):
                yield Finding(
                    f"group '{extra}' is bound to cluster-admin but is not a break-glass group: only the "
                    "(normally empty) break-glass groups hold cluster-admin",
                    r.urn,
                )
    statements = [
        str(s)
        for r in resources
        if r.type == POLICY
        for s in (r.get("statements") or [])
        if isinstance(s, str)
    ]
    for g in wanted:
        ocid = str(g.ocid)
        if ocid not in bound:
            yield Finding(
                f"break-glass group '{g.name}' ({ocid}) is bound to no cluster-admin ClusterRoleBinding: OKE gives "
                "an IAM group no Kubernetes RBAC role by default, so the group cannot administer the cluster"
            )
        if not any(_manages_compartment(s, ocid) for s in statements):
            yield Finding(
                f"break-glass group '{g.name}' ({ocid}) has no IAM policy statement 'Allow group id {ocid} to manage "
                "all-resources in compartment id ...': it cannot recover keys (cancel a deletion, restore a backup)"
            )


def _lock_date(value: Any) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _audit_locked(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    if not _is_oci(ctx):
        return
    stores = {s.name: s for s in ctx.config.storage.stores if s.purpose == StorePurpose.AUDIT_LOGS}
    buckets = [
        r
        for r in resources
        if r.type == BUCKET
        and (r.get("freeformTags") or {}).get(PURPOSE_TAG) == StorePurpose.AUDIT_LOGS.value
    ]
    if stores and not buckets:
        yield Finding(f"no audit-log bucket declared for store(s) {sorted(stores)}")
    latest = ctx.as_of + dt.timedelta(days=MAX_LOCK_DELAY_DAYS)
    for b in buckets:
        store = next((s for name, s in stores.items() if str(b.get("name", "")).endswith(f"-{name}")), None)
        wanted = store.retention_days if store is not None and store.retention_days else 1
        rules: Any = b.get("retentionRules") or []
        locked = []
        for rule in rules if isinstance(rules, list) else []:
            days = (rule.get("duration") or {}).get("timeAmount") if isinstance(rule, dict) else None
            when = _lock_date(rule.get("timeRuleLocked")) if isinstance(rule, dict) else None
            if when is not None and days is not None and str(days).isdigit():
                locked.append((int(str(days)), when))
        if not locked:
            yield Finding(
                "audit-log bucket has no locked retention rule (duration and timeRuleLocked): until a rule locks, "
                "anyone who manages the bucket can delete the rule and then the audit trail",
                b.urn,
            )
            continue
        days, when = max(locked)
        if days < wanted:
            yield Finding(f"locked retention {days} days < the store's retention_days {wanted}", b.urn)
        if when > latest:
            yield Finding(
                f"retention locks on {when}, more than {MAX_LOCK_DELAY_DAYS} days after {ctx.as_of}: the audit "
                "trail stays deletable until then",
                b.urn,
            )
        if b.get("versioning") not in (None, "Disabled"):
            yield Finding(
                "audit-log bucket is versioned: OCI refuses retention rules on versioned buckets", b.urn
            )


def _replica_in_country(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    if not _is_oci(ctx):
        return
    replicas = [r for r in resources if r.type == VAULT_REPLICA]
    for r in replicas:
        region = str(r.get("replicaRegion") or "")
        found = find_region(Cloud.OCI, region)
        if found is None or found.country != ctx.config.country or region not in ctx.allowed_regions:
            yield Finding(
                f"vault replica in {region!r}: keys may be copied only to an in-country region the stack allows "
                f"({', '.join(sorted(ctx.allowed_regions))})",
                r.urn,
            )
    secondary = ctx.config.regions.secondary
    if secondary and not any(r.get("replicaRegion") == secondary for r in replicas):
        yield Finding(
            f"regions.secondary is '{secondary}' but no vault replica is declared there: the keys would be lost "
            "with the primary region, so nothing restored in the secondary could be decrypted"
        )


OCI_ACCESS_RULES: tuple[Rule, ...] = (
    Rule(
        "oci-break-glass-access",
        "OCI: every break-glass group is cluster-admin by OCID and may manage the country compartment (key "
        "recovery); no other group is cluster-admin.",
        _break_glass,
        lambda r: r.type in (CLUSTER_ROLE_BINDING, POLICY),
        reads=("inputs.roleRef.*", "inputs.subjects*", "inputs.statements*"),
    ),
    Rule(
        "oci-audit-retention-locked",
        "OCI: every audit-log bucket has a locked retention rule at least as long as the store's, locking within "
        f"{MAX_LOCK_DELAY_DAYS} days, on an unversioned bucket.",
        _audit_locked,
        lambda r: r.type == BUCKET,
        reads=("inputs.retentionRules*", "inputs.versioning", "inputs.freeformTags*"),
    ),
    Rule(
        "oci-key-replica-in-country",
        "OCI: vault replicas only in allowed in-country regions, and one in the secondary region when it is set.",
        _replica_in_country,
        lambda r: r.type == VAULT_REPLICA,
        reads=("inputs.replicaRegion",),
    ),
)
