"""Subnet plan for the sovereign VCN: which part of the VCN CIDR each private subnet gets.

Pure helper (no resources). The default carve-up favours pods, because VCN-native pod networking gives every
pod a VCN address: pods get the first half of the VCN, worker nodes the next quarter, internal load
balancers the next eighth, and the Kubernetes API endpoint the last /28. Explicit CIDRs may be given
instead; they must lie inside the VCN and must not overlap.

Non-goals: IPv6, secondary VCN CIDRs, more than one subnet per role.
"""

import ipaddress
from dataclasses import dataclass

__all__ = ["SubnetPlan", "plan_subnets"]

_ROLES = ("api", "workers", "pods", "load_balancers")


@dataclass(frozen=True)
class SubnetPlan:
    """One IPv4 CIDR per subnet role."""

    api: str
    workers: str
    pods: str
    load_balancers: str

    def as_dict(self) -> dict[str, str]:
        return {role: getattr(self, role) for role in _ROLES}


def _network(value: str, field_name: str) -> ipaddress.IPv4Network:
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"{field_name}: {value!r} is not a CIDR with host bits zero ({exc})") from None
    if not isinstance(network, ipaddress.IPv4Network):
        raise ValueError(f"{field_name}: {value!r} is not IPv4 (only IPv4 VCNs are supported)")
    return network


def plan_subnets(vcn_cidr: str, overrides: dict[str, str] | None = None) -> SubnetPlan:
    """Carve ``vcn_cidr`` (a /16 to /24) into the four subnets, applying explicit ``overrides`` by role."""
    vcn = _network(vcn_cidr, "vcn_cidr")
    if not 16 <= vcn.prefixlen <= 24:
        raise ValueError(
            f"vcn_cidr: {vcn_cidr!r} must be a /16 to /24 (got /{vcn.prefixlen}); OCI allows /16../30"
        )
    pods, rest = vcn.subnets(prefixlen_diff=1)
    workers, rest = rest.subnets(prefixlen_diff=1)
    load_balancers, rest = rest.subnets(prefixlen_diff=1)
    api = list(rest.subnets(new_prefix=28))[-1]
    plan = {"api": api, "workers": workers, "pods": pods, "load_balancers": load_balancers}
    for role, cidr in (overrides or {}).items():
        if role not in plan:
            raise ValueError(f"subnet_cidrs: unknown role {role!r} (allowed: {list(_ROLES)})")
        plan[role] = _network(cidr, f"subnet_cidrs.{role}")
    for role, network in plan.items():
        if not network.subnet_of(vcn):
            raise ValueError(f"subnet_cidrs.{role}: {network} is not inside the VCN {vcn}")
    roles = list(plan)
    for i, first in enumerate(roles):
        for second in roles[i + 1 :]:
            if plan[first].overlaps(plan[second]):
                raise ValueError(
                    f"subnet_cidrs: {first} {plan[first]} overlaps {second} {plan[second]}; use disjoint"
                )
    return SubnetPlan(**{role: str(network) for role, network in plan.items()})
