"""Cross-field sovereignty invariants of a country config that hold on every cloud.

Each invariant is a small named function with a docstring saying which failure it prevents; each yields
:class:`Violation` s (path, what is wrong with got/allowed, how to fix) and never stops at the first, so a
config is reported whole in one pass. Rules that concern one cloud only live in
``sovereign.clouds.<cloud>.invariants``; :func:`check_invariants` runs these and the config's cloud's. The same
facts are checked again on the plan by ``sovereign.policies``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Callable, Iterator
from typing import Any

from sovereign.catalogue import MACHINE_SIZES, find_region, machine_size
from sovereign.catalogue.kubernetes import DATED_KUBERNETES_CLOUDS
from sovereign.catalogue.machines import unsupported_gpu_reason
from sovereign.catalogue.oke_versions import oke_version, oke_versions_supported_on
from sovereign.catalogue.regions import OCI_OTHER_REALM_REGIONS, OCI_REALM_KINDS
from sovereign.clouds import cloud_module
from sovereign.config.assurance import ASSURANCE_INVARIANTS
from sovereign.config.data_paths import data_stays_in_country
from sovereign.config.deployment import deployment_stays_in_country
from sovereign.config.derived import gpu_capacity, registry_prefix, used_regions
from sovereign.config.errors import PathParts, Violation
from sovereign.config.identity import distinct_people, first_same_group
from sovereign.config.limits import (
    MAX_ROTATION_DAYS,
    MIN_AUDIT_RETENTION_DAYS,
    MIN_EGRESS_PREFIX_LENGTH,
    MIN_PLATFORM_KEY_JUSTIFICATION_CHARS,
    SYSTEM_POOL_NAME,
)
from sovereign.config.model_serving import (
    GPU_MEMORY_UTILIZATION,
    GPU_OVERHEAD_GIB,
    MULTI_NODE_REASON,
    dtype_problem,
    kv_cache_gib,
    usable_gib,
)
from sovereign.config.node_disks import weights_fit_node_disks
from sovereign.config.schema import CountryConfig, ModelRegister
from sovereign.config.text import justification_problem
from sovereign.contracts import INFERENCE_ROLLOUT_SURGE
from sovereign.rules.models import model_clearance
from sovereign.rules.vllm_args import server_args_problems
from sovereign.types import (
    Cloud,
    ConfidentialTier,
    Environment,
    StorePurpose,
    base_language,
    parse_image_ref,
)

__all__ = [
    "INVARIANTS",
    "MAX_ROTATION_DAYS",
    "MIN_AUDIT_RETENTION_DAYS",
    "MIN_JUSTIFICATION_CHARS",
    "check_invariants",
    "cloud_invariants",
    "dotted",
]

MIN_JUSTIFICATION_CHARS = MIN_PLATFORM_KEY_JUSTIFICATION_CHARS
"""Kept for callers of the old name; the constant is ``sovereign.config.limits``'s."""

Check = Callable[[Any, ModelRegister, dt.date], Iterator[Violation]]


def dotted(path: PathParts) -> str:
    return ".".join(str(p) for p in path)


def regions_lie_in_country(c: CountryConfig, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Every region the config uses exists and lies in the country (data residency), and a secondary region
    is a second region, not the primary again."""
    known = [r.name for r in _in_country(c)]
    shown = ", ".join(known) or "none in the catalogue"
    for path, name in used_regions(c).items():
        region = find_region(c.cloud, name)
        elsewhere = OCI_OTHER_REALM_REGIONS.get(name) if c.cloud == Cloud.OCI else None
        if region is None and elsewhere is not None:
            yield Violation(
                path,
                f"region '{name}' is in OCI realm {elsewhere.realm} ({OCI_REALM_KINDS[elsewhere.realm or '']}), "
                f"which this toolkit does not deploy to (allowed for '{c.country}': {shown})",
                "use a region of realm oc1 or oc19",
            )
        elif region is None:
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
    if c.regions.secondary is not None and c.regions.secondary == c.regions.primary:
        others = ", ".join(n for n in known if n != c.regions.primary) or "none"
        yield Violation(
            ("regions", "secondary"),
            f"'{c.regions.secondary}' is the primary region again (allowed: another in-country region: {others})",
            "name a different region, or remove 'secondary' to stay in the primary region",
        )


def _in_country(c: CountryConfig) -> list[Any]:
    from sovereign.catalogue import regions_in_country

    realm = getattr(getattr(c, "oci", None), "realm", None)
    return regions_in_country(c.cloud, c.country, realm)


def kubernetes_version_supported(
    c: CountryConfig, register: ModelRegister, as_of: dt.date
) -> Iterator[Violation]:
    """The Kubernetes minor is one OKE supports on the validation date: past its end of support OKE creates no
    cluster or node pool on it (sovereign/catalogue/oke_versions.py cites Oracle's calendar and rule). AKS
    countries are checked the same way by their cloud's own invariant."""
    if c.cloud in DATED_KUBERNETES_CLOUDS:
        return  # checked against its support dates on the validation date, by the cloud's own invariant
    minor = c.cluster.kubernetes_version
    supported = oke_versions_supported_on(as_of)
    catalogue = "sovereign/catalogue/oke_versions.py"
    if not supported:
        what = f"no OKE version in the catalogue is supported on {as_of} (the catalogue is out of date)"
        fix = f"add the current minors to {catalogue} from Oracle's 'Supported Versions of Kubernetes'"
    elif minor in supported:
        return
    elif (version := oke_version(minor)) is None:
        what = (
            f"'{minor}' is not an OKE version in the catalogue (allowed on {as_of}: {', '.join(supported)})"
        )
        fix = f"use an allowed version; if OKE offers it since, add its row to {catalogue} with its dates"
    elif version.oke_release is not None and as_of < version.oke_release:
        what = f"OKE offers '{minor}' from {version.oke_release} (allowed on {as_of}: {', '.join(supported)})"
        fix = "use an allowed version, or validate again from that date"
    else:
        last, why = version.end_of_support()
        what = (
            f"OKE support for '{minor}' ended on {last} ({why}; allowed on {as_of}: {', '.join(supported)})"
        )
        fix = f"set a supported minor, e.g. '{supported[-1]}' (the newest, what new countries start on)"
    yield Violation(("cluster", "kubernetes_version"), what, fix)


def confidential_hardware(c: CountryConfig, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Machine sizes exist for the cloud, GPU pools use sizes the toolkit can serve on (NVIDIA, amd64:
    ``unsupported_gpu_reason`` says why AMD and Grace sizes cannot), and confidential tiers run only on
    confidential-capable sizes."""
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
        elif (reason := unsupported_gpu_reason(size)) is not None:
            servable = sorted(
                s.name
                for s in MACHINE_SIZES.values()
                if s.cloud == c.cloud and s.gpus and unsupported_gpu_reason(s) is None
            )
            yield Violation(
                p,
                f"'{pool.vm_size}' cannot serve models with this toolkit: {reason}",
                f"use an NVIDIA amd64 GPU size ({', '.join(servable)})",
            )
        elif c.cluster.confidential_tier == ConfidentialTier.CONFIDENTIAL_GPU and not size.confidential:
            yield Violation(
                p,
                f"'{pool.vm_size}' is not a confidential GPU (tier 'confidential_gpu')",
                "use Standard_NCC40ads_H100_v5, or lower the confidential tier",
            )


def pools_are_well_formed(c: CountryConfig, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Pool bounds are ordered, and GPU pool names unique and distinct from the system pool's name (node pool
    names must be unique in a cluster on both clouds)."""
    pools: list[tuple[PathParts, Any]] = [(("cluster", "system_pool"), c.cluster.system_pool)]
    pools += [(("cluster", "gpu_pools", i), p) for i, p in enumerate(c.cluster.gpu_pools)]
    for path, pool in pools:
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
        if pool.name == SYSTEM_POOL_NAME:
            yield Violation(
                ("cluster", "gpu_pools", i, "name"),
                f"'{SYSTEM_POOL_NAME}' is the system pool's name (allowed: any other name)",
                "rename the GPU pool, e.g. after its GPU ('h100')",
            )


def networks_do_not_overlap(c: CountryConfig, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Subnets lie inside the address space; nothing overlaps (subnets with each other; address space and
    services with everything)."""
    Net = ipaddress.IPv4Network
    space = [(("network", "address_space", i), Net(a)) for i, a in enumerate(c.network.address_space)]
    subnets = [
        (("network", "subnets", key), Net(cidr))
        for key, cidr in c.network.subnets.model_dump().items()
        if cidr is not None
    ]
    outside = [(("network", "service_cidr"), Net(c.network.service_cidr))]
    for path, net in subnets:
        if not any(net.subnet_of(s) for _, s in space):
            yield Violation(
                path,
                f"{net} is outside the address space {', '.join(c.network.address_space)}",
                "pick a subnet inside the address space",
            )
    for group in (subnets, space + outside):
        for i, (path_a, a) in enumerate(group):
            for path_b, b in group[i + 1 :]:
                if a.overlaps(b):
                    yield Violation(
                        path_b, f"{b} overlaps {dotted(path_a)} ({a})", "use non-overlapping ranges"
                    )


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
        # The risk gate itself is one rule, shared with the approved-models policy and the component guard.
        for refusal in model_clearance(
            model_id=record.id,
            tier=record.capability_tier,
            assessed_on=a.assessed_on,
            expires_on=a.expires_on,
            approved_countries=record.approved_countries,
            approved_weights_digest=record.weights_digest,
            deployed_weights_digest=parse_image_ref(d.weights)[2],
            country=c.country,
            as_of=as_of,
            confidential_gpu=c.cluster.confidential_tier == ConfidentialTier.CONFIDENTIAL_GPU,
            approvers=a.approvers,
        ):
            field = "weights" if refusal.aspect == "weights" else "model"
            yield Violation((*path, field), refusal.message, refusal.fix)
        if record.chat_format == "harmony":
            # vLLM 0.33.0 vllm/renderers/online_renderer.py: use_harmony = model_type == "gpt_oss"; chat requests
            # then go through _make_request_with_harmony, never the --chat-template the prompt prefix is joined to.
            yield Violation(
                (*path, "model"),
                f"model '{record.id}' has chat_format 'harmony': vLLM 0.33.0 renders its chat requests with "
                "openai-harmony and ignores --chat-template, so the country's system prompt and locale would never "
                "reach it (allowed: a model with chat_format 'chat_template')",
                "deploy a register model served through its chat template; gpt-oss needs the prompt put in by a "
                "gateway in front of vLLM, which this toolkit does not build",
            )
        if d.max_context_tokens > record.max_context_tokens:
            yield Violation(
                (*path, "max_context_tokens"),
                f"{d.max_context_tokens} exceeds the model's {record.max_context_tokens}",
                f"use at most {record.max_context_tokens}",
            )


def supply_chain_in_country(c: CountryConfig, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Images and weights come only from the country's own registry (pinned by digest by their type)."""
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
    """Deployments are well-formed (unique names, ordered replica bounds, a locale among their languages, a
    non-blank prompt) and replicas x GPUs plus tenant GPU quotas fit the GPU pools at their maximum size, with
    room for the rollout's surge replica of every deployment (finding K7: at replicas_max a rollout starts one
    more replica before it stops an old one, ``INFERENCE_ROLLOUT_SURGE``; without its GPUs it stays Pending and
    the rollout never completes; one stack update can roll every deployment at once)."""
    total, per_node = gpu_capacity(c)
    deployments = c.assistant.deployments if c.assistant else []
    demand = sum(d.replicas_max * d.gpus_per_replica for d in deployments)
    surge = sum(INFERENCE_ROLLOUT_SURGE * d.gpus_per_replica for d in deployments)
    quotas = sum(t.gpu_quota for t in c.tenants)
    names = [d.name for d in deployments]
    for i, d in enumerate(deployments):
        path = ("assistant", "deployments", i)
        if names.index(d.name) != i:
            yield Violation((*path, "name"), f"duplicate deployment name '{d.name}'", "rename it")
        if d.replicas_min > d.replicas_max:
            yield Violation(
                (*path, "replicas_min"), f"min {d.replicas_min} > max {d.replicas_max}", "swap them"
            )
        if per_node and d.gpus_per_replica > per_node:
            yield Violation(
                (*path, "gpus_per_replica"),
                f"{d.gpus_per_replica} GPUs per replica, but the largest GPU node has {per_node}: "
                f"{MULTI_NODE_REASON}",
                "use fewer GPUs per replica or a GPU size with more GPUs per node",
            )
        if d.locale.split("-")[0] not in {lang.split("-")[0] for lang in d.languages}:
            yield Violation(
                (*path, "locale"),
                f"locale '{d.locale}' is not among the languages {', '.join(d.languages)}",
                "add its language or change the locale",
            )
        if not d.system_prompt.strip():
            yield Violation((*path, "system_prompt"), "the prompt is blank", "write the system prompt")
    if total and demand + surge + quotas > total:
        yield Violation(
            ("cluster", "gpu_pools"),
            f"demand of {demand + surge + quotas} GPUs (assistant {demand} at max replicas + {surge} for the "
            f"rollout's surge replica + tenant quotas {quotas}) exceeds the pools' {total}",
            "raise node_count_max, lower replicas_max or tenant gpu_quota (a rollout at max replicas needs "
            "the GPUs of one more replica)",
        )


def model_fits_gpus(c: CountryConfig, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """The model's weights plus the KV cache of one full-length sequence fit the GPUs of one replica: vLLM
    refuses to start when max_model_len tokens do not fit in the KV cache (a 70B BF16 on one 94 GB GPU
    never starts); the weights' precision runs on every GPU pool's GPUs (vLLM refuses a quantization below its
    minimum compute capability at start-up, ``sovereign.config.model_serving``); and extra flags come only from
    the allow-list, read as vLLM reads them."""
    gpu_sizes = [
        size
        for pool in c.cluster.gpu_pools
        if (size := machine_size(c.cloud, pool.vm_size)) is not None and size.gpus
    ]
    gpu_gib = [size.gpu_memory_gib for size in gpu_sizes]
    for i, d in enumerate(c.assistant.deployments if c.assistant else []):
        path = ("assistant", "deployments", i)
        for problem in server_args_problems(d.server_args):
            yield Violation(
                (*path, "server_args"), problem, "remove it, or use only allowed flags, each once"
            )
        record = register.find(d.model)
        if record is None or not gpu_gib:
            continue
        for size in {s.name: s for s in gpu_sizes if unsupported_gpu_reason(s) is None}.values():
            problem = dtype_problem(record, size)
            if problem:
                yield Violation(
                    (*path, "model"),
                    f"model '{record.id}' cannot run on GPU pool size {size.name}: {problem}",
                    "use a GPU size whose compute capability vLLM runs this precision on (catalogue/machines.py)",
                )
        weights = record.weights_gpu_gib
        kv_cache = kv_cache_gib(record, d.max_context_tokens)
        usable = usable_gib(min(gpu_gib), d.gpus_per_replica)
        if weights + kv_cache > usable:
            yield Violation(
                (*path, "gpus_per_replica"),
                f"model '{record.id}' needs {weights:.0f} GiB of {record.weights_dtype} weights + "
                f"{kv_cache:.0f} GiB KV cache for {d.max_context_tokens} tokens = {weights + kv_cache:.0f} GiB, "
                f"but {d.gpus_per_replica} x {min(gpu_gib)} GiB GPUs x {GPU_MEMORY_UTILIZATION} "
                f"(less {GPU_OVERHEAD_GIB:.0f} GiB each) leave {usable:.0f} GiB",
                "use more GPUs per replica, a lower max_context_tokens, or an FP8 artifact of the model",
            )


def chat_is_contained(c: CountryConfig, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """The chat front end's egress stays narrow (identity-provider ranges of /16 or longer)."""
    if c.assistant is None:
        return
    chat = c.assistant.chat
    for i, cidr in enumerate(chat.identity_provider_cidrs):
        prefix = ipaddress.ip_network(cidr).prefixlen
        if prefix < MIN_EGRESS_PREFIX_LENGTH:
            yield Violation(
                ("assistant", "chat", "identity_provider_cidrs", i),
                f"{cidr} opens egress to {2 ** (32 - prefix)} addresses "
                f"(allowed: /{MIN_EGRESS_PREFIX_LENGTH} or longer)",
                "list the identity provider's own ranges",
            )
    # The public-exposure justification is judged for substance by assurance.reasons_say_something.


def chat_is_reachable(c: CountryConfig, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Citizens can reach the prod chat (an Ingress: internal or public, not both) and the chat can reach its
    identity provider: Open WebUI fetches the issuer's metadata and calls its token, userinfo and key endpoints
    from the server, so sign-in fails when the pod's egress admits neither the provider's ranges nor its pods."""
    if c.assistant is None:
        return
    chat = c.assistant.chat
    path = ("assistant", "chat")
    if chat.internal_exposure is not None and chat.public_exposure is not None:
        yield Violation(
            (*path, "internal_exposure"),
            "both internal_exposure and public_exposure are set (allowed: one of them)",
            "keep internal_exposure for a government-network service, or public_exposure with its justification",
        )
    if c.environment == Environment.PROD and chat.internal_exposure is None and chat.public_exposure is None:
        yield Violation(
            (*path, "internal_exposure"),
            "the prod chat has no exposure (omitted): no Ingress is created, nobody outside the cluster can "
            "reach it and its URL would be http://localhost:8080 (allowed: internal_exposure or public_exposure)",
            "set assistant.chat.internal_exposure: hostname (a private DNS name), ingress_class_name and "
            "ingress_controller_namespace of the internal ingress controller, and tls_secret_name",
        )
    if not chat.identity_provider_cidrs and chat.identity_provider_in_cluster is None:
        yield Violation(
            (*path, "identity_provider_cidrs"),
            f"the identity provider {chat.oidc_issuer_url} cannot be reached: no identity_provider_cidrs and no "
            "identity_provider_in_cluster (the chat pod's egress would admit only the assistant and DNS, so "
            "every sign-in fails at discovery)",
            "list the provider's address ranges (each /16 or narrower, TCP 443) in identity_provider_cidrs, or "
            "set identity_provider_in_cluster (namespace, pod_labels, ports) when it is served in the cluster",
        )


def access_through_groups(c: CountryConfig, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Access only through groups, compared as the cloud resolves them (``sovereign.config.identity``: Entra
    object ids; OCI domain-qualified names, case-insensitive, and OCIDs): a break-glass group is none of the
    admin groups, a tenant's group is no admin or break-glass group and no other tenant's, operator access
    has two distinct approvers (normalised e-mail addresses), and tenant names are unique."""
    admins = [(f"access.admin_groups[{i}]", g) for i, g in enumerate(c.access.admin_groups)]
    break_glass = [(f"access.break_glass_groups[{i}]", g) for i, g in enumerate(c.access.break_glass_groups)]
    for i, g in enumerate(c.access.break_glass_groups):
        same = first_same_group(g, admins)
        if same is not None:
            yield Violation(
                ("access", "break_glass_groups", i, _identity_field(same[1])),
                f"'{g.name}' is also an admin group: the same group as {same[0]} ({same[1]}), so break-glass "
                "would be standing admin access (allowed: a group of its own)",
                "use a dedicated, normally empty break-glass group with its own id",
            )
        twice = first_same_group(g, break_glass[:i])
        if same is None and twice is not None:
            # The OKE break-glass binding refuses a group listed twice (components/kubernetes/break_glass.py).
            yield Violation(
                ("access", "break_glass_groups", i, _identity_field(twice[1])),
                f"'{g.name}' is the same group as {twice[0]} ({twice[1]}): a break-glass group is listed once",
                "remove the repeated entry",
            )
    tenants: list[tuple[str, Any]] = []
    for i, t in enumerate(c.tenants):
        same = first_same_group(t.group, [*admins, *break_glass, *tenants])
        if same is not None:
            yield Violation(
                ("tenants", i, "group", _identity_field(same[1])),
                f"tenant '{t.name}''s group '{t.group.name}' is the same group as {same[0]} ({same[1]}): its "
                "members would get that group's access (allowed: a group of the tenant's own)",
                "create a group for the tenant's people only and name it here",
            )
        tenants.append((f"tenants[{i}].group (tenant '{t.name}')", t.group))
    approvers = c.access.operator_access_approvers
    yield from distinct_people(approvers, ("access", "operator_access_approvers"), "operator access")
    names = [t.name for t in c.tenants]
    for i, t in enumerate(c.tenants):
        if names.index(t.name) != i:
            yield Violation(("tenants", i, "name"), f"duplicate tenant '{t.name}'", "rename it")


def _identity_field(shared: str) -> str:
    """The setting that carries the identity two groups share: Azure's object id, OCI's name, else its OCID."""
    if shared.startswith("entra:"):
        return "object_id"
    return "name" if "oci-name:" in shared else "ocid"


def audit_logs_retained(c: CountryConfig, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Audit logs are kept at least a year, and audit-log stores (immutable by construction: the components give
    every one of them time-based retention) for at least as long."""
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
        if (s.retention_days or 0) < MIN_AUDIT_RETENTION_DAYS:
            yield Violation(
                (*path, "retention_days"),
                f"{s.retention_days} days (allowed: at least {MIN_AUDIT_RETENTION_DAYS})",
                f"set it to {MIN_AUDIT_RETENTION_DAYS} or more",
            )


MIN_AI_NOTICE_CHARS = 20
"""A notice says at least "You are talking to an AI system" (30 characters in English; CJK is shorter)."""


def chat_discloses_ai(c: CountryConfig, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """A prod chat tells every user, in each language the assistant serves, that they are talking to an AI
    system, and links the country's notice page (EU AI Act Art. 50(1): systems "intended to interact directly
    with natural persons" inform them "that they are interacting with an AI system")."""
    if c.assistant is None:
        return
    path = ("assistant", "chat", "ai_notice")
    notice = c.assistant.chat.ai_notice
    if notice is None:
        if c.environment == Environment.PROD:
            yield Violation(
                path,
                "missing: the prod chat must tell citizens they are talking to an AI system (EU AI Act Art. 50(1))",
                "set ai_notice: notice_url (the country's notice page) and texts, one per language of the "
                "assistant (e.g. de-DE: 'Sie sprechen mit einem KI-System ...')",
            )
        return
    covered = {base_language(tag) for tag in notice.texts}
    needed = {base_language(t) for d in c.assistant.deployments for t in (*d.languages, d.locale)}
    missing = sorted(needed - covered)
    if missing:
        yield Violation(
            (*path, "texts"),
            f"no text for {', '.join(missing)} (the assistant serves {', '.join(sorted(needed))})",
            "add a text for each language the assistant serves",
        )
    for tag, text in notice.texts.items():
        problem = justification_problem(text, min_chars=MIN_AI_NOTICE_CHARS)
        if problem is None and re.search(r"\]\(|<[a-zA-Z/!]|https?://", text):
            problem = (
                "holds a link or markup (the stack appends the notice link; Open WebUI renders markdown)"
            )
        if problem is not None:
            yield Violation((*path, "texts", tag), problem, "write the notice as one or two plain sentences")


INVARIANTS: tuple[Check, ...] = (
    regions_lie_in_country,
    kubernetes_version_supported,
    confidential_hardware,
    pools_are_well_formed,
    networks_do_not_overlap,
    models_are_approved,
    supply_chain_in_country,
    capacity_fits,
    model_fits_gpus,
    weights_fit_node_disks,
    chat_is_contained,
    chat_is_reachable,
    chat_discloses_ai,
    access_through_groups,
    audit_logs_retained,
    *ASSURANCE_INVARIANTS,
    deployment_stays_in_country,
    data_stays_in_country,
)
"""The cloud-neutral invariants; each cloud adds its own (``sovereign.clouds.<cloud>.invariants.INVARIANTS``)."""


def cloud_invariants(config: CountryConfig) -> tuple[Check, ...]:
    """The invariants only the config's cloud has (``sovereign.clouds.<cloud>.invariants.INVARIANTS``)."""
    return cloud_module(config.cloud, "invariants").INVARIANTS


def check_invariants(config: CountryConfig, register: ModelRegister, as_of: dt.date) -> list[Violation]:
    """Every violated invariant of ``config`` on date ``as_of``: the neutral ones, then its cloud's."""
    checks = [c for c in (*INVARIANTS, *cloud_invariants(config)) if c is not data_stays_in_country]
    found = [v for check in checks for v in check(config, register, as_of)]
    # A data path leaving through a setting another invariant already refused is the same defect: said once.
    refused = {v.path for v in found}
    return found + [v for v in data_stays_in_country(config, register, as_of) if v.path not in refused]
