"""Private DNS zones for the platform's private endpoints, linked to the platform virtual network.

Scope: one ``privatelink.*`` zone per service the platform reaches privately (Key Vault, Blob,
Container Registry, the AKS API server, Azure Monitor) and one virtual-network link each, with auto-registration
off (only private endpoints write records, through their DNS zone groups). Private DNS zones are global Azure
resources by design (location ``global``); they hold only the private IPs of in-region endpoints.
Non-goals: hub-and-spoke DNS (forwarders, resolvers, on-premises conditional forwarding) and public zones.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import privatedns

from components.azure.catalogue import PrivateZone, private_zone_name

__all__ = ["PrivateDnsZones", "PrivateDnsZonesArgs"]

GLOBAL = "global"


@dataclass(frozen=True)
class PrivateDnsZonesArgs:
    resource_group_name: pulumi.Input[str]
    """Resource group that holds the zones (the platform resource group)."""
    virtual_network_id: pulumi.Input[str]
    """The virtual network whose resolvers must see the private records."""
    region: str
    """Azure region of the platform, such as 'germanywestcentral'; names the AKS zone privatelink.<region>.azmk8s.io."""
    zones: Sequence[PrivateZone] = tuple(PrivateZone)
    """Zones to create. Omitted: all of them, so every service the platform may use resolves privately."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every zone and link."""
    protect_aks_zone: bool = False
    """Protect the AKS zone from `pulumi destroy` (prod): AKS writes the private API server's record there once,
    at cluster creation, so a deleted zone leaves every client unable to resolve the cluster. The other zones'
    records are rewritten by their private endpoints' zone groups. Omitted: not protected."""


class PrivateDnsZones(pulumi.ComponentResource):
    zone_ids: dict[PrivateZone, pulumi.Output[str]]
    """Resource id of each zone, keyed by the service it serves."""
    links: dict[PrivateZone, privatedns.VirtualNetworkLink]
    """Each zone's link to the virtual network: a resolver sees the zone's records only once it exists."""

    def __init__(
        self, name: str, args: PrivateDnsZonesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("sovereign:azure:PrivateDnsZones", name, None, opts)
        self.zone_ids = {}
        self.links = {}
        for zone in args.zones:
            private_zone = privatedns.PrivateZone(
                f"{name}-{zone.value.replace('_', '-')}",
                resource_group_name=args.resource_group_name,
                private_zone_name=private_zone_name(zone, args.region),
                location=GLOBAL,
                tags=dict(args.tags),
                opts=pulumi.ResourceOptions(
                    parent=self, protect=args.protect_aks_zone and zone is PrivateZone.AKS
                ),
            )
            self.links[zone] = privatedns.VirtualNetworkLink(
                f"{name}-{zone.value.replace('_', '-')}-link",
                virtual_network_link_name=f"{name}-{zone.value.replace('_', '-')}-link",
                resource_group_name=args.resource_group_name,
                private_zone_name=private_zone.name,
                virtual_network=privatedns.SubResourceArgs(id=args.virtual_network_id),
                # Only private endpoints (through their zone groups) may write records; VMs never self-register.
                registration_enabled=False,
                location=GLOBAL,
                tags=dict(args.tags),
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.zone_ids[zone] = private_zone.id
        self.register_outputs({"zone_ids": {zone.value: zone_id for zone, zone_id in self.zone_ids.items()}})
