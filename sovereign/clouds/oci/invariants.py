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
from sovereign.clouds.oci.facts import MAX_VCN_PREFIX, MIN_ROTATION_DAYS, MIN_VCN_PREFIX, POOL_NAME_PATTERN
from sovereign.clouds.oci.settings import OciCountry
from sovereign.config.base import ModelRegister
from sovereign.config.derived import used_regions
from sovereign.config.errors import Violation
from sovereign.config.limits import MAX_ROTATION_DAYS
from sovereign.types import StorePurpose

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
            if store.retention_lock_date is None:
                yield Violation(
                    (*path, "retention_lock_date"),
                    "an OCI audit bucket's retention rule is locked from a date you choose",
                    "add 'retention_lock_date: YYYY-MM-DD' (at least 14 days after the first deployment)",
                )
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
    compartment_is_named,
    vcn_fits_the_network,
    pools_fit_oke,
)
"""OCI's invariants, run after the cloud-neutral ones for OCI countries."""
