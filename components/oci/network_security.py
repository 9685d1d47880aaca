"""OkeNetworkSecurity: the four network security groups of a private OKE cluster and their rules.

Creates one NSG per role (API endpoint, worker nodes, pods, internal load balancers) in the given VCN and
materialises the least-privilege rule set of :mod:`components.oci.nsg_rules`. Used by ``SovereignNetwork``;
usable alone for an existing VCN.

Non-goals: does not attach the NSGs to anything (the cluster and node pools reference the ids), does not
create security lists (subnets keep the emptied default list).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_oci as oci

from components.oci.nsg_rules import NSG_ROLES, NsgRule, oke_rules

__all__ = ["OkeNetworkSecurity", "OkeNetworkSecurityArgs"]


@dataclass(frozen=True)
class OkeNetworkSecurityArgs:
    compartment_id: pulumi.Input[str]
    """Compartment that holds the NSGs (the country compartment)."""
    vcn_id: pulumi.Input[str]
    """VCN the NSGs belong to."""
    vcn_cidr: str
    """The VCN's CIDR: source of path-MTU ICMP and the default internal load-balancer client range."""
    services_cidr_label: pulumi.Input[str]
    """The region's Oracle Services Network label ('all-fra-services-in-oracle-services-network')."""
    api_client_cidrs: Sequence[str] = ()
    """CIDRs allowed to reach the Kubernetes API on 6443 (in-network CI runners, bastion). Omitted: only the
    cluster's own workers and pods reach it."""
    lb_client_cidrs: Sequence[str] = ()
    """CIDRs allowed to reach internal load balancers on 443. Omitted: the VCN's own CIDR."""
    freeform_tags: Mapping[str, str] = field(default_factory=dict)
    """Free-form tags on every NSG."""


def _role_suffix(role: str) -> str:
    return role.replace("_", "-")


class OkeNetworkSecurity(pulumi.ComponentResource):
    api_nsg_id: pulumi.Output[str]
    worker_nsg_id: pulumi.Output[str]
    pod_nsg_id: pulumi.Output[str]
    lb_nsg_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: OkeNetworkSecurityArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("sovereign:oci:OkeNetworkSecurity", name, None, opts)
        rules = oke_rules(
            vcn_cidr=args.vcn_cidr,
            api_client_cidrs=args.api_client_cidrs,
            lb_client_cidrs=args.lb_client_cidrs,
        )
        groups = {
            role: oci.core.NetworkSecurityGroup(
                f"{name}-{_role_suffix(role)}",
                compartment_id=args.compartment_id,
                vcn_id=args.vcn_id,
                display_name=f"{name}-{_role_suffix(role)}",
                freeform_tags=dict(args.freeform_tags),
                opts=pulumi.ResourceOptions(parent=self),
            )
            for role in NSG_ROLES
        }
        for rule in rules:
            self._rule(name, rule, groups, args.services_cidr_label)

        self.api_nsg_id = groups["api"].id
        self.worker_nsg_id = groups["workers"].id
        self.pod_nsg_id = groups["pods"].id
        self.lb_nsg_id = groups["load_balancers"].id
        self.register_outputs(
            {
                "api_nsg_id": self.api_nsg_id,
                "worker_nsg_id": self.worker_nsg_id,
                "pod_nsg_id": self.pod_nsg_id,
                "lb_nsg_id": self.lb_nsg_id,
            }
        )

    def _rule(
        self,
        name: str,
        rule: NsgRule,
        groups: Mapping[str, oci.core.NetworkSecurityGroup],
        services_cidr_label: pulumi.Input[str],
    ) -> None:
        peer: pulumi.Input[str]
        if rule.peer_kind == "nsg":
            peer, peer_type = groups[rule.peer].id, "NETWORK_SECURITY_GROUP"
        elif rule.peer_kind == "services":
            peer, peer_type = services_cidr_label, "SERVICE_CIDR_BLOCK"
        else:
            peer, peer_type = rule.peer, "CIDR_BLOCK"
        ingress = rule.direction == "INGRESS"
        port_range = (
            oci.core.NetworkSecurityGroupSecurityRuleTcpOptionsArgs(
                destination_port_range=oci.core.NetworkSecurityGroupSecurityRuleTcpOptionsDestinationPortRangeArgs(
                    min=rule.ports[0], max=rule.ports[1]
                )
            )
            if rule.ports
            else None
        )
        icmp = (
            oci.core.NetworkSecurityGroupSecurityRuleIcmpOptionsArgs(type=rule.icmp[0], code=rule.icmp[1])
            if rule.icmp
            else None
        )
        oci.core.NetworkSecurityGroupSecurityRule(
            f"{name}-{_role_suffix(rule.key)}",
            network_security_group_id=groups[rule.nsg].id,
            direction=rule.direction,
            protocol=rule.protocol,
            description=rule.description,
            source=peer if ingress else None,
            source_type=peer_type if ingress else None,
            destination=None if ingress else peer,
            destination_type=None if ingress else peer_type,
            stateless=False,
            tcp_options=port_range,
            icmp_options=icmp,
            opts=pulumi.ResourceOptions(parent=self),
        )
