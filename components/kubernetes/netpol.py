"""NetworkPolicy building blocks: who may talk to whom, expressed as namespaces and pod labels.

Pure helpers (no resources). Every namespace starts from default-deny (``namespace.py``); components then
add one policy per allowed flow, built from these pieces, so the allowed flows read as data:
:class:`PeerSelector` (a set of pods) and :class:`ServiceEndpoint` (a Service and the pods behind it).
Namespaces are selected by the ``kubernetes.io/metadata.name`` label, which the API server sets on every
namespace and nobody can forge. Non-goals: CNI-specific policies (Cilium, Calico); plain
``networking.k8s.io/v1`` works on AKS (Azure NPM / Cilium) and OKE (Calico / VCN-native with policies).
"""

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

__all__ = [
    "MIN_EGRESS_PREFIX_LENGTH",
    "NAMESPACE_NAME_LABEL",
    "PeerSelector",
    "ServiceEndpoint",
    "egress_to_cidrs",
    "ingress_from",
    "namespace_selector",
    "peer",
    "require_narrow_cidrs",
    "tcp_ports",
]

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
MIN_EGRESS_PREFIX_LENGTH = 16
"""Egress CIDRs must be at least this specific: an identity provider is a few addresses, not the internet."""


@dataclass(frozen=True)
class PeerSelector:
    """A set of pods allowed in a flow: some pods of one namespace, or all of them."""

    namespace: pulumi.Input[str]
    """Namespace of the pods."""
    pod_labels: Mapping[str, str] = field(default_factory=dict)
    """Labels the pods must carry; empty selects every pod of the namespace."""


@dataclass(frozen=True)
class ServiceEndpoint:
    """A ClusterIP Service and the pods behind it, as a client needs them for its egress policy and URL."""

    namespace: pulumi.Input[str]
    service_name: str
    port: int
    pod_labels: Mapping[str, str]

    def url(self, path: str = "") -> pulumi.Output[str]:
        return pulumi.Output.concat(
            "http://", self.service_name, ".", self.namespace, ".svc.cluster.local:", str(self.port), path
        )

    def as_peer(self) -> PeerSelector:
        return PeerSelector(self.namespace, self.pod_labels)


def namespace_selector(namespace: pulumi.Input[str]) -> k8s.meta.v1.LabelSelectorArgs:
    return k8s.meta.v1.LabelSelectorArgs(match_labels={NAMESPACE_NAME_LABEL: namespace})


def peer(selector: PeerSelector) -> k8s.networking.v1.NetworkPolicyPeerArgs:
    # Both selectors in ONE peer entry means "these pods of that namespace" (AND); two entries would be OR.
    return k8s.networking.v1.NetworkPolicyPeerArgs(
        namespace_selector=namespace_selector(selector.namespace),
        pod_selector=k8s.meta.v1.LabelSelectorArgs(match_labels=dict(selector.pod_labels))
        if selector.pod_labels
        else None,
    )


def tcp_ports(*ports: int) -> list[k8s.networking.v1.NetworkPolicyPortArgs]:
    return [k8s.networking.v1.NetworkPolicyPortArgs(protocol="TCP", port=port) for port in ports]


def ingress_from(
    selectors: Sequence[PeerSelector], port: int
) -> list[k8s.networking.v1.NetworkPolicyIngressRuleArgs]:
    """One rule per client, so each allowed flow shows up on its own in the plan."""
    return [
        k8s.networking.v1.NetworkPolicyIngressRuleArgs(from_=[peer(selector)], ports=tcp_ports(port))
        for selector in selectors
    ]


def egress_to_cidrs(cidrs: Sequence[str], port: int) -> list[k8s.networking.v1.NetworkPolicyEgressRuleArgs]:
    """One rule to a few address ranges outside the cluster (none when there are no ranges)."""
    if not cidrs:
        return []
    blocks = [
        k8s.networking.v1.NetworkPolicyPeerArgs(ip_block=k8s.networking.v1.IPBlockArgs(cidr=c)) for c in cidrs
    ]
    return [k8s.networking.v1.NetworkPolicyEgressRuleArgs(to=blocks, ports=tcp_ports(port))]


def require_narrow_cidrs(cidrs: Sequence[str], what: str) -> tuple[str, ...]:
    for cidr in cidrs:
        try:
            network = ipaddress.ip_network(cidr, strict=True)
        except ValueError as exc:
            raise ValueError(f"{what}: {cidr!r} is not a CIDR with host bits zero ({exc})") from None
        if network.prefixlen < MIN_EGRESS_PREFIX_LENGTH:
            raise ValueError(
                f"{what}: {cidr!r} opens egress to {network.num_addresses} addresses (allowed: prefixes of "
                f"/{MIN_EGRESS_PREFIX_LENGTH} or longer): list the identity provider's own ranges"
            )
    return tuple(cidrs)
