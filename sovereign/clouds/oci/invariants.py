"""Invariants that concern only OCI countries: what OCI cannot honour, or the OCI components would refuse, is
refused here first rather than silently weakened.

Each is a small named function yielding :class:`Violation` s; ``INVARIANTS`` is run by
``sovereign.config.invariants.check_invariants`` after the cloud-neutral ones.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Iterator

from sovereign.catalogue import find_region, regions_in_country
from sovereign.clouds.oci.facts import (
    MAX_LOCK_DELAY_DAYS,
    MAX_VCN_PREFIX,
    MIN_LOCK_DELAY_DAYS,
    MIN_ROTATION_DAYS,
    MIN_VCN_PREFIX,
    POOL_NAME_PATTERN,
)
from sovereign.clouds.oci.settings import OciCountry
from sovereign.config.base import ModelRegister
from sovereign.config.derived import used_regions
from sovereign.config.errors import Violation
from sovereign.config.limits import MAX_ROTATION_DAYS, MIN_ALLOW_LIST_PREFIX_LENGTH
from sovereign.rules.allow_lists import cidr_entry_problem
from sovereign.types import ConfidentialTier, StorePurpose

__all__ = ["INVARIANTS"]

_POOL_NAME = re.compile(POOL_NAME_PATTERN)


def regions_in_realm(c: OciCountry, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Every region used belongs to the tenancy's realm (a stack lives in one realm)."""
    shown = ", ".join(r.name for r in regions_in_country(c.cloud, c.country, c.oci.realm)) or "none"
    for path, name in used_regions(c).items():
        region = find_region(c.cloud, name)
        if region is not None and region.country == c.country and region.realm != c.oci.realm:
            yield Violation(
                path,
                f"region '{name}' is in realm '{region.realm}', not the configured "
                f"'{c.oci.realm}' (allowed: {shown})",
                "use a region of the tenancy's realm",
            )


def buckets_stay_in_region(c: OciCountry, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """No geo redundancy on OCI: it would need a cross-region replication policy the toolkit does not build."""
    for i, store in enumerate(c.storage.stores):
        if store.redundancy.is_geo:
            yield Violation(
                ("storage", "stores", i, "redundancy"),
                f"'{store.redundancy}' would add a cross-region replication policy; the toolkit "
                "keeps OCI buckets in one region (allowed: local, zone)",
                "use 'zone'",
            )


def audit_buckets_lock(c: OciCountry, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Audit-log buckets carry a locked retention rule, so they are unversioned (OCI forbids retention rules
    on versioned buckets, Oracle "Using Retention Rules to Preserve Data"); other buckets carry no retention."""
    for i, store in enumerate(c.storage.stores):
        path = ("storage", "stores", i)
        if store.purpose == StorePurpose.AUDIT_LOGS:
            yield from _lock_date_in_bounds(store.retention_lock_date, (*path, "retention_lock_date"), as_of)
            if store.enable_versioning is True:
                yield Violation(
                    (*path, "enable_versioning"),
                    "OCI forbids retention rules on versioned buckets (got true; allowed: false or omitted)",
                    "remove 'enable_versioning' (off by default for OCI audit-log stores)",
                )
            continue
        for key in ("retention_days", "retention_lock_date"):
            if getattr(store, key) is not None:
                yield Violation(
                    (*path, key),
                    f"OCI retention rules are for audit_logs stores only (got one on a '{store.purpose}' store, "
                    "which is versioned)",
                    f"remove '{key}'",
                )


def _lock_date_in_bounds(
    lock: dt.date | None, path: tuple[str | int, ...], as_of: dt.date
) -> Iterator[Violation]:
    """OCI locks a rule no sooner than 14 days after its creation ("A mandatory 14-day delay exists before a rule
    is locked", docs.oracle.com/en-us/iaas/Content/Object/Tasks/usingretentionrules_topic-To_create_a_retention_
    rule.htm); a far-off lock leaves the trail changeable. Omitted, the stack derives the date from the validation
    date, which never goes stale."""
    if lock is None:
        return
    earliest = as_of + dt.timedelta(days=MIN_LOCK_DELAY_DAYS)
    latest = as_of + dt.timedelta(days=MAX_LOCK_DELAY_DAYS)
    if not earliest <= lock <= latest:
        yield Violation(
            path,
            f"{lock.isoformat()} is outside {earliest.isoformat()}..{latest.isoformat()} ({MIN_LOCK_DELAY_DAYS} to "
            f"{MAX_LOCK_DELAY_DAYS} days after the validation date {as_of.isoformat()}): "
            + (
                f"OCI refuses a lock sooner than {MIN_LOCK_DELAY_DAYS} days after the rule is created"
                if lock < earliest
                else "the audit trail would stay changeable until then"
            ),
            "remove 'retention_lock_date' (the stack locks 30 days after the deployment that creates the rule; "
            "an existing rule keeps its lock date)",
        )


_PRIVATE_RANGES = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
)


def api_endpoint_is_reachable(c: OciCountry, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """The private API endpoint admits the deploying runners' private ranges, and only private ranges: without
    one, the program's own Kubernetes provider cannot connect; a public range would face the API outward."""
    cidrs = c.oci.api_client_cidrs
    if not cidrs:
        yield Violation(
            ("oci", "api_client_cidrs"),
            "no range may reach the cluster's private Kubernetes API (6443 is open only to its own nodes and "
            "pods), so the deployment's Kubernetes provider cannot connect",
            "add the private CIDR of your in-network CI runners or bastion, e.g. 'api_client_cidrs: "
            "[10.0.200.0/24]'",
        )
    for i, cidr in enumerate(cidrs):
        net = ipaddress.ip_network(cidr, strict=False)
        if not any(net.version == r.version and net.subnet_of(r) for r in _PRIVATE_RANGES):  # pyright: ignore[reportArgumentType]
            yield Violation(
                ("oci", "api_client_cidrs", i),
                f"'{cidr}' is not a private range (allowed: inside 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, "
                "100.64.0.0/10); the API endpoint stays private",
                "use the private range your runners reach the VCN from (through the landing zone's DRG)",
            )
            continue
        problem = cidr_entry_problem(cidr, min_prefix=MIN_ALLOW_LIST_PREFIX_LENGTH)
        if problem is not None:
            yield Violation(
                ("oci", "api_client_cidrs", i),
                f"{problem}: every host of the landing zone could reach the cluster's Kubernetes API",
                "list only the deploying runners' and the bastion's subnets (e.g. 10.0.200.0/24)",
            )


def no_confidential_nodes(c: OciCountry, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """OKE managed node pools cannot run confidential VMs: the node pool API has no platform configuration
    (pulumi_oci.containerengine.NodePool and NodePoolNodeConfigDetailsArgs have no ``platform_config`` or
    memory-encryption flag; terraform-oci-oke sets ``platform_config`` only on self-managed instances, instance
    pools and compute clusters, never in modules/workers/nodepools.tf). A confidential tier would be a promise
    the nodes do not keep, so it is refused."""
    tier = c.cluster.confidential_tier
    if tier != ConfidentialTier.NONE:
        yield Violation(
            ("cluster", "confidential_tier"),
            f"'{tier}': OKE managed node pools have no confidential-computing option (allowed on OCI: none), so "
            "the nodes would be ordinary VMs",
            "set 'confidential_tier: none' (models of tier high or critical then cannot be served on OCI), or "
            "host the country on a cloud with confidential node pools",
        )


def access_groups_by_ocid(c: OciCountry, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Admin and break-glass groups are existing groups, named by OCID in the admin policy: OCI refuses a policy
    whose subject names a group that does not exist, and the stack creates none (groups and their membership
    belong to the identity domain). Oracle's policy syntax names a group by OCID as ``group id <group_ocid>``
    (https://docs.oracle.com/iaas/Content/Identity/policysyntax/subject.htm)."""
    for kind in ("admin_groups", "break_glass_groups"):
        for i, group in enumerate(getattr(c.access, kind)):
            if group.ocid is None:
                yield Violation(
                    ("access", kind, i, "ocid"),
                    f"group '{group.name}' has no OCID: the admin policy names groups by OCID, because OCI "
                    "rejects a policy naming a group that does not exist and the stack creates no groups",
                    "create the group in the identity domain (or find it), then add 'ocid: ocid1.group.oc1..<id>' "
                    "(Console: Identity & Security > Domains > <domain> > Groups > the group's OCID)",
                )


def rbac_groups_by_ocid(c: OciCountry, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Tenant groups are bound in the cluster's RBAC by OCID: OKE reports IAM groups to Kubernetes RBAC by OCID
    (Oracle, "About Access Control and Kubernetes Engine (OKE)", contengaboutaccesscontrol.htm: a group subject is
    ``name: <group-ocid>``), so a RoleBinding to the display name would give the tenant nothing."""
    for i, tenant in enumerate(c.tenants):
        if tenant.group.ocid is None:
            yield Violation(
                ("tenants", i, "group", "ocid"),
                f"tenant '{tenant.name}': group '{tenant.group.name}' has no OCID; OKE names IAM groups in "
                "Kubernetes RBAC by OCID, so a RoleBinding to the name would bind nobody",
                "add 'ocid: ocid1.group.oc1..<id>' of the tenant's existing IAM group (Console: Identity & "
                "Security > Domains > <domain> > Groups)",
            )


def keys_rotate(c: OciCountry, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Keys rotate within OCI's bounds for automatic rotation (the virtual private vault's)."""
    days = c.key_custody.rotation_days
    if days < MIN_ROTATION_DAYS:
        yield Violation(
            ("key_custody", "rotation_days"),
            f"OCI rotates at most every {MIN_ROTATION_DAYS} days "
            f"(got {days}; allowed: {MIN_ROTATION_DAYS}-{MAX_ROTATION_DAYS})",
            f"use {MIN_ROTATION_DAYS} or more",
        )


def compartment_is_named(c: OciCountry, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """A parent compartment is given by OCID and path together (quota statements name compartments by path)."""
    if (c.oci.parent_compartment_id is None) != (c.oci.parent_compartment_path is None):
        yield Violation(
            ("oci", "parent_compartment_path"),
            "parent_compartment_id and parent_compartment_path go "
            "together (quota statements name compartments by path)",
            "set both, or neither for the root",
        )


def vcn_fits_the_network(c: OciCountry, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """The VCN is a /16 to /24, which the network component carves into its subnets."""
    for i, cidr in enumerate(c.network.address_space):
        prefix = ipaddress.ip_network(cidr).prefixlen
        if not MIN_VCN_PREFIX <= prefix <= MAX_VCN_PREFIX:
            yield Violation(
                ("network", "address_space", i),
                f"a /{prefix} VCN (allowed: /{MIN_VCN_PREFIX} to /{MAX_VCN_PREFIX})",
                "use a /16 to /24 address space",
            )


def pools_fit_oke(c: OciCountry, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Pool names are valid OKE node pool names, and the system pool is a flexible shape (the stack sizes it
    with ocpus and memory_gib, which fixed shapes refuse)."""
    for i, pool in enumerate(c.cluster.gpu_pools):
        if not _POOL_NAME.fullmatch(pool.name):
            yield Violation(
                ("cluster", "gpu_pools", i, "name"),
                f"'{pool.name}': OKE pool names are at most 30 lower-case letters, digits and '-'",
                "shorten it",
            )
    if not c.cluster.system_pool.vm_size.endswith(".Flex"):
        yield Violation(
            ("cluster", "system_pool", "vm_size"),
            f"'{c.cluster.system_pool.vm_size}' is a fixed shape (allowed: '.Flex' shapes, sized by ocpus and "
            "memory_gib)",
            "use a flexible shape such as VM.Standard.E5.Flex",
        )


INVARIANTS = (
    regions_in_realm,
    buckets_stay_in_region,
    audit_buckets_lock,
    keys_rotate,
    access_groups_by_ocid,
    rbac_groups_by_ocid,
    api_endpoint_is_reachable,
    no_confidential_nodes,
    compartment_is_named,
    vcn_fits_the_network,
    pools_fit_oke,
)
"""OCI's invariants, run after the cloud-neutral ones for OCI countries."""
