"""The country platform's network: resource group, virtual network, subnets, NSGs, egress routes, private DNS.

Scope: one resource group (tagged with the country's tags), one virtual network with its subnets (cluster
nodes, the AKS API server through API Server VNet Integration, private endpoints, and optionally internal load
balancers), one network security group per subnet, one route table for the node subnet, and the private DNS
zones every private endpoint needs.
Pods get no subnet: the cluster uses Azure CNI overlay, so pod IPs never consume virtual-network addresses.

Egress is a closed choice (``EgressMode``): ``none`` routes 0.0.0.0/0 to nothing and denies Internet in the
node NSG (the cluster is network-isolated, see ``SovereignCluster``); ``allow_list`` routes 0.0.0.0/0 to the
private IP of a firewall that holds the allow-list. No subnet has Azure's default outbound access, and no
public IP or NAT gateway is ever created, so there is no Args value that opens unfiltered egress.
Non-goals: the firewall itself and its rules (a hub concern), peering, VPN/ExpressRoute, DDoS plans.
"""

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import network, resources

from components.azure.catalogue import PrivateZone
from components.azure.private_dns import PrivateDnsZones, PrivateDnsZonesArgs
from sovereign.types import EgressMode

__all__ = ["SovereignNetwork", "SovereignNetworkArgs"]

MIN_API_SERVER_PREFIX = 28
"""API Server VNet Integration needs a delegated subnet of at least /28."""


@dataclass(frozen=True)
class SovereignNetworkArgs:
    location: str
    """Azure region of the whole platform, such as 'germanywestcentral'."""
    address_space: str
    """IPv4 CIDR of the virtual network, such as '10.40.0.0/16'."""
    nodes_subnet_cidr: str
    """CIDR of the node subnet, inside address_space (size it for max nodes, not pods: pods use overlay)."""
    api_server_subnet_cidr: str
    """CIDR of the subnet delegated to the AKS API server, /28 or larger, inside address_space."""
    private_endpoints_subnet_cidr: str
    """CIDR of the private-endpoint subnet (vault, storage, registry, monitor), inside address_space."""
    internal_load_balancers_subnet_cidr: str | None = None
    """CIDR of the subnet that internal load balancers (an internal ingress controller's frontend) take their
    private IPs from, inside address_space. Omitted: no such subnet; internal load balancers use the node
    subnet."""
    egress_mode: EgressMode = EgressMode.NONE
    """Outbound posture. Omitted: 'none', no route out of the virtual network at all."""
    egress_firewall_ip: str | None = None
    """Private IP of the allow-list firewall; required for 'allow_list' and refused for 'none'."""
    resource_group_name: str | None = None
    """Azure name of the resource group. Omitted: the child's own name, ``<name>-rg`` (explicit, so that
    azure-native does not append 8 random characters: sovereign.clouds.azure.naming)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """The country's tags, applied to the resource group and every taggable resource."""
    protect_stateful: bool = True
    """Protect the resource group and keep it on delete (prod). Deleting an Azure resource group deletes
    everything in it, the vault and stores included, whatever their own protect or retain options say."""

    def __post_init__(self) -> None:
        space = _network("address_space", self.address_space)
        subnets = {
            "nodes_subnet_cidr": _network("nodes_subnet_cidr", self.nodes_subnet_cidr),
            "api_server_subnet_cidr": _network("api_server_subnet_cidr", self.api_server_subnet_cidr),
            "private_endpoints_subnet_cidr": _network(
                "private_endpoints_subnet_cidr", self.private_endpoints_subnet_cidr
            ),
        }
        if self.internal_load_balancers_subnet_cidr is not None:
            subnets["internal_load_balancers_subnet_cidr"] = _network(
                "internal_load_balancers_subnet_cidr", self.internal_load_balancers_subnet_cidr
            )
        for key, subnet in subnets.items():
            if not subnet.subnet_of(space):
                raise ValueError(
                    f"{key}: {subnet} is outside the virtual network (got {subnet}; allowed: a subnet of "
                    f"{space}) - pick a range inside address_space"
                )
        keys = list(subnets)
        for i, first in enumerate(keys):
            for second in keys[i + 1 :]:
                if subnets[first].overlaps(subnets[second]):
                    raise ValueError(
                        f"{first} and {second} overlap (got {subnets[first]} and {subnets[second]}; allowed: "
                        "disjoint ranges) - Azure refuses overlapping subnets; move one of them"
                    )
        if subnets["api_server_subnet_cidr"].prefixlen > MIN_API_SERVER_PREFIX:
            raise ValueError(
                f"api_server_subnet_cidr: {self.api_server_subnet_cidr} is too small (got "
                f"/{subnets['api_server_subnet_cidr'].prefixlen}; allowed: /{MIN_API_SERVER_PREFIX} or larger) "
                "- API Server VNet Integration needs at least 16 addresses"
            )
        _check_egress(self.egress_mode, self.egress_firewall_ip)


def _network(key: str, value: str) -> ipaddress.IPv4Network:
    try:
        parsed = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"{key}: {value!r} is not an IPv4 CIDR with host bits zero ({exc})") from None
    if not isinstance(parsed, ipaddress.IPv4Network) or not parsed.is_private:
        raise ValueError(
            f"{key}: {value} is not a private IPv4 range (got {value}; allowed: RFC 1918 or RFC 6598 ranges "
            "such as 10.0.0.0/8) - a public range in a private network leaks routes and breaks egress control"
        )
    return parsed


def _check_egress(mode: EgressMode, firewall_ip: str | None) -> None:
    """An allow-list without a firewall, or a 'none' posture with one, would silently mean something else."""
    if mode is EgressMode.ALLOW_LIST:
        if firewall_ip is None:
            raise ValueError(
                "egress_firewall_ip: missing for egress_mode 'allow_list' (got None; allowed: the private IP "
                "of the firewall that enforces the allow-list) - set it, or use egress_mode 'none'"
            )
        try:
            address = ipaddress.ip_address(firewall_ip)
        except ValueError:
            raise ValueError(f"egress_firewall_ip: {firewall_ip!r} is not an IP address") from None
        if not address.is_private:
            raise ValueError(
                f"egress_firewall_ip: {firewall_ip} is public (got {firewall_ip}; allowed: a private IP of a "
                "firewall in the hub) - routing to a public address would bypass the allow-list"
            )
    elif firewall_ip is not None:
        raise ValueError(
            f"egress_firewall_ip: set for egress_mode 'none' (got {firewall_ip}; allowed: None) - 'none' has "
            "no route out at all; remove the firewall IP or choose 'allow_list'"
        )


def _deny_internet_inbound() -> network.SecurityRuleArgs:
    # The default DenyAllInBound already covers this; an explicit rule makes the intent visible to auditors and
    # keeps holding if someone adds a broad allow with a lower priority number than 4096 for the VNet only.
    return network.SecurityRuleArgs(
        name="deny-internet-inbound",
        priority=4096,
        direction="Inbound",
        access="Deny",
        protocol="*",
        source_address_prefix="Internet",
        source_port_range="*",
        destination_address_prefix="*",
        destination_port_range="*",
    )


class SovereignNetwork(pulumi.ComponentResource):
    location: str
    """The platform's region; every sibling that takes this network lives there too."""
    egress_mode: EgressMode
    resource_group_name: pulumi.Output[str]
    resource_group_id: pulumi.Output[str]
    virtual_network_id: pulumi.Output[str]
    nodes_subnet_id: pulumi.Output[str]
    api_server_subnet_id: pulumi.Output[str]
    private_endpoints_subnet_id: pulumi.Output[str]
    internal_load_balancers_subnet: network.Subnet | None
    """The subnet internal load balancers take their IPs from (its name goes in the Service annotation)."""
    route_table_id: pulumi.Output[str]
    private_dns_zone_ids: dict[PrivateZone, pulumi.Output[str]]
    private_dns_links: dict[PrivateZone, pulumi.Resource]
    """Each private DNS zone's link to this network (the AKS cluster waits for its zone's link)."""

    def __init__(
        self, name: str, args: SovereignNetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("sovereign:azure:SovereignNetwork", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        group = resources.ResourceGroup(
            f"{name}-rg",
            resource_group_name=args.resource_group_name or f"{name}-rg",
            location=args.location,
            tags=tags,
            opts=pulumi.ResourceOptions(
                parent=self, protect=args.protect_stateful, retain_on_delete=args.protect_stateful
            ),
        )
        vnet = network.VirtualNetwork(
            f"{name}-vnet",
            virtual_network_name=f"{name}-vnet",
            resource_group_name=group.name,
            location=args.location,
            address_space=network.AddressSpaceArgs(address_prefixes=[args.address_space]),
            # No virtual network encryption: the cluster's API server is VNet-integrated (the delegated subnet
            # below), and "API Server VNet Integration doesn't support Virtual Network Encryption ... Clusters
            # deployed on v4 or later AKS node SKUs ... are blocked" (MicrosoftDocs/azure-aks-docs
            # articles/aks/api-server-vnet-integration.md, Limitations; Azure/AKS#5334). Every size here is v5.
            # Rule 'no-vnet-encryption-with-apiserver-integration' keeps it off.
            tags=tags,
            opts=child,
        )
        routes = network.RouteTable(
            f"{name}-routes",
            route_table_name=f"{name}-routes",
            resource_group_name=group.name,
            location=args.location,
            # Routes learned over BGP (a VPN, ExpressRoute) must not replace the egress decision made here.
            disable_bgp_route_propagation=True,
            routes=[self._default_route(args)],
            tags=tags,
            opts=child,
        )
        nodes_rules = [_deny_internet_inbound()]
        if args.egress_mode is EgressMode.NONE:
            nodes_rules.append(
                network.SecurityRuleArgs(
                    name="deny-internet-outbound",
                    priority=4000,
                    direction="Outbound",
                    access="Deny",
                    protocol="*",
                    source_address_prefix="*",
                    source_port_range="*",
                    destination_address_prefix="Internet",
                    destination_port_range="*",
                )
            )
        endpoints_rules = [
            network.SecurityRuleArgs(
                name="allow-vnet-https-inbound",
                priority=100,
                direction="Inbound",
                access="Allow",
                protocol="Tcp",
                source_address_prefix="VirtualNetwork",
                source_port_range="*",
                destination_address_prefix="*",
                destination_port_range="443",
            ),
            network.SecurityRuleArgs(
                name="deny-all-inbound",
                priority=4096,
                direction="Inbound",
                access="Deny",
                protocol="*",
                source_address_prefix="*",
                source_port_range="*",
                destination_address_prefix="*",
                destination_port_range="*",
            ),
        ]
        nsgs = {
            role: network.NetworkSecurityGroup(
                f"{name}-{role}-nsg",
                network_security_group_name=f"{name}-{role}-nsg",
                resource_group_name=group.name,
                location=args.location,
                security_rules=rules,
                tags=tags,
                opts=child,
            )
            for role, rules in (
                ("nodes", nodes_rules),
                ("apiserver", [_deny_internet_inbound()]),
                ("endpoints", endpoints_rules),
                *((("lb", [_deny_internet_inbound()]),) if args.internal_load_balancers_subnet_cidr else ()),
            )
        }
        # Subnets of one virtual network are created one after the other: Azure rejects concurrent subnet
        # writes on the same network (AnotherOperationInProgress).
        nodes = network.Subnet(
            f"{name}-nodes",
            subnet_name=f"{name}-nodes",
            resource_group_name=group.name,
            virtual_network_name=vnet.name,
            address_prefix=args.nodes_subnet_cidr,
            network_security_group=network.NetworkSecurityGroupArgs(id=nsgs["nodes"].id),
            route_table=network.RouteTableArgs(id=routes.id),
            default_outbound_access=False,
            opts=child,
        )
        api_server = network.Subnet(
            f"{name}-apiserver",
            subnet_name=f"{name}-apiserver",
            resource_group_name=group.name,
            virtual_network_name=vnet.name,
            address_prefix=args.api_server_subnet_cidr,
            network_security_group=network.NetworkSecurityGroupArgs(id=nsgs["apiserver"].id),
            delegations=[
                network.DelegationArgs(name="aks", service_name="Microsoft.ContainerService/managedClusters")
            ],
            default_outbound_access=False,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[nodes]),
        )
        endpoints = network.Subnet(
            f"{name}-endpoints",
            subnet_name=f"{name}-endpoints",
            resource_group_name=group.name,
            virtual_network_name=vnet.name,
            address_prefix=args.private_endpoints_subnet_cidr,
            network_security_group=network.NetworkSecurityGroupArgs(id=nsgs["endpoints"].id),
            # Enabled: the subnet's NSG also filters traffic to the private endpoints (off by default in Azure).
            private_endpoint_network_policies="Enabled",
            default_outbound_access=False,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[api_server]),
        )
        load_balancers = None
        if args.internal_load_balancers_subnet_cidr is not None:
            # Frontends of internal load balancers (annotation azure-load-balancer-internal-subnet); no outbound.
            load_balancers = network.Subnet(
                f"{name}-lb",
                subnet_name=f"{name}-lb",
                resource_group_name=group.name,
                virtual_network_name=vnet.name,
                address_prefix=args.internal_load_balancers_subnet_cidr,
                network_security_group=network.NetworkSecurityGroupArgs(id=nsgs["lb"].id),
                default_outbound_access=False,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[endpoints]),
            )
        zones = PrivateDnsZones(
            f"{name}-dns",
            PrivateDnsZonesArgs(
                resource_group_name=group.name,
                virtual_network_id=vnet.id,
                region=args.location,
                zones=tuple(PrivateZone),
                tags=tags,
                protect_aks_zone=args.protect_stateful,
            ),
            opts=child,
        )
        self.location = args.location
        self.egress_mode = args.egress_mode
        self.resource_group_name = group.name
        self.resource_group_id = group.id
        self.virtual_network_id = vnet.id
        self.nodes_subnet_id = nodes.id
        self.api_server_subnet_id = api_server.id
        self.private_endpoints_subnet_id = endpoints.id
        self.internal_load_balancers_subnet = load_balancers
        self.route_table_id = routes.id
        self.private_dns_zone_ids = zones.zone_ids
        self.private_dns_links = dict(zones.links)
        self.register_outputs(
            {
                "resource_group_name": self.resource_group_name,
                "virtual_network_id": self.virtual_network_id,
                "nodes_subnet_id": self.nodes_subnet_id,
                "api_server_subnet_id": self.api_server_subnet_id,
                "private_endpoints_subnet_id": self.private_endpoints_subnet_id,
                "route_table_id": self.route_table_id,
            }
        )

    @staticmethod
    def _default_route(args: SovereignNetworkArgs) -> network.RouteArgs:
        if args.egress_mode is EgressMode.ALLOW_LIST:
            return network.RouteArgs(
                name="default-to-firewall",
                address_prefix="0.0.0.0/0",
                next_hop_type="VirtualAppliance",
                next_hop_ip_address=args.egress_firewall_ip,
            )
        # Next hop None drops the packets: the subnet has no default route out, whatever is attached later.
        return network.RouteArgs(name="default-drop", address_prefix="0.0.0.0/0", next_hop_type="None")
