"""Invariants that concern only Azure countries: what AKS, Key Vault, Storage and Log Analytics would refuse,
or what the Azure stack cannot build, is refused here first, with the file line and a fix.

Each is a small named function yielding :class:`Violation` s; ``INVARIANTS`` is run by
``sovereign.config.invariants.check_invariants`` after the cloud-neutral ones.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Iterator

from sovereign.clouds.azure.facts import (
    MAX_SOFT_DELETE_DAYS,
    MAX_WORKSPACE_RETENTION_DAYS,
    MIN_API_SERVER_PREFIX,
    POOL_NAME_PATTERN,
)
from sovereign.clouds.azure.settings import AzureCountry
from sovereign.config.base import ModelRegister
from sovereign.config.errors import PathParts, Violation
from sovereign.config.limits import MIN_PLATFORM_KEY_JUSTIFICATION_CHARS
from sovereign.rules.residency import geo_pair_of
from sovereign.types import EgressMode, KeyCustodyTier, StorePurpose

__all__ = ["INVARIANTS"]

_POOL_NAME = re.compile(POOL_NAME_PATTERN)
_DNS_SERVICE_OFFSET = 10
"""The stack gives CoreDNS the service range's 11th address (AKS reserves the first two)."""


def no_cross_border_replication(
    c: AzureCountry, register: ModelRegister, as_of: dt.date
) -> Iterator[Violation]:
    """Geo-redundant storage only where the primary region's replication pair is in the same country."""
    for i, store in enumerate(c.storage.stores):
        if not store.redundancy.is_geo:
            continue
        path = ("storage", "stores", i, "redundancy")
        geo = geo_pair_of(c.cloud, c.regions.primary, c.country)
        if geo is None:
            continue  # reported by regions_lie_in_country
        if not geo.stays_in_country:
            yield Violation(
                path, geo.refusal(), "use 'zone' (zone-redundant storage never leaves the region)"
            )


def keys_the_stack_can_build(c: AzureCountry, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Keys live where the stack can create them (not Managed HSM, whose keys exist only after its
    security-domain ceremony), and an opt-out to platform keys for the logs is justified in writing."""
    if c.azure.key_custody.tier == KeyCustodyTier.MANAGED_HSM:
        yield Violation(
            ("azure", "key_custody", "tier"),
            "the stack cannot create Managed HSM keys: they exist only after "
            "the HSM's security-domain ceremony, outside Pulumi (allowed: key_vault_premium)",
            "use 'key_vault_premium' (keys in FIPS 140 HSMs)",
        )
    justification = c.azure.logs_platform_key_justification
    if justification is not None and len(justification.strip()) < MIN_PLATFORM_KEY_JUSTIFICATION_CHARS:
        yield Violation(
            ("azure", "logs_platform_key_justification"),
            "platform-managed keys need a written "
            f"justification of at least {MIN_PLATFORM_KEY_JUSTIFICATION_CHARS} characters",
            "explain why, or remove it to use the customer-managed key",
        )


def logs_fit_the_workspace(c: AzureCountry, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Log retention fits a Log Analytics workspace (longer history belongs in the audit-log store)."""
    if c.audit_logging.retention_days > MAX_WORKSPACE_RETENTION_DAYS:
        yield Violation(
            ("audit_logging", "retention_days"),
            f"{c.audit_logging.retention_days} days exceeds a Log "
            f"Analytics workspace's {MAX_WORKSPACE_RETENTION_DAYS}",
            "keep longer audit history "
            "in the immutable audit-log store (storage.stores with purpose audit_logs)",
        )


def stores_fit_blob_storage(c: AzureCountry, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Audit-log stores keep versions (version-level immutability requires blob versioning, Microsoft
    "Configure immutability policies for blob versions"); other stores' retention is soft delete, 1-365 days."""
    for i, s in enumerate(c.storage.stores):
        path = ("storage", "stores", i)
        if s.purpose == StorePurpose.AUDIT_LOGS:
            if s.enable_versioning is False:
                yield Violation(
                    (*path, "enable_versioning"),
                    "Azure audit-log stores need blob versioning for version-level immutability "
                    "(got false; allowed: true or omitted)",
                    "remove 'enable_versioning' (on by default)",
                )
        elif s.retention_days is not None and s.retention_days > MAX_SOFT_DELETE_DAYS:
            yield Violation(
                (*path, "retention_days"),
                f"{s.retention_days} days of soft delete (allowed: 1-{MAX_SOFT_DELETE_DAYS} for a "
                f"'{s.purpose}' store; locked retention is for audit_logs stores)",
                f"use at most {MAX_SOFT_DELETE_DAYS}",
            )


def network_is_private(c: AzureCountry, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """The virtual network uses private ranges only, the API server subnet is large enough for VNet
    integration, pods' overlay range overlaps nothing, and the service range holds the DNS service address."""
    ranges: list[tuple[PathParts, str]] = [
        (("network", "address_space", i), a) for i, a in enumerate(c.network.address_space)
    ]
    ranges += [(("network", "subnets", k), v) for k, v in c.network.subnets.model_dump().items()]
    for path, cidr in ranges:
        if not ipaddress.ip_network(cidr).is_private:
            yield Violation(
                path,
                f"{cidr} is not a private IPv4 range (allowed: RFC 1918 ranges such as 10.0.0.0/8)",
                "a public range in a private network leaks routes and breaks egress control; use a private one",
            )
    api = ipaddress.ip_network(c.network.subnets.api_server)
    if api.prefixlen > MIN_API_SERVER_PREFIX:
        yield Violation(
            ("network", "subnets", "api_server"),
            f"/{api.prefixlen} is too small for API Server VNet Integration "
            f"(allowed: /{MIN_API_SERVER_PREFIX} or larger)",
            f"use a /{MIN_API_SERVER_PREFIX} or larger subnet",
        )
    pods = ipaddress.ip_network(c.azure.pod_cidr)
    others: list[tuple[PathParts, str]] = [
        (("network", "address_space", i), a) for i, a in enumerate(c.network.address_space)
    ]
    others.append((("network", "service_cidr"), c.network.service_cidr))
    for path, cidr in others:
        if pods.overlaps(ipaddress.ip_network(cidr)):
            yield Violation(
                ("azure", "pod_cidr"),
                f"{pods} overlaps {'.'.join(map(str, path))} ({cidr})",
                "use non-overlapping ranges",
            )
    services = ipaddress.ip_network(c.network.service_cidr)
    if services.num_addresses <= _DNS_SERVICE_OFFSET:
        yield Violation(
            ("network", "service_cidr"),
            f"/{services.prefixlen} has no room for the cluster DNS address (its .{_DNS_SERVICE_OFFSET}; "
            "allowed: /28 or larger)",
            "use a larger service range, e.g. 172.16.0.0/16",
        )


def egress_is_explicit(c: AzureCountry, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Egress is none, or an allow-list enforced by a private firewall: destinations, the firewall's IP and its
    policy (where the stack writes the destinations) are given exactly when the mode is an allow-list."""
    egress = c.azure.egress
    base = ("azure", "egress")
    if egress.mode == EgressMode.NONE and egress.allowed_destinations:
        yield Violation(
            (*base, "allowed_destinations"),
            "destinations listed with mode 'none'",
            "set mode 'allow_list' or remove the destinations",
        )
    if egress.mode == EgressMode.ALLOW_LIST and not egress.allowed_destinations:
        yield Violation(
            (*base, "allowed_destinations"),
            "mode 'allow_list' with no destinations",
            "list the destinations, or use mode 'none'",
        )
    if egress.mode == EgressMode.ALLOW_LIST and egress.firewall_ip is None:
        yield Violation(
            (*base, "firewall_ip"),
            "mode 'allow_list' routes all outbound traffic to the country's egress firewall",
            "add its private IP as 'firewall_ip'",
        )
    if egress.mode == EgressMode.NONE and egress.firewall_ip is not None:
        yield Violation((*base, "firewall_ip"), "a firewall with mode 'none'", "remove firewall_ip")
    if egress.mode == EgressMode.ALLOW_LIST and egress.firewall_policy_id is None:
        yield Violation(
            (*base, "firewall_policy_id"),
            "mode 'allow_list' needs the firewall's policy, where the stack writes the allowed destinations "
            "(without it the list would be enforced nowhere)",
            "add the Azure Firewall policy's resource id as 'firewall_policy_id'",
        )
    if egress.mode == EgressMode.NONE and egress.firewall_policy_id is not None:
        yield Violation(
            (*base, "firewall_policy_id"), "a firewall policy with mode 'none'", "remove firewall_policy_id"
        )
    if egress.firewall_ip is not None and not egress.firewall_ip.is_private:
        yield Violation(
            (*base, "firewall_ip"),
            f"{egress.firewall_ip} is public (allowed: a private IP of the hub's firewall)",
            "routing to a public address would bypass the allow-list; use the firewall's private IP",
        )


def pool_names_fit_aks(c: AzureCountry, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """GPU pool names are valid AKS Linux pool names (1-12 lower-case letters and digits)."""
    for i, pool in enumerate(c.cluster.gpu_pools):
        if not _POOL_NAME.fullmatch(pool.name):
            yield Violation(
                ("cluster", "gpu_pools", i, "name"),
                f"'{pool.name}': AKS pool names are 1-12 lower-case letters and digits",
                "shorten it and drop hyphens",
            )


INVARIANTS = (
    no_cross_border_replication,
    keys_the_stack_can_build,
    logs_fit_the_workspace,
    stores_fit_blob_storage,
    network_is_private,
    egress_is_explicit,
    pool_names_fit_aks,
)
"""Azure's invariants, run after the cloud-neutral ones for Azure countries."""
