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

from sovereign.catalogue import machine_size, regions_in_country
from sovereign.catalogue.aks_versions import aks_version, aks_versions_supported_on
from sovereign.clouds.azure.facts import (
    MAX_SOFT_DELETE_DAYS,
    MAX_WORKSPACE_RETENTION_DAYS,
    MIN_API_SERVER_PREFIX,
    POOL_NAME_PATTERN,
    USER_POOL_NAME,
)
from sovereign.clouds.azure.settings import AzureCountry
from sovereign.config.base import ModelRegister
from sovereign.config.errors import PathParts, Violation
from sovereign.config.limits import (
    MIN_ALLOW_LIST_PREFIX_LENGTH,
    MIN_EGRESS_JUSTIFICATION_CHARS,
    MIN_PLATFORM_KEY_JUSTIFICATION_CHARS,
)
from sovereign.config.text import justification_problem
from sovereign.rules.allow_lists import cidr_entry_problem, fqdn_entry_problem, private_next_hop_problem
from sovereign.rules.residency import geo_pair_of, key_vault_fix, key_vault_replica_of
from sovereign.rules.service_egress import DEFENDER_DESTINATIONS
from sovereign.types import Cloud, ConfidentialTier, EgressMode, Environment, KeyCustodyTier, StorePurpose

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


def keys_stay_in_country(c: AzureCountry, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """The key vault, created in the primary region, is copied by Azure to that region's pair (see
    ``sovereign.rules.residency.KEY_VAULT_REGIONS_WITHOUT_REPLICA``): refuse a primary region whose Key Vault
    copy lies in another country, where the country's keys would be kept abroad."""
    replica = key_vault_replica_of(c.regions.primary, c.country)
    if replica is None or replica.stays_in_country:
        return  # an unknown region is reported by regions_lie_in_country
    fitting = [
        r.name
        for r in regions_in_country(Cloud.AZURE, c.country)
        if (kv := key_vault_replica_of(r.name, c.country)) is not None and kv.stays_in_country
    ]
    allowed = ", ".join(fitting) if fitting else f"none: every Azure region of '{c.country}' copies it abroad"
    yield Violation(
        ("regions", "primary"),
        f"{replica.refusal()} (allowed: an in-country region whose Key Vault copy stays in the country: {allowed})",
        key_vault_fix(c.country),
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
    problem = (
        None
        if justification is None
        else justification_problem(justification, min_chars=MIN_PLATFORM_KEY_JUSTIFICATION_CHARS)
    )
    if problem is not None:
        yield Violation(
            ("azure", "logs_platform_key_justification"),
            f"platform-managed keys for the logs need a written justification; this is none: {problem}",
            "explain in a sentence why the logs may use Microsoft's keys (e.g. the 100 GB/day dedicated cluster "
            "against the country's daily volume), or remove it to use the customer-managed key",
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
    if egress.mode == EgressMode.ALLOW_LIST and not egress.allowed_destinations and not c.azure.defender:
        yield Violation(
            (*base, "allowed_destinations"),
            "mode 'allow_list' with no destinations (and no 'defender', which adds its own)",
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
    # firewall_ip's range and place: egress_allow_list_means_something.


def defender_can_report(c: AzureCountry, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Defender's sensor must reach Microsoft Defender's service on the Internet; with egress 'none' it would
    run and report nothing, a control that only looks on (``sovereign.rules.service_egress``)."""
    if c.azure.defender and c.azure.egress.mode == EgressMode.NONE:
        hosts = ", ".join(d.fqdn for d in DEFENDER_DESTINATIONS)
        yield Violation(
            ("azure", "defender"),
            "Microsoft Defender for Containers cannot reach its service with egress mode 'none' (it needs "
            f"HTTPS to {hosts}; allowed with egress mode: allow_list)",
            "set azure.egress.mode to 'allow_list' with the firewall's firewall_ip and firewall_policy_id (the "
            "stack adds Defender's destinations to the firewall policy), or remove 'defender'",
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


def user_pool_fits(c: AzureCountry, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """The CPU user pool 'apps' is a catalogue CPU size, confidential when the tier is, and its name is not
    taken by a GPU pool: without it the chat front end and tenant workloads fit no pool (finding A5)."""
    pool, path = c.cluster.user_pool, ("cluster", "user_pool")
    size = machine_size(Cloud.AZURE, pool.vm_size)
    if size is None or size.gpus:
        yield Violation(
            (*path, "vm_size"),
            f"'{pool.vm_size}' is not an Azure CPU size in the catalogue",
            "use a CPU size listed in sovereign/catalogue/machines.py, e.g. Standard_D8ds_v5",
        )
    elif c.cluster.confidential_tier is not ConfidentialTier.NONE and not size.confidential:
        yield Violation(
            (*path, "vm_size"),
            f"'{pool.vm_size}' is not a confidential VM size (tier '{c.cluster.confidential_tier}'): the chat "
            "front end would handle citizens' conversations on ordinary hardware",
            "use a confidential size such as Standard_DC8as_v5, or lower the confidential tier",
        )
    if pool.node_count_min > pool.node_count_max:
        yield Violation(
            (*path, "node_count_min"),
            f"{pool.node_count_min} is above node_count_max {pool.node_count_max}",
            "lower node_count_min or raise node_count_max",
        )
    for i, gpu_pool in enumerate(c.cluster.gpu_pools):
        if gpu_pool.name == USER_POOL_NAME:
            yield Violation(
                ("cluster", "gpu_pools", i, "name"),
                f"'{USER_POOL_NAME}' is the CPU user pool's name (pool names are unique in a cluster)",
                "rename the GPU pool",
            )


def confidential_gpus_can_get_their_driver(
    c: AzureCountry, register: ModelRegister, as_of: dt.date
) -> Iterator[Violation]:
    """Confidential GPU pools get their signed driver from the GPU Operator, which builds it from OS packages:
    without an in-country mirror (``azure.gpu_driver_mirror``) the build fails with no egress and the GPUs
    never serve. One operator serves the cluster, so GPU pools are all confidential or none (AKS installs the
    driver on the others: learn.microsoft.com/azure/aks/use-confidential-gpus)."""
    kinds = {
        pool.name: (size is not None and size.confidential)
        for pool in c.cluster.gpu_pools
        for size in [machine_size(Cloud.AZURE, pool.vm_size)]
    }
    mirror = c.azure.gpu_driver_mirror
    if len(set(kinds.values())) > 1:
        yield Violation(
            ("cluster", "gpu_pools"),
            f"GPU pools mix confidential and other GPU sizes ({kinds}): the one GPU Operator of a cluster either "
            "installs the driver (confidential GPUs) or leaves it to AKS (the others)",
            "put every GPU pool on the same kind of size",
        )
    if any(kinds.values()) and mirror is None:
        yield Violation(
            ("azure", "gpu_driver_mirror"),
            "confidential GPU pools need the GPU Operator to build the signed NVIDIA driver from OS packages, and "
            "with no egress nothing can reach Ubuntu's archive (omitted)",
            "set azure.gpu_driver_mirror.apt_sources and .cidrs to the country's Ubuntu package mirror",
        )
    if mirror is not None and not any(kinds.values()):
        yield Violation(
            ("azure", "gpu_driver_mirror"),
            "set, but no GPU pool is confidential: AKS installs the driver on these pools and the mirror would "
            "be used by nothing",
            "remove azure.gpu_driver_mirror",
        )
    for i, cidr in enumerate(mirror.cidrs if mirror else ()):
        if not ipaddress.ip_network(str(cidr)).is_private:
            yield Violation(
                ("azure", "gpu_driver_mirror", "cidrs", i),
                f"'{cidr}' is not a private range: the driver pods would be allowed out to the Internet",
                "use the mirror's private (in-country network) addresses",
            )


def kubernetes_version_in_aks_support(
    c: AzureCountry, register: ModelRegister, as_of: dt.date
) -> Iterator[Violation]:
    """The Kubernetes minor is in AKS support on the validation date: past its end of life AKS creates no
    cluster on it (platform support), and before its GA month ends it is not in every region
    (sovereign/catalogue/aks_versions.py cites the AKS release calendar)."""
    minor = c.cluster.kubernetes_version
    supported = aks_versions_supported_on(as_of)
    if not supported:
        yield Violation(
            ("cluster", "kubernetes_version"),
            f"no AKS version in the catalogue is supported on {as_of} (the catalogue is out of date)",
            "add the current minors to sovereign/catalogue/aks_versions.py from the AKS release calendar",
        )
        return
    allowed = f"allowed on {as_of}: {', '.join(supported)}"
    version = aks_version(minor)
    if version is None:
        what = f"'{minor}' is not an AKS version in the catalogue ({allowed})"
        fix = (
            "use an allowed version; if AKS has released it since, add its row to "
            "sovereign/catalogue/aks_versions.py from the AKS release calendar"
        )
    elif as_of > version.end_of_life:
        # An out-of-support cluster upgrades only to the oldest supported minor, a supported one one minor at
        # a time (supported-kubernetes-versions.md, "Can I skip multiple AKS versions during a cluster upgrade?").
        what = f"AKS support for '{minor}' ended on {version.end_of_life} ({allowed})"
        fix = f"set '{supported[0]}', the oldest supported minor: the one AKS upgrades an out-of-support cluster to"
    elif as_of < version.ga:
        what = f"'{minor}' is not generally available in every AKS region before {version.ga} ({allowed})"
        fix = "use an allowed version, or validate again from that date"
    else:
        return
    yield Violation(("cluster", "kubernetes_version"), what, fix)


def audit_stores_state_their_lock(
    c: AzureCountry, register: ModelRegister, as_of: dt.date
) -> Iterator[Violation]:
    """``lock_immutability`` belongs to audit-log stores, and a prod audit-log store states it: Azure creates
    the immutability policy unlocked (settings.AzureStore), so prod either says the lock is pending (false,
    until the store's first deployment) or that it is locked (true). Silence would leave WORM revocable."""
    for i, s in enumerate(c.storage.stores):
        path = ("storage", "stores", i, "lock_immutability")
        if s.purpose != StorePurpose.AUDIT_LOGS:
            if s.lock_immutability is not None:
                yield Violation(
                    path,
                    f"set on a '{s.purpose}' store (allowed: audit_logs stores only; only they have an "
                    "immutability policy)",
                    "remove 'lock_immutability' from this store",
                )
        elif s.lock_immutability is None and c.environment == Environment.PROD:
            yield Violation(
                path,
                f"prod audit-log store '{s.name}' does not say whether its immutability policy is locked "
                "(allowed: true, or false while the lock is pending the store's first deployment)",
                "set 'lock_immutability: false' for the first deployment (Azure creates the policy unlocked), "
                "then 'lock_immutability: true' and deploy again to lock it (irreversible)",
            )


def egress_allow_list_means_something(
    c: AzureCountry, register: ModelRegister, as_of: dt.date
) -> Iterator[Violation]:
    """Every allow-list entry admits what it names and says why (``sovereign.rules.allow_lists``,
    ``sovereign.config.text``): no destination is a wildcard over a public suffix, each has a real justification,
    the mirror's ranges are narrow, and the firewall next hop is an RFC 1918 or RFC 6598 address (Azure treats
    100.64.0.0/10 "as private address space in Azure Virtual Network": Azure Architecture Center, "Prevent IPv4
    exhaustion in Azure", MicrosoftDocs/architecture-center docs/guide/networking/ipv4-exhaustion-content.md) that is no
    host of the cluster: an address in one of its subnets, the pod overlay or the service range would make a node,
    pod or Service the "firewall" that sees and passes all outbound traffic."""
    egress = c.azure.egress
    base = ("azure", "egress")
    for i, d in enumerate(egress.allowed_destinations):
        path = (*base, "allowed_destinations", i)
        problem = fqdn_entry_problem(d.fqdn)
        if problem is not None:
            yield Violation(
                (*path, "fqdn"),
                f"{problem} (allowed: a host name, or '*.' over a domain the country can name, e.g. "
                "'*.packages.example.de')",
                "list the exact host names the cluster needs",
            )
        problem = justification_problem(d.justification, min_chars=MIN_EGRESS_JUSTIFICATION_CHARS)
        if problem is not None:
            yield Violation(
                (*path, "justification"),
                f"not a justification for '{d.fqdn}': {problem}",
                "say in a sentence what in the cluster needs this host and why it cannot be mirrored in-country",
            )
    ip = egress.firewall_ip
    if ip is not None:
        problem = private_next_hop_problem(str(ip))
        own = [(("network", "subnets", k), v) for k, v in c.network.subnets.model_dump().items() if v]
        own += [
            (("azure", "pod_cidr"), c.azure.pod_cidr),
            (("network", "service_cidr"), c.network.service_cidr),
        ]
        inside = next(
            (f"{'.'.join(map(str, p))} ({r})" for p, r in own if ip in ipaddress.ip_network(r)), None
        )
        if problem is not None:
            yield Violation(
                (*base, "firewall_ip"),
                f"{problem}: outbound traffic would be routed to an address that is no firewall of the country's "
                "hub network",
                "use the private IP of the hub's Azure Firewall (its ipConfigurations' private address)",
            )
        elif inside is not None:
            yield Violation(
                (*base, "firewall_ip"),
                f"{ip} lies in this cluster's own {inside}: the next hop for all outbound traffic would be a node, "
                "pod or Service of the cluster, not the country's firewall",
                "use the private IP of the hub's Azure Firewall, outside the cluster's subnets, pod and service "
                "ranges",
            )
    mirror = c.azure.gpu_driver_mirror
    for i, cidr in enumerate(mirror.cidrs if mirror else ()):
        problem = cidr_entry_problem(str(cidr), min_prefix=MIN_ALLOW_LIST_PREFIX_LENGTH)
        if problem is not None and ipaddress.ip_network(str(cidr)).is_private:  # public: refused above
            yield Violation(
                ("azure", "gpu_driver_mirror", "cidrs", i),
                f"{problem}: the driver pods would be allowed to far more than the mirror",
                "list the mirror's own addresses (a few hosts, e.g. 10.250.0.0/28)",
            )


INVARIANTS = (
    no_cross_border_replication,
    keys_stay_in_country,
    keys_the_stack_can_build,
    logs_fit_the_workspace,
    stores_fit_blob_storage,
    audit_stores_state_their_lock,
    network_is_private,
    egress_is_explicit,
    egress_allow_list_means_something,
    defender_can_report,
    pool_names_fit_aks,
    user_pool_fits,
    confidential_gpus_can_get_their_driver,
    kubernetes_version_in_aks_support,
)
"""Azure's invariants, run after the cloud-neutral ones for Azure countries."""
