"""A private endpoint for one Azure resource, with its DNS records in the platform's private zones.

Scope: the ``Microsoft.Network/privateEndpoints`` resource in the private-endpoint subnet plus a DNS zone
group, so that the service's public name (``<vault>.vault.azure.net``) resolves to the private IP inside the
virtual network. Used by the key custody, storage, registry and audit-logging components, which all disable
public network access on the resource itself. Non-goals: manual (cross-tenant) approval flows and custom
network interface naming.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import network

__all__ = ["PrivateEndpoint", "PrivateEndpointArgs"]


@dataclass(frozen=True)
class PrivateEndpointArgs:
    resource_group_name: pulumi.Input[str]
    """Resource group of the endpoint (the platform resource group)."""
    location: str
    """Azure region; the endpoint lives in the same region as the virtual network."""
    subnet_id: pulumi.Input[str]
    """The private-endpoint subnet of the platform network."""
    target_resource_id: pulumi.Input[str]
    """Resource id of the vault, storage account, registry or private link scope to reach privately."""
    group_id: str
    """Sub-resource of the target: 'vault', 'managedhsm', 'blob', 'registry' or 'azuremonitor'."""
    private_dns_zone_ids: Sequence[pulumi.Input[str]]
    """Private DNS zones the endpoint registers its records in (at least one)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for the endpoint."""
    naming_base: str | None = None
    """What the endpoint's Azure names derive from (``<base>-endpoint``, connection ``<base>-<group_id>``).
    Omitted: the component name; a renamed owner passes its old one, so nothing is replaced."""

    def __post_init__(self) -> None:
        if not self.private_dns_zone_ids:
            raise ValueError(
                f"private endpoint for group {self.group_id!r}: private_dns_zone_ids is empty (got no zone; "
                "allowed: one or more zone ids) - without a zone the service name resolves to its public IP, "
                "which is blocked, so the endpoint would be unusable; pass the zone from SovereignNetwork"
            )


class PrivateEndpoint(pulumi.ComponentResource):
    endpoint_id: pulumi.Output[str]
    """Resource id of the private endpoint."""

    def __init__(
        self, name: str, args: PrivateEndpointArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("sovereign:azure:PrivateEndpoint", name, None, opts)
        base = args.naming_base or name
        endpoint = network.PrivateEndpoint(
            f"{name}-endpoint",
            private_endpoint_name=f"{base}-endpoint",
            resource_group_name=args.resource_group_name,
            location=args.location,
            # A plain reference: SubnetArgs would also send its defaulted policy fields, which mean nothing here.
            subnet={"id": args.subnet_id},
            private_link_service_connections=[
                network.PrivateLinkServiceConnectionArgs(
                    name=f"{base}-{args.group_id}",
                    private_link_service_id=args.target_resource_id,
                    group_ids=[args.group_id],
                )
            ],
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        network.PrivateDnsZoneGroup(
            f"{name}-dns",
            resource_group_name=args.resource_group_name,
            private_endpoint_name=endpoint.name,
            private_dns_zone_group_name="default",
            private_dns_zone_configs=[
                network.PrivateDnsZoneConfigArgs(name=f"zone-{index}", private_dns_zone_id=zone_id)
                for index, zone_id in enumerate(args.private_dns_zone_ids)
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.endpoint_id = endpoint.id
        self.register_outputs({"endpoint_id": self.endpoint_id})
