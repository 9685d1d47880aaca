"""Least-privilege network security group rules for a private OKE cluster with VCN-native pod networking.

Pure data (no resources): :func:`oke_rules` returns one :class:`NsgRule` per rule, and the
``OkeNetworkSecurity`` component turns each into an ``oci.core.NetworkSecurityGroupSecurityRule``. The set
follows the OKE "network resource configuration" reference for VCN-native pod networking, tightened:

- peers are the other NSGs, not whole subnets, wherever both ends are ours;
- Oracle services only through the region's Oracle Services Network label (the service gateway);
- nothing from or to 0.0.0.0/0: there is no internet egress;
- the API endpoint accepts clients only from the CIDRs the stack names (in-network runners, bastion).

Non-goals: UDP services, NodePort access from outside the load-balancer NSG, IPv6.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

__all__ = ["ICMP", "NSG_ROLES", "TCP", "NsgRule", "oke_rules"]

TCP = "6"
ICMP = "1"
ALL = "all"
NSG_ROLES = ("api", "workers", "pods", "load_balancers")

NsgRole = Literal["api", "workers", "pods", "load_balancers"]
PeerKind = Literal["nsg", "cidr", "services"]


@dataclass(frozen=True)
class NsgRule:
    """One stateful rule on the NSG of ``nsg``; ``peer`` is an NSG role, a CIDR, or 'services'."""

    key: str
    nsg: NsgRole
    direction: Literal["INGRESS", "EGRESS"]
    protocol: str
    peer_kind: PeerKind
    peer: str
    ports: tuple[int, int] | None = None
    icmp: tuple[int, int] | None = None
    description: str = ""


_PATH_MTU = (3, 4)  # ICMP type 3 code 4: fragmentation needed, for path MTU discovery
_NODE_PORTS = (30000, 32767)
_VCN = "<vcn>"  # placeholder peer, replaced by the VCN CIDR


Ports = tuple[int, int] | None
Direction = Literal["INGRESS", "EGRESS"]
_Row = tuple[NsgRole, Direction, str, str, PeerKind, str, Ports, Ports, str]

_IN: Direction = "INGRESS"
_OUT: Direction = "EGRESS"
_MTU = "Path MTU discovery"
_TO_API = "Kubelets and pods reach the API server"
_TO_CP = "Workers and pods reach the control plane"
_TO_KUBELET = "API server to kubelets"
_TO_PODS = "API server to pods (webhooks, exec, logs)"
_NODE_POD = "Nodes to pods (probes, VCN-native routing)"
_OSN = "Oracle services in-region (OKE, registry, Object Storage)"
# OKE "Network Resource Configuration" (docs.oracle.com/iaas/Content/ContEng/Concepts/contengnetworkconfig.htm),
# worker node rules for VCN-native pod networking, and terraform-oci-oke modules/network/nsg-workers.tf ("Allow
# ALL ingress to workers from other workers", "... egress from workers to other workers", "Allow ALL ingress to
# workers from pods") and nsg-pods.tf ("Allow ALL egress from pods for cross-node pod communication when using
# NodePorts or hostNetwork: true"): kube-proxy, CoreDNS on host network and node-to-node health need them.
_NODE_NODE = "Worker to worker (kube-proxy, host-network pods, node health)"
_POD_NODE = "Pods to nodes (host-network pods, NodePorts, kubelet-served endpoints)"
_LB = "Internal load balancers to node ports and kube-proxy health"
_API_PORT, _CP_PORT, _KUBELET_PORT, _HEALTH_PORT = (
    (6443, 6443),
    (12250, 12250),
    (10250, 10250),
    (10256, 10256),
)
# fmt: off
# nsg, direction, key, protocol, peer kind, peer, ports, icmp (type, code), why
_FIXED: list[_Row] = [
    ("api", _IN, "workers-6443", TCP, "nsg", "workers", _API_PORT, None, _TO_API),
    ("api", _IN, "workers-12250", TCP, "nsg", "workers", _CP_PORT, None, _TO_CP),
    ("api", _IN, "pods-6443", TCP, "nsg", "pods", _API_PORT, None, _TO_API),
    ("api", _IN, "pods-12250", TCP, "nsg", "pods", _CP_PORT, None, _TO_CP),
    ("api", _IN, "workers-icmp", ICMP, "nsg", "workers", None, _PATH_MTU, _MTU),
    ("api", _OUT, "services-443", TCP, "services", "services", (443, 443), None, _OSN),
    ("api", _OUT, "services-icmp", ICMP, "services", "services", None, _PATH_MTU, _MTU),
    ("api", _OUT, "workers-10250", TCP, "nsg", "workers", _KUBELET_PORT, None, _TO_KUBELET),
    ("api", _OUT, "workers-icmp", ICMP, "nsg", "workers", None, _PATH_MTU, _MTU),
    ("api", _OUT, "pods-all", ALL, "nsg", "pods", None, None, _TO_PODS),
    ("workers", _IN, "api-10250", TCP, "nsg", "api", _KUBELET_PORT, None, _TO_KUBELET),
    ("workers", _IN, "workers-all", ALL, "nsg", "workers", None, None, _NODE_NODE),
    ("workers", _IN, "pods-all", ALL, "nsg", "pods", None, None, _POD_NODE),
    ("workers", _OUT, "workers-all", ALL, "nsg", "workers", None, None, _NODE_NODE),
    ("workers", _IN, "vcn-icmp", ICMP, "cidr", _VCN, None, _PATH_MTU, _MTU),
    ("workers", _IN, "lb-nodeports", TCP, "nsg", "load_balancers", _NODE_PORTS, None, _LB),
    ("workers", _IN, "lb-10256", TCP, "nsg", "load_balancers", _HEALTH_PORT, None, _LB),
    ("workers", _OUT, "api-6443", TCP, "nsg", "api", _API_PORT, None, _TO_API),
    ("workers", _OUT, "api-12250", TCP, "nsg", "api", _CP_PORT, None, _TO_CP),
    ("workers", _OUT, "pods-all", ALL, "nsg", "pods", None, None, _NODE_POD),
    ("workers", _OUT, "services-tcp", TCP, "services", "services", None, None, _OSN),
    ("workers", _OUT, "services-icmp", ICMP, "services", "services", None, _PATH_MTU, _MTU),
    ("pods", _IN, "workers-all", ALL, "nsg", "workers", None, None, _NODE_POD),
    ("pods", _IN, "pods-all", ALL, "nsg", "pods", None, None, "Pod to pod"),
    ("pods", _IN, "api-all", ALL, "nsg", "api", None, None, _TO_PODS),
    ("pods", _OUT, "pods-all", ALL, "nsg", "pods", None, None, "Pod to pod"),
    ("pods", _OUT, "workers-all", ALL, "nsg", "workers", None, None, _POD_NODE),
    ("pods", _OUT, "api-6443", TCP, "nsg", "api", _API_PORT, None, _TO_API),
    ("pods", _OUT, "api-12250", TCP, "nsg", "api", _CP_PORT, None, _TO_CP),
    ("pods", _OUT, "services-tcp", TCP, "services", "services", None, None, _OSN),
    ("pods", _OUT, "services-icmp", ICMP, "services", "services", None, _PATH_MTU, _MTU),
    ("load_balancers", _OUT, "workers-nodeports", TCP, "nsg", "workers", _NODE_PORTS, None, _LB),
    ("load_balancers", _OUT, "workers-10256", TCP, "nsg", "workers", _HEALTH_PORT, None, _LB),
]
# fmt: on


def _rule(row: _Row) -> NsgRule:
    nsg, direction, key, protocol, kind, peer, ports, icmp, why = row
    way = "in" if direction == _IN else "out"
    return NsgRule(f"{nsg}-{way}-{key}", nsg, direction, protocol, kind, peer, ports, icmp, why)


def oke_rules(
    *,
    vcn_cidr: str,
    api_client_cidrs: Sequence[str] = (),
    lb_client_cidrs: Sequence[str] = (),
) -> list[NsgRule]:
    """All rules, keyed uniquely (the key becomes the Pulumi name suffix, so keep keys stable)."""
    rules = [_rule(row) for row in _FIXED]
    rules = [replace(r, peer=vcn_cidr) if r.peer == _VCN else r for r in rules]
    extra: list[_Row] = [
        *[
            ("api", _IN, f"client{i}-6443", TCP, "cidr", c, (6443, 6443), None, "Operators reach the API")
            for i, c in enumerate(api_client_cidrs)
        ],
        *[
            ("load_balancers", _IN, f"client{i}-443", TCP, "cidr", c, (443, 443), None, "Clients reach HTTPS")
            for i, c in enumerate(lb_client_cidrs or (vcn_cidr,))
        ],
    ]
    rules += [_rule(row) for row in extra]
    if len({r.key for r in rules}) != len(rules):
        raise ValueError("NSG rule keys must be unique: they are the rules' Pulumi names")
    return rules
