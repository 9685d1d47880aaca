"""Cross-field sovereignty invariants of a country config.

Each invariant is a small named function with a docstring saying which failure it prevents; each yields
:class:`Violation` s (path, what is wrong with got/allowed, how to fix) and never stops at the first, so a
config is reported whole in one pass. The same facts are checked again on the plan by ``sovereign.policies``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Callable, Iterator

from sovereign.catalogue import find_region, kubernetes_versions, machine_size
from sovereign.config.derived import allowed_regions, gpu_capacity, registry_prefix, used_regions
from sovereign.config.errors import Violation
from sovereign.config.schema import CountryConfig, ModelRegister
from sovereign.types import Cloud, ConfidentialTier, EgressMode, KeyCustodyTier, StorePurpose, parse_image_ref

__all__ = ["INVARIANTS", "check_invariants"]

MAX_ROTATION_DAYS = 365
MIN_AUDIT_RETENTION_DAYS = 365
MIN_JUSTIFICATION_CHARS = 40
_AZURE_POOL_NAME_MAX = 12

Check = Callable[[CountryConfig, ModelRegister, dt.date], Iterator[Violation]]


def regions_lie_in_country(c: CountryConfig, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Every region the config uses exists and lies in the country (and the OCI realm): data residency."""
    allowed = allowed_regions(c)
    shown = ", ".join(allowed) or "none in the catalogue"
    for path, name in used_regions(c).items():
        region = find_region(c.cloud, name)
        if region is None:
            yield Violation(
                path,
                f"unknown {c.cloud} region '{name}' (allowed for '{c.country}': {shown})",
                "use one of the allowed regions; a missing region is added to sovereign/catalogue/regions.py",
            )
        elif region.country != c.country:
            yield Violation(
                path,
                f"region '{name}' lies in '{region.country}', not in '{c.country}' (allowed: {shown})",
                "choose an in-country region",
            )
        elif c.cloud == Cloud.OCI and c.oci and region.realm != c.oci.realm:
            yield Violation(
                path,
                f"region '{name}' is in realm '{region.realm}', not the configured "
                f"'{c.oci.realm}' (allowed: {shown})",
                "use a region of the tenancy's realm",
            )


def cloud_settings_match(c: CountryConfig, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Cloud-specific sections fit the cloud: OCI settings on OCI only, pod subnet only on VCN-native OCI."""
    if c.cloud == Cloud.OCI and c.oci is None:
        yield Violation(
            ("oci",), "required on OCI (realm, parent compartment, tenancy namespace)", "add an 'oci' section"
        )
    if c.cloud == Cloud.AZURE and c.oci is not None:
        yield Violation(("oci",), "OCI settings on an Azure country", "remove the 'oci' section")
    if c.cloud == Cloud.OCI and c.network.subnets.pods is None:
        yield Violation(
            ("network", "subnets", "pods"),
            "OCI uses VCN-native pod networking and needs a pod subnet",
            "add 'pods: <cidr>' inside the address space",
        )
    if c.cloud == Cloud.AZURE and c.network.subnets.pods is not None:
        yield Violation(
            ("network", "subnets", "pods"),
            "Azure CNI overlay gives pods 'pod_cidr', not a subnet",
            "remove 'pods' from subnets",
        )
    if c.cluster.kubernetes_version not in kubernetes_versions(c.cloud):
        yield Violation(
            ("cluster", "kubernetes_version"),
            f"'{c.cluster.kubernetes_version}' is not supported on "
            f"{c.cloud} (allowed: {', '.join(kubernetes_versions(c.cloud))})",
            "pick a supported version",
        )


def no_cross_border_replication(
    c: CountryConfig, register: ModelRegister, as_of: dt.date
) -> Iterator[Violation]:
    """Geo-redundant storage only where the region's replication pair is in the same country."""
    for i, store in enumerate(c.storage.stores):
        if not store.redundancy.is_geo:
            continue
        path = ("storage", "stores", i, "redundancy")
        if c.cloud == Cloud.OCI:
            yield Violation(
                path,
                f"'{store.redundancy}' would add a cross-region replication policy; the toolkit "
                "keeps OCI buckets in one region (allowed: local, zone)",
                "use 'zone'",
            )
            continue
        region = find_region(c.cloud, c.regions.primary)
        if region is None:
            continue  # reported by regions_lie_in_country
        pair = find_region(c.cloud, region.geo_pair) if region.geo_pair else None
        if pair is None:
            yield Violation(
                path, f"'{region.name}' has no geo-replication pair (allowed: local, zone)", "use 'zone'"
            )
        elif pair.country != c.country:
            yield Violation(
                path,
                f"geo redundancy replicates '{region.name}' to its pair '{pair.name}', which lies in "
                f"'{pair.country}', outside '{c.country}' (allowed: local, zone)",
                "use 'zone' (zone-redundant storage never leaves the region)",
            )


def customer_managed_keys(c: CountryConfig, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Customer-managed keys in the cloud's own HSM custody, rotated at least yearly; opt-outs are justified."""
    kc = c.key_custody
    azure_tiers = (KeyCustodyTier.KEY_VAULT_PREMIUM, KeyCustodyTier.MANAGED_HSM)
    tiers = (
        azure_tiers
        if c.cloud == Cloud.AZURE
        else (KeyCustodyTier.VIRTUAL_PRIVATE_VAULT, KeyCustodyTier.DEFAULT_VAULT)
    )
    if kc.tier not in tiers:
        yield Violation(
            ("key_custody", "tier"),
            f"'{kc.tier}' is not a {c.cloud} custody tier (allowed: {', '.join(tiers)})",
            "use one of the allowed tiers",
        )
    expected = ("RSA-HSM", (2048, 3072, 4096)) if c.cloud == Cloud.AZURE else ("AES", (256,))
    if kc.key_type != expected[0]:
        yield Violation(
            ("key_custody", "key_type"),
            f"'{kc.key_type}' on {c.cloud} (allowed: {expected[0]})",
            f"use '{expected[0]}'",
        )
    elif kc.key_size_bits not in expected[1]:
        yield Violation(
            ("key_custody", "key_size_bits"),
            f"{kc.key_size_bits} bits for {kc.key_type} (allowed: {', '.join(map(str, expected[1]))})",
            "use an allowed size",
        )
    if kc.rotation_days > MAX_ROTATION_DAYS:
        yield Violation(
            ("key_custody", "rotation_days"),
            f"keys rotate every {kc.rotation_days} days (allowed: at most {MAX_ROTATION_DAYS})",
            f"set rotation_days to {MAX_ROTATION_DAYS} or less",
        )
    justification = c.audit_logging.platform_key_justification
    if justification is not None and c.cloud == Cloud.OCI:
        yield Violation(
            ("audit_logging", "platform_key_justification"), "OCI logs always use the vault key", "remove it"
        )
    elif justification is not None and len(justification.strip()) < MIN_JUSTIFICATION_CHARS:
        yield Violation(
            ("audit_logging", "platform_key_justification"),
            "platform-managed keys need a written "
            f"justification of at least {MIN_JUSTIFICATION_CHARS} characters",
            "explain why, or remove it to use the customer-managed key",
        )


def confidential_hardware(c: CountryConfig, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Machine sizes exist for the cloud, and confidential tiers run only on confidential-capable sizes."""
    system = machine_size(c.cloud, c.cluster.system_pool.vm_size)
    path = ("cluster", "system_pool", "vm_size")
    if system is None or system.gpus:
        yield Violation(
            path,
            f"'{c.cluster.system_pool.vm_size}' is not a {c.cloud} CPU size in the catalogue",
            "use a CPU size listed in sovereign/catalogue/machines.py",
        )
    elif c.cluster.confidential_tier != ConfidentialTier.NONE and not system.confidential:
        yield Violation(
            path,
            f"'{system.name}' is not confidential-capable (tier '{c.cluster.confidential_tier}')",
            "use a confidential VM size, e.g. Standard_DC8as_v5 or VM.Standard.E4.Flex",
        )
    for i, pool in enumerate(c.cluster.gpu_pools):
        size = machine_size(c.cloud, pool.vm_size)
        p = ("cluster", "gpu_pools", i, "vm_size")
        if size is None or not size.gpus:
            yield Violation(
                p,
                f"'{pool.vm_size}' is not a {c.cloud} GPU size in the catalogue",
                "use a GPU size listed in sovereign/catalogue/machines.py",
            )
        elif c.cluster.confidential_tier == ConfidentialTier.CONFIDENTIAL_GPU and not size.confidential:
            yield Violation(
                p,
                f"'{pool.vm_size}' is not a confidential GPU (tier 'confidential_gpu')",
                "use Standard_NCC40ads_H100_v5, or lower the confidential tier",
            )


def pools_are_well_formed(c: CountryConfig, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Pool bounds are ordered and names unique (and short enough for AKS agent pools)."""
    pools = [("system_pool", c.cluster.system_pool)] + [(i, p) for i, p in enumerate(c.cluster.gpu_pools)]
    for key, pool in pools:
        path = ("cluster", key) if key == "system_pool" else ("cluster", "gpu_pools", key)
        if pool.node_count_min > pool.node_count_max:
            yield Violation(
                (*path, "node_count_min"),
                f"min {pool.node_count_min} > max {pool.node_count_max}",
                "make node_count_min at most node_count_max",
            )
    names = [p.name for p in c.cluster.gpu_pools]
    for i, pool in enumerate(c.cluster.gpu_pools):
        if names.index(pool.name) != i:
            yield Violation(
                ("cluster", "gpu_pools", i, "name"), f"duplicate pool name '{pool.name}'", "rename it"
            )
        if c.cloud == Cloud.AZURE and (len(pool.name) > _AZURE_POOL_NAME_MAX or not pool.name.isalnum()):
            yield Violation(
                ("cluster", "gpu_pools", i, "name"),
                f"'{pool.name}': AKS pool names are 1-12 lower-case letters and digits",
                "shorten it and drop hyphens",
            )


def networks_do_not_overlap(c: CountryConfig, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Subnets lie inside the address space; nothing overlaps (subnets, address spaces, pods, services);
    egress destinations are listed exactly when the posture is an allow-list."""
    Net = ipaddress.IPv4Network
    space = [(("network", "address_space", i), Net(a)) for i, a in enumerate(c.network.address_space)]
    subnets = [
        (("network", "subnets", key), Net(cidr))
        for key, cidr in c.network.subnets.model_dump().items()
        if cidr is not None
    ]
    outside = [
        (("network", "pod_cidr"), Net(c.network.pod_cidr)),
        (("network", "service_cidr"), Net(c.network.service_cidr)),
    ]
    for path, net in subnets:
        if not any(net.subnet_of(s) for _, s in space):
            yield Violation(
                path,
                f"{net} is outside the address space {', '.join(c.network.address_space)}",
                "pick a subnet inside the address space",
            )
    # Subnets are compared with each other; address spaces, pods and services with everything else.
    for group in (subnets, space + outside):
        for i, (path_a, a) in enumerate(group):
            for path_b, b in group[i + 1 :]:
                if a.overlaps(b):
                    yield Violation(
                        path_b, f"{b} overlaps {_dotted(path_a)} ({a})", "use non-overlapping ranges"
                    )
    egress = c.network.egress
    if egress.mode == EgressMode.NONE and egress.allowed_destinations:
        yield Violation(
            ("network", "egress", "allowed_destinations"),
            "destinations listed with mode 'none'",
            "set mode 'allow_list' or remove the destinations",
        )
    if egress.mode == EgressMode.ALLOW_LIST and not egress.allowed_destinations:
        yield Violation(
            ("network", "egress", "allowed_destinations"),
            "mode 'allow_list' with no destinations",
            "list the destinations, or use mode 'none'",
        )


def _dotted(path: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in path)


def models_are_approved(c: CountryConfig, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Deployed models are in the register, assessed and unexpired on the date, approved for this country,
    and high/critical tiers run only on confidential GPUs."""
    for i, d in enumerate(c.assistant.deployments if c.assistant else []):
        path = ("assistant", "deployments", i)
        record = register.find(d.model)
        if record is None:
            known = ", ".join(m.id for m in register.models)
            yield Violation(
                (*path, "model"),
                f"model '{d.model}' is not in the risk register (known: {known})",
                "add its assessment to country_configs/models.yaml, or pick a registered model",
            )
            continue
        a = record.assessment
        if not a.assessed_on <= as_of <= a.expires_on:
            yield Violation(
                (*path, "model"),
                f"the assessment of '{record.id}' is valid {a.assessed_on} to {a.expires_on}, not on {as_of}",
                "renew the assessment in models.yaml",
            )
        if c.country not in record.approved_countries:
            yield Violation(
                (*path, "model"),
                f"'{record.id}' is not approved for '{c.country}' (approved: "
                f"{', '.join(record.approved_countries)})",
                "get it assessed for this country",
            )
        if (
            record.capability_tier.needs_confidential_gpu
            and c.cluster.confidential_tier != ConfidentialTier.CONFIDENTIAL_GPU
        ):
            yield Violation(
                (*path, "model"),
                f"'{record.id}' is tier '{record.capability_tier}', which runs only on "
                f"confidential GPUs (cluster tier: '{c.cluster.confidential_tier}')",
                "set cluster.confidential_tier: confidential_gpu, or deploy a lower-tier model",
            )
        if d.max_context_tokens > record.max_context_tokens:
            yield Violation(
                (*path, "max_context_tokens"),
                f"{d.max_context_tokens} exceeds the model's {record.max_context_tokens}",
                f"use at most {record.max_context_tokens}",
            )
        if parse_image_ref(d.weights)[2] != record.weights_digest:
            yield Violation(
                (*path, "weights"),
                f"digest differs from the approved {record.weights_digest}",
                "mirror the approved artifact and pin its digest",
            )


def supply_chain_in_country(c: CountryConfig, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Images and weights come only from the country's own registry (pinned by digest by their type)."""
    if c.cloud == Cloud.OCI and c.oci is None:
        return  # reported by cloud_settings_match; the OCI registry host needs the tenancy namespace
    if c.assistant is None:
        return
    prefix = registry_prefix(c) + "/"
    refs = [(("assistant", "chat", "image"), c.assistant.chat.image)]
    for i, d in enumerate(c.assistant.deployments):
        refs += [
            (("assistant", "deployments", i, "image"), d.image),
            (("assistant", "deployments", i, "weights"), d.weights),
        ]
    for path, ref in refs:
        if not ref.startswith(prefix):
            yield Violation(
                path,
                f"'{ref.split('@')[0]}' is outside the country's registry '{prefix[:-1]}'",
                f"mirror it into the in-country registry and reference '{prefix}...@sha256:...'",
            )


def capacity_fits(c: CountryConfig, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Replicas x GPUs plus tenant GPU quotas fit the GPU pools at their maximum size."""
    total, per_node = gpu_capacity(c)
    deployments = c.assistant.deployments if c.assistant else []
    demand = sum(d.replicas_max * d.gpus_per_replica for d in deployments)
    quotas = sum(t.gpu_quota for t in c.tenants)
    for i, d in enumerate(deployments):
        path = ("assistant", "deployments", i)
        if d.replicas_min > d.replicas_max:
            yield Violation(
                (*path, "replicas_min"), f"min {d.replicas_min} > max {d.replicas_max}", "swap them"
            )
        if per_node and d.gpus_per_replica > per_node:
            yield Violation(
                (*path, "gpus_per_replica"),
                f"{d.gpus_per_replica} GPUs per replica, but the largest GPU node has {per_node}",
                "use fewer GPUs per replica or a larger GPU size",
            )
        if d.locale.split("-")[0] not in {lang.split("-")[0] for lang in d.languages}:
            yield Violation(
                (*path, "locale"),
                f"locale '{d.locale}' is not among the languages {', '.join(d.languages)}",
                "add its language or change the locale",
            )
    if total and demand + quotas > total:
        yield Violation(
            ("cluster", "gpu_pools"),
            f"demand of {demand + quotas} GPUs (assistant {demand} at max "
            f"replicas + tenant quotas {quotas}) exceeds the pools' {total}",
            "raise node_count_max, lower replicas_max or tenant gpu_quota",
        )


def access_through_groups(c: CountryConfig, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Access only through groups (with Entra object ids on Azure), a separate break-glass group, and two
    distinct approvers."""
    groups = [("admin_groups", g) for g in c.access.admin_groups] + [
        ("break_glass_groups", g) for g in c.access.break_glass_groups
    ]
    counters: dict[str, int] = {}
    for kind, g in groups:
        i = counters[kind] = counters.get(kind, -1) + 1
        if c.cloud == Cloud.AZURE and g.object_id is None:
            yield Violation(
                ("access", kind, i, "object_id"),
                f"group '{g.name}' has no Entra object id",
                "add the group's object_id (a UUID)",
            )
    admin_names = {g.name for g in c.access.admin_groups}
    for i, g in enumerate(c.access.break_glass_groups):
        if g.name in admin_names:
            yield Violation(
                ("access", "break_glass_groups", i, "name"),
                f"'{g.name}' is also an admin group",
                "use a dedicated, normally empty break-glass group",
            )
    if len({a.lower() for a in c.access.operator_access_approvers}) < 2:
        yield Violation(
            ("access", "operator_access_approvers"),
            "fewer than two distinct approvers",
            "list at least two different people",
        )
    for i, t in enumerate(c.tenants):
        if c.cloud == Cloud.AZURE and t.group.object_id is None:
            yield Violation(
                ("tenants", i, "group", "object_id"),
                f"tenant group '{t.group.name}' has no object id",
                "add the group's object_id",
            )
        if [x.name for x in c.tenants].index(t.name) != i:
            yield Violation(("tenants", i, "name"), f"duplicate tenant '{t.name}'", "rename it")


def audit_logs_retained(c: CountryConfig, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Audit logs are kept at least a year, and audit-log stores are immutable for that long."""
    if c.audit_logging.retention_days < MIN_AUDIT_RETENTION_DAYS:
        yield Violation(
            ("audit_logging", "retention_days"),
            f"{c.audit_logging.retention_days} days (allowed: at least {MIN_AUDIT_RETENTION_DAYS})",
            f"set it to {MIN_AUDIT_RETENTION_DAYS} or more",
        )
    names = [s.name for s in c.storage.stores]
    for i, s in enumerate(c.storage.stores):
        path = ("storage", "stores", i)
        if names.index(s.name) != i:
            yield Violation((*path, "name"), f"duplicate store name '{s.name}'", "rename it")
        if s.purpose != StorePurpose.AUDIT_LOGS:
            continue
        if not s.immutable:
            yield Violation(
                (*path, "immutable"), "audit-log stores must be immutable", "set 'immutable: true'"
            )
        if (s.retention_days or 0) < MIN_AUDIT_RETENTION_DAYS:
            yield Violation(
                (*path, "retention_days"),
                f"{s.retention_days} days (allowed: at least {MIN_AUDIT_RETENTION_DAYS})",
                f"set it to {MIN_AUDIT_RETENTION_DAYS} or more",
            )


OCI_MIN_ROTATION_DAYS = 60


def oci_constraints(c: CountryConfig, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """What OCI cannot honour is refused rather than silently weakened: unrotated default vaults, FQDN egress
    filtering, platform keys on buckets, unlocked audit retention."""
    if c.cloud != Cloud.OCI:
        return
    kc = c.key_custody
    if kc.tier == KeyCustodyTier.DEFAULT_VAULT:
        yield Violation(
            ("key_custody", "tier"),
            "OCI rotates keys automatically only in a virtual private vault; "
            "a default vault would leave keys unrotated (allowed: virtual_private_vault)",
            "use 'virtual_private_vault'",
        )
    if kc.rotation_days < OCI_MIN_ROTATION_DAYS:
        yield Violation(
            ("key_custody", "rotation_days"),
            f"OCI rotates at most every {OCI_MIN_ROTATION_DAYS} days "
            f"(got {kc.rotation_days}; allowed: {OCI_MIN_ROTATION_DAYS}-{MAX_ROTATION_DAYS})",
            f"use {OCI_MIN_ROTATION_DAYS} or more",
        )
    if c.network.egress.mode == EgressMode.ALLOW_LIST:
        yield Violation(
            ("network", "egress", "mode"),
            "OCI routes and security rules filter by address, not by "
            "host name; the toolkit does not build an OCI Network Firewall (allowed on OCI: none)",
            "use 'none' and mirror what the cluster needs into the in-country registry",
        )
    for i, store in enumerate(c.storage.stores):
        if store.purpose == StorePurpose.AUDIT_LOGS and store.retention_lock_date is None:
            yield Violation(
                ("storage", "stores", i, "retention_lock_date"),
                "an OCI audit bucket's retention rule is locked from a date you choose",
                "add 'retention_lock_date: YYYY-MM-DD' (at least 14 days after the first deployment)",
            )
    if c.oci and (c.oci.parent_compartment_id is None) != (c.oci.parent_compartment_path is None):
        yield Violation(
            ("oci", "parent_compartment_path"),
            "parent_compartment_id and parent_compartment_path go "
            "together (quota statements name compartments by path)",
            "set both, or neither for the root",
        )


AZURE_MAX_WORKSPACE_RETENTION_DAYS = 730


def azure_constraints(c: CountryConfig, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """What the Azure stack cannot build is refused up front: Managed HSM keys (created only after the HSM's
    security-domain ceremony), 2048-bit keys, retention beyond a workspace's 730 days, egress without a firewall."""
    if c.cloud != Cloud.AZURE:
        return
    if c.key_custody.tier == KeyCustodyTier.MANAGED_HSM:
        yield Violation(
            ("key_custody", "tier"),
            "the stack cannot create Managed HSM keys: they exist only after "
            "the HSM's security-domain ceremony, outside Pulumi (allowed: key_vault_premium)",
            "use 'key_vault_premium' (keys in FIPS 140 HSMs)",
        )
    if c.key_custody.key_size_bits == 2048:
        yield Violation(
            ("key_custody", "key_size_bits"),
            "2048-bit RSA keys are below the toolkit's minimum (allowed: 3072, 4096)",
            "use 3072 or 4096",
        )
    if c.audit_logging.retention_days > AZURE_MAX_WORKSPACE_RETENTION_DAYS:
        yield Violation(
            ("audit_logging", "retention_days"),
            f"{c.audit_logging.retention_days} days exceeds a Log "
            f"Analytics workspace's {AZURE_MAX_WORKSPACE_RETENTION_DAYS}",
            "keep longer audit history "
            "in the immutable audit-log store (storage.stores with purpose audit_logs)",
        )
    egress = c.network.egress
    if egress.mode == EgressMode.ALLOW_LIST and egress.firewall_ip is None:
        yield Violation(
            ("network", "egress", "firewall_ip"),
            "mode 'allow_list' routes all outbound traffic to the country's egress firewall",
            "add its private IP as 'firewall_ip'",
        )
    if egress.mode == EgressMode.NONE and egress.firewall_ip is not None:
        yield Violation(
            ("network", "egress", "firewall_ip"), "a firewall with mode 'none'", "remove firewall_ip"
        )


INVARIANTS: tuple[Check, ...] = (
    regions_lie_in_country,
    cloud_settings_match,
    no_cross_border_replication,
    customer_managed_keys,
    confidential_hardware,
    pools_are_well_formed,
    networks_do_not_overlap,
    models_are_approved,
    supply_chain_in_country,
    capacity_fits,
    access_through_groups,
    audit_logs_retained,
    oci_constraints,
    azure_constraints,
)


def check_invariants(config: CountryConfig, register: ModelRegister, as_of: dt.date) -> list[Violation]:
    """Every violated invariant of ``config`` on date ``as_of``."""
    return [v for check in INVARIANTS for v in check(config, register, as_of)]
