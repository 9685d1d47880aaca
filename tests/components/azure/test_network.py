"""SovereignNetwork: private subnets, egress routes per posture, NSGs, private DNS zones, second-line checks."""

from collections.abc import Callable
from typing import Any

import pytest

from sovereign.engine.recorder import Recording, run_program
from sovereign.types import EgressMode

SUBNET = "azure-native:network:Subnet"
NSG = "azure-native:network:NetworkSecurityGroup"
ROUTES = "azure-native:network:RouteTable"


def record(args: Any) -> Recording:
    def program() -> None:
        from components.azure import SovereignNetwork

        SovereignNetwork("de-net", args)

    return run_program(program)


@pytest.fixture(scope="module")
def isolated() -> Recording:
    from components.azure import SovereignNetworkArgs

    return record(
        SovereignNetworkArgs(
            location="germanywestcentral",
            address_space="10.40.0.0/16",
            nodes_subnet_cidr="10.40.0.0/20",
            api_server_subnet_cidr="10.40.16.0/28",
            private_endpoints_subnet_cidr="10.40.17.0/24",
        )
    )


def test_no_subnet_has_default_outbound_access(isolated: Recording) -> None:
    subnets = isolated.of_type(SUBNET)
    assert sorted(s.name for s in subnets) == ["de-net-apiserver", "de-net-endpoints", "de-net-nodes"]
    for subnet in subnets:
        assert subnet.inputs["defaultOutboundAccess"] is False, f"{subnet.urn}: default outbound access"
        assert subnet.get("networkSecurityGroup.id", "").endswith(
            f"/networkSecurityGroups/{subnet.name}-nsg"
        ), f"{subnet.urn}: no NSG of its own"


def test_node_subnet_routes_everything_nowhere_under_egress_none(isolated: Recording) -> None:
    routes = isolated.one(ROUTES)
    assert routes.inputs["routes"] == [
        {"name": "default-drop", "addressPrefix": "0.0.0.0/0", "nextHopType": "None"}
    ]
    assert routes.inputs["disableBgpRoutePropagation"] is True, routes.urn
    nodes = isolated.one(SUBNET, "de-net-nodes")
    assert nodes.get("routeTable.id", "").endswith("/routeTables/de-net-routes"), nodes.urn
    rules = {rule["name"]: rule for rule in isolated.one(NSG, "de-net-nodes-nsg").inputs["securityRules"]}
    deny = rules["deny-internet-outbound"]
    assert (deny["direction"], deny["access"], deny["destinationAddressPrefix"]) == (
        "Outbound",
        "Deny",
        "Internet",
    ), f"node NSG rule {deny}"


def test_allow_list_routes_through_the_firewall_only(make_network_args: Callable[..., Any]) -> None:
    recording = record(make_network_args(EgressMode.ALLOW_LIST, "10.0.0.4"))
    routes = recording.one(ROUTES)
    assert routes.inputs["routes"] == [
        {
            "name": "default-to-firewall",
            "addressPrefix": "0.0.0.0/0",
            "nextHopType": "VirtualAppliance",
            "nextHopIpAddress": "10.0.0.4",
        }
    ], routes.urn
    rules = [rule["name"] for rule in recording.one(NSG, "de-net-nodes-nsg").inputs["securityRules"]]
    # Internet-bound traffic goes to the firewall's private IP; an NSG deny on 'Internet' would not block it
    # anyway, and the firewall is where the allow-list lives.
    assert rules == ["deny-internet-inbound"], rules


def test_api_server_subnet_is_delegated_to_aks(isolated: Recording) -> None:
    subnet = isolated.one(SUBNET, "de-net-apiserver")
    assert subnet.inputs["delegations"] == [
        {"name": "aks", "serviceName": "Microsoft.ContainerService/managedClusters"}
    ], subnet.urn
    assert subnet.inputs["addressPrefix"] == "10.40.16.0/28", subnet.urn


def test_private_endpoint_subnet_is_filtered_by_its_nsg(isolated: Recording) -> None:
    subnet = isolated.one(SUBNET, "de-net-endpoints")
    assert subnet.inputs["privateEndpointNetworkPolicies"] == "Enabled", subnet.urn
    rules = {rule["name"]: rule for rule in isolated.one(NSG, "de-net-endpoints-nsg").inputs["securityRules"]}
    assert rules["allow-vnet-https-inbound"]["destinationPortRange"] == "443"
    assert rules["deny-all-inbound"]["access"] == "Deny"


def test_private_dns_zones_are_linked_without_auto_registration(isolated: Recording) -> None:
    zones = {z.inputs["privateZoneName"] for z in isolated.of_type("azure-native:privatedns:PrivateZone")}
    assert zones == {
        "privatelink.vaultcore.azure.net",
        "privatelink.blob.core.windows.net",
        "privatelink.azurecr.io",
        "privatelink.germanywestcentral.azmk8s.io",
        "privatelink.monitor.azure.com",
        "privatelink.oms.opinsights.azure.com",
        "privatelink.ods.opinsights.azure.com",
        "privatelink.agentsvc.azure-automation.net",
    }
    links = isolated.of_type("azure-native:privatedns:VirtualNetworkLink")
    assert len(links) == len(zones)
    for link in links:
        assert link.inputs["registrationEnabled"] is False, link.urn
        assert link.get("virtualNetwork.id", "").endswith("/virtualNetworks/de-net-vnet"), link.urn


def test_virtual_network_is_not_encrypted_under_api_server_vnet_integration(isolated: Recording) -> None:
    # A2: "API Server VNet Integration doesn't support Virtual Network Encryption" (aks-docs
    # api-server-vnet-integration.md, Limitations): v4+ node sizes would be blocked.
    vnet = isolated.one("azure-native:network:VirtualNetwork")
    assert "encryption" not in vnet.inputs, vnet.urn
    assert vnet.get("addressSpace.addressPrefixes") == ["10.40.0.0/16"], vnet.urn


@pytest.mark.parametrize("egress", list(EgressMode))
def test_no_egress_posture_creates_a_public_path(
    make_network_args: Callable[..., Any], egress: EgressMode
) -> None:
    recording = record(make_network_args(egress, "10.0.0.4" if egress is EgressMode.ALLOW_LIST else None))
    types = {r.type for r in recording.registrations}
    for forbidden in ("PublicIPAddress", "NatGateway", "LoadBalancer"):
        assert f"azure-native:network:{forbidden}" not in types, f"{egress}: {forbidden} declared"
    next_hops = {route["nextHopType"] for route in recording.one(ROUTES).inputs["routes"]}
    assert "Internet" not in next_hops, f"{egress}: a route straight to the Internet"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"egress": EgressMode.ALLOW_LIST}, "egress_firewall_ip: missing"),
        ({"egress": EgressMode.ALLOW_LIST, "firewall_ip": "20.30.40.50"}, "is public"),
        ({"firewall_ip": "10.0.0.4"}, "set for egress_mode 'none'"),
        ({"nodes_subnet_cidr": "10.41.0.0/20"}, "outside the virtual network"),
        ({"private_endpoints_subnet_cidr": "10.40.8.0/24"}, "overlap"),
        ({"api_server_subnet_cidr": "10.40.16.0/29"}, "too small"),
        ({"address_space": "52.0.0.0/16"}, "not a private IPv4 range"),
        ({"address_space": "10.40.0.1/16"}, "host bits"),
    ],
)
def test_rejects_unsafe_or_broken_networks(
    make_network_args: Callable[..., Any], overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        make_network_args(**overrides)
