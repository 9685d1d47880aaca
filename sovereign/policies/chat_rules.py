"""The citizens' chat front end works for real: citizens can reach it, and it can reach its identity provider.

- ``prod-chat-reachable``: in a prod stack every Service in front of the chat (Open WebUI) pods is the backend
  of a planned Ingress with a host, and the front end's ``WEBUI_URL`` is that Ingress's URL (https when the
  Ingress has TLS for the host). Without an Ingress the ClusterIP Service is reachable from inside the
  cluster only (REAL_PLATFORM_FINDINGS K2: no Ingress, ``WEBUI_URL=http://localhost:8080``); a wrong
  ``WEBUI_URL`` breaks the OIDC redirect and the CORS origin.
- ``idp-egress-allowed``: the chat pod's NetworkPolicies admit its OIDC issuer. Open WebUI (0.12.4,
  ``open_webui/config.py`` ``oidc_oauth_register``: ``oauth.register(..., server_metadata_url=
  OPENID_PROVIDER_URL)``; ``utils/oauth.py`` ``handle_callback``) fetches the discovery document and calls the
  token, userinfo and JWKS endpoints from the server, so with egress to the model servers and DNS only no
  sign-in completes (K1). Each of the country's ``identity_provider_cidrs`` must be covered by an ipBlock egress
  rule on TCP 443, or its ``identity_provider_in_cluster`` pods by a selector rule on their ports. The network
  must carry the traffic too: on Azure a public range is routed by the node subnet's route table, which drops
  0.0.0.0/0 with egress ``none`` and sends it to the firewall with ``allow_list``, whose policy then needs an
  application rule for the issuer's host on HTTPS 443 (Azure Firewall application rules match FQDNs, see
  ``components/azure/egress_allow_list.py``); on OCI the pods' NSG needs an egress rule to the range and the
  VCN a route to it (the range inside the VCN, or a route rule), as OCI filters by address on both.

- ``chat-discloses-ai``: a prod chat shows every user a banner they cannot dismiss, in each language of the
  country's ``ai_notice``, linking its notice page (EU AI Act Art. 50(1)); Open WebUI takes it from
  ``WEBUI_BANNERS`` only while ``ENABLE_PERSISTENT_CONFIG`` is False (otherwise a banner list saved in its
  database wins: ``open_webui/models/config.py`` ``Config.get``), see ``chat_pod.ai_notice_banners``.

All are about what the platform does with what it accepts: ``sovereignty=False``.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from sovereign.policies.model import Finding, PolicyContext, ResourceView, Rule
from sovereign.types import Cloud, Environment, base_language

__all__ = ["CHAT_RULES"]

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SERVICE = "kubernetes:core/v1:Service"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
AZURE_ROUTES = "azure-native:network:RouteTable"
AZURE_FIREWALL_RULES = "azure-native:network:FirewallPolicyRuleCollectionGroup"
OCI_VCN = "oci:Core/vcn:Vcn"
OCI_ROUTES = "oci:Core/routeTable:RouteTable"
OCI_NSG = "oci:Core/networkSecurityGroup:NetworkSecurityGroup"
OCI_NSG_RULE = "oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule"
_NAMESPACE_LABEL = "kubernetes.io/metadata.name"
_HTTPS = 443
_TCP = "6"
"""OCI's protocol number for TCP; 'all' covers every protocol."""

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_PRIVATE_RANGES = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
"""RFC 1918: what a virtual network and its peers use (ipaddress's is_private also counts documentation ranges)."""


def _where(r: ResourceView) -> str:
    return f"{r.get('metadata.namespace') or '?'}/{r.get('metadata.name') or r.name}"


def _env(container: Mapping[str, Any]) -> dict[str, str]:
    return {
        str(e.get("name")): str(e.get("value")) for e in container.get("env") or [] if isinstance(e, dict)
    }


def _chat_container(r: ResourceView) -> dict[str, str] | None:
    """The environment of a Deployment's Open WebUI container (the one told its OIDC issuer or its URL)."""
    if r.type != DEPLOYMENT:
        return None
    for container in r.get("spec.template.spec.containers") or []:
        variables = _env(container) if isinstance(container, dict) else {}
        if "OPENID_PROVIDER_URL" in variables or "WEBUI_URL" in variables:
            return variables
    return None


def _selects(selector: Mapping[str, Any] | None, labels: Mapping[str, Any]) -> bool:
    """A matchLabels selector (None or empty: everything) matches these labels."""
    return all(labels.get(k) == v for k, v in (selector or {}).items())


def _network(value: Any) -> Network | None:
    try:
        return ipaddress.ip_network(str(value), strict=False)
    except ValueError:
        return None


def _covers(outer: Any, inner: Network) -> bool:
    network = _network(outer)
    return network is not None and network.version == inner.version and inner.subnet_of(network)  # type: ignore[arg-type]


# --- prod-chat-reachable -----------------------------------------------------------------------------------


def _ingress_urls(ingresses: Iterable[ResourceView], namespace: Any, service: Any) -> dict[str, ResourceView]:
    """URL -> Ingress, for every host whose paths send traffic to ``namespace/service``."""
    urls: dict[str, ResourceView] = {}
    for ingress in ingresses:
        if ingress.get("metadata.namespace") != namespace:
            continue
        tls_hosts = {h for t in ingress.get("spec.tls") or [] for h in t.get("hosts") or []}
        for rule in ingress.get("spec.rules") or []:
            paths = (rule.get("http") or {}).get("paths") or []
            host = rule.get("host")
            if host and any(
                ((p.get("backend") or {}).get("service") or {}).get("name") == service for p in paths
            ):
                urls[f"{'https' if host in tls_hosts else 'http'}://{host}"] = ingress
    return urls


def _prod_chat_reachable(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    if not ctx.is_prod:
        return
    ingresses = [r for r in resources if r.type == INGRESS]
    services = [r for r in resources if r.type == SERVICE]
    for deployment in resources:
        variables = _chat_container(deployment)
        if variables is None:
            continue
        namespace = deployment.get("metadata.namespace")
        labels = deployment.get("spec.template.metadata.labels") or {}
        fronts = [
            s
            for s in services
            if s.get("metadata.namespace") == namespace
            and s.get("spec.selector")
            and _selects(s.get("spec.selector"), labels)
        ]
        urls = {
            u: i
            for s in fronts
            for u, i in _ingress_urls(ingresses, namespace, s.get("metadata.name")).items()
        }
        if not urls:
            names = ", ".join(_where(s) for s in fronts) or "none"
            yield Finding(
                f"prod chat front end '{_where(deployment)}' is not reachable: no Ingress with a host sends "
                f"traffic to its Service ({names}), so citizens cannot open it. Set "
                "assistant.chat.internal_exposure (hostname, ingress_class_name, ingress_controller_namespace, "
                "tls_secret_name) in the country file, or public_exposure with TLS and a justification",
                deployment.urn,
            )
        elif variables.get("WEBUI_URL") not in urls:
            yield Finding(
                f"prod chat front end '{_where(deployment)}' has WEBUI_URL {variables.get('WEBUI_URL')!r} but is "
                f"reached at {', '.join(sorted(urls))}: OIDC redirects and the CORS origin point elsewhere",
                deployment.urn,
            )


# --- idp-egress-allowed ------------------------------------------------------------------------------------


def _egress_rules(
    policies: Iterable[ResourceView], namespace: Any, labels: Mapping[str, Any]
) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    for policy in policies:
        if policy.get("metadata.namespace") != namespace or "Egress" not in (
            policy.get("spec.policyTypes") or []
        ):
            continue
        if _selects((policy.get("spec.podSelector") or {}).get("matchLabels"), labels):
            rules += [r for r in policy.get("spec.egress") or [] if isinstance(r, dict)]
    return rules


def _tcp_ports(rule: Mapping[str, Any]) -> set[int] | None:
    """TCP ports a rule admits; None for all of them (no ports listed)."""
    ports = rule.get("ports")
    if not ports:
        return None
    return {
        int(p["port"])
        for p in ports
        if p.get("protocol", "TCP") == "TCP" and isinstance(p.get("port"), (int, float))
    }


def _admits_range(rules: Iterable[Mapping[str, Any]], cidr: Network) -> bool:
    for rule in rules:
        ports = _tcp_ports(rule)
        if ports is not None and _HTTPS not in ports:
            continue
        for to in rule.get("to") or []:
            block = to.get("ipBlock") or {}
            excepted = [n for n in map(_network, block.get("except") or []) if n is not None]
            if _covers(block.get("cidr"), cidr) and not any(n.overlaps(cidr) for n in excepted):  # type: ignore[arg-type]
                return True
    return False


def _admits_pods(
    rules: Iterable[Mapping[str, Any]], namespace: str, labels: Mapping[str, str], ports: Iterable[int]
) -> bool:
    """Some rule admits these pods (a peer selecting them or more of that namespace) on every one of the ports."""
    for rule in rules:
        admitted = _tcp_ports(rule)
        if admitted is not None and not set(ports) <= admitted:
            continue
        for to in rule.get("to") or []:
            namespaces = (to.get("namespaceSelector") or {}).get("matchLabels") or {}
            pods = (to.get("podSelector") or {}).get("matchLabels")
            if (
                namespaces.get(_NAMESPACE_LABEL) == namespace
                and _selects(pods, labels)
                and "ipBlock" not in to
            ):
                return True
    return False


def _azure_path(ctx: PolicyContext, resources: list[ResourceView], cidr: Network, host: str) -> str | None:
    """Why traffic from the nodes to a public range does not get through (None when it does)."""
    if any(_covers(private, cidr) for private in _PRIVATE_RANGES):
        return None  # in the virtual network or a peered one: system routes, not the default route
    routes = [route for r in resources if r.type == AZURE_ROUTES for route in r.get("routes") or []]
    matching = [route for route in routes if _covers(route.get("addressPrefix"), cidr)]
    if not matching:
        return None
    best = max(matching, key=lambda route: _network(route.get("addressPrefix")).prefixlen)  # type: ignore[union-attr]
    hop = best.get("nextHopType")
    if hop == "None":
        return (
            f"the node subnet's route {best.get('addressPrefix')} drops it (egress 'none'): choose egress "
            f"'allow_list' with {host} in azure.egress.allowed_destinations, or list the provider's private range"
        )
    if hop != "VirtualAppliance":
        return None
    for group in resources:
        if group.type != AZURE_FIREWALL_RULES:
            continue
        for collection in group.get("ruleCollections") or []:
            if ((collection.get("action") or {}).get("type")) != "Allow":
                continue
            for rule in collection.get("rules") or []:
                fqdns = rule.get("targetFqdns") or []
                https = any(
                    p.get("protocolType") == "Https" and p.get("port") == _HTTPS
                    for p in rule.get("protocols") or []
                )
                if https and any(f == host or (f.startswith("*.") and host.endswith(f[1:])) for f in fqdns):
                    return None
    return (
        f"it leaves through the egress firewall, whose planned policy has no application rule for {host} on "
        f"HTTPS 443: add {host} to azure.egress.allowed_destinations"
    )


def _oci_path(resources: list[ResourceView], cidr: Network) -> str | None:
    """Why pods cannot reach the range on OCI: no pods-NSG egress rule, or no route (None when both are there)."""
    pod_groups = {
        r.urn for r in resources if r.type == OCI_NSG and str(r.get("displayName") or "").endswith("-pods")
    }
    allowed = False
    for rule in resources:
        if (
            rule.type != OCI_NSG_RULE
            or rule.get("direction") != "EGRESS"
            or rule.get("destinationType") != "CIDR_BLOCK"
        ):
            continue
        if not pod_groups.intersection(rule.dependencies) or not _covers(rule.get("destination"), cidr):
            continue
        span = (rule.get("tcpOptions") or {}).get("destinationPortRange") or {}
        protocol = str(rule.get("protocol"))
        if protocol == "all" or (protocol == _TCP and span.get("min", 1) <= _HTTPS <= span.get("max", 65535)):
            allowed = True
    in_vcn = any(
        _covers(block, cidr) for r in resources if r.type == OCI_VCN for block in r.get("cidrBlocks") or []
    )
    routed = in_vcn or any(
        route.get("destinationType") == "CIDR_BLOCK" and _covers(route.get("destination"), cidr)
        for r in resources
        if r.type == OCI_ROUTES
        for route in r.get("routeRules") or []
    )
    if allowed and routed:
        return None
    missing = [
        what for what, ok in (("no egress rule in the pods' NSG", allowed), ("no route", routed)) if not ok
    ]
    return (
        f"OKE pods have {' and '.join(missing)} to it (OCI filters by address: the pods' NSG and the VCN's route "
        "table must both admit the range); serve the issuer in the cluster (identity_provider_in_cluster)"
    )


def _idp_egress_allowed(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    policies = [r for r in resources if r.type == NETWORK_POLICY]
    chat = ctx.config.assistant.chat if ctx.config.assistant is not None else None
    for deployment in resources:
        variables = _chat_container(deployment)
        if variables is None or "OPENID_PROVIDER_URL" not in variables:
            continue
        issuer = variables["OPENID_PROVIDER_URL"]
        host = urlsplit(issuer).hostname or "?"
        rules = _egress_rules(
            policies,
            deployment.get("metadata.namespace"),
            deployment.get("spec.template.metadata.labels") or {},
        )
        cidrs = [
            n for n in (_network(c) for c in (chat.identity_provider_cidrs if chat else [])) if n is not None
        ]
        in_cluster = chat.identity_provider_in_cluster if chat else None
        where = f"chat front end '{_where(deployment)}'"
        if not cidrs and in_cluster is None:
            yield Finding(
                f"{where} signs in through {host} but the country names neither its ranges nor its pods: no egress "
                "rule reaches the identity provider and every sign-in fails at discovery. Set "
                "assistant.chat.identity_provider_cidrs or identity_provider_in_cluster",
                deployment.urn,
            )
        for cidr in cidrs:
            if not _admits_range(rules, cidr):
                yield Finding(
                    f"{where}: no egress rule admits the identity provider's range {cidr} on TCP 443",
                    deployment.urn,
                )
                continue
            why = (
                _azure_path(ctx, resources, cidr, host)
                if ctx.config.cloud == Cloud.AZURE
                else _oci_path(resources, cidr)
                if ctx.config.cloud == Cloud.OCI
                else None
            )
            if why:
                yield Finding(
                    f"{where}: the identity provider's range {cidr} is not reachable: {why}", deployment.urn
                )
        if in_cluster is not None and not _admits_pods(
            rules, in_cluster.namespace, in_cluster.pod_labels, in_cluster.ports
        ):
            yield Finding(
                f"{where}: no egress rule admits the identity provider's pods in namespace "
                f"'{in_cluster.namespace}' ({in_cluster.pod_labels or 'all pods'}) on TCP {in_cluster.ports}",
                deployment.urn,
            )


def _chat_discloses_ai(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    assistant = ctx.config.assistant
    if ctx.config.environment != Environment.PROD or assistant is None:
        return
    notice = assistant.chat.ai_notice
    languages = sorted({base_language(tag) for tag in notice.texts}) if notice else []
    for r in resources:
        variables = _chat_container(r)
        if variables is None:
            continue
        where = _where(r)
        if variables.get("ENABLE_PERSISTENT_CONFIG") != "False":
            yield Finding(
                f"{where}: ENABLE_PERSISTENT_CONFIG is not 'False': banners saved in the database win", r.urn
            )
        try:
            banners = json.loads(variables.get("WEBUI_BANNERS") or "[]")
        except json.JSONDecodeError:
            banners = []
        fixed = [b for b in banners if isinstance(b, dict) and b.get("dismissible") is False]
        url = notice.notice_url if notice else None
        shown = [b for b in fixed if url and url in str(b.get("content"))]
        if not shown:
            yield Finding(
                f"{where}: no banner that users cannot dismiss tells them they are talking to an AI system and "
                f"links {url or 'the notice page'} (WEBUI_BANNERS)",
                r.urn,
            )
            continue
        i18n = shown[0].get("i18n") or {}
        missing = [
            lang for lang in languages if str(url) not in str((i18n.get(lang) or {}).get("content") or "")
        ]
        if missing:
            yield Finding(
                f"{where}: the AI notice banner has no text with the link for {', '.join(missing)}", r.urn
            )


CHAT_RULES: tuple[Rule, ...] = (
    Rule(
        "prod-chat-reachable",
        "In prod the chat front end's Service is the backend of a planned Ingress with a host, and its WEBUI_URL "
        "is that Ingress's URL (https with TLS).",
        _prod_chat_reachable,
        lambda r: r.type in (DEPLOYMENT, SERVICE, INGRESS),
        sovereignty=False,
        reads=(
            "type",
            "inputs.metadata.*",
            "inputs.spec.selector*",
            "inputs.spec.rules*",
            "inputs.spec.tls*",
            "inputs.spec.template.metadata.labels*",
            "inputs.spec.template.spec.containers.env*",
        ),
    ),
    Rule(
        "idp-egress-allowed",
        "A chat front end with an OIDC issuer has an egress rule reaching the identity provider (its ranges on "
        "TCP 443 or its in-cluster pods), and on Azure the route/egress firewall, on OCI the pods' NSG and "
        "routes, let that traffic through.",
        _idp_egress_allowed,
        lambda r: (
            r.type
            in (
                DEPLOYMENT,
                NETWORK_POLICY,
                AZURE_ROUTES,
                AZURE_FIREWALL_RULES,
                OCI_VCN,
                OCI_ROUTES,
                OCI_NSG,
                OCI_NSG_RULE,
            )
        ),
        sovereignty=False,
        reads=(
            "type",
            "inputs.metadata.namespace",
            "inputs.spec.podSelector*",
            "inputs.spec.policyTypes*",
            "inputs.spec.egress*",
            "inputs.spec.template.metadata.labels*",
            "inputs.spec.template.spec.containers.env*",
            "inputs.routes*",
            "inputs.ruleCollections*",
            "inputs.cidrBlocks*",
            "inputs.routeRules*",
            "inputs.displayName",
            "inputs.direction",
            "inputs.destination*",
            "inputs.protocol",
            "inputs.tcpOptions*",
        ),
    ),
    Rule(
        "chat-discloses-ai",
        "A prod chat shows every user a banner they cannot dismiss, in each language of the country's ai_notice, "
        "saying they are talking to an AI system and linking the notice page (EU AI Act Art. 50(1)).",
        _chat_discloses_ai,
        lambda r: r.type == DEPLOYMENT,
        sovereignty=False,
        reads=("inputs.spec.template.spec.containers.env*",),
    ),
)
