"""SovereignNetwork: the country compartment and a private-only VCN for a sovereign OKE platform.

Declares, under a given parent compartment (the tenancy or an organisational parent):

- the country compartment (protected in prod; ``enable_delete`` off, so a destroy only forgets it);
- a VCN whose default security list is emptied (OCI creates it with SSH from 0.0.0.0/0 and all egress);
- a service gateway to the region's Oracle Services Network, and no internet or NAT gateway at all: OCI
  security rules filter by address, not by host name, so the toolkit offers no internet egress on OCI;
- four private subnets (API endpoint, workers, pods for VCN-native CNI, internal load balancers), each with
  ``prohibit_public_ip_on_vnic`` and ``prohibit_internet_ingress``;
- the least-privilege NSGs of :class:`components.oci.network_security.OkeNetworkSecurity`.

Non-goals: no DRG, FastConnect or VPN (on-premises connectivity belongs to the landing zone), no bastion, no
public subnet of any kind (nothing in the Args can create one), no IPv6.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_oci as oci
import pulumiverse_time as time

from components.oci.addressing import plan_subnets
from components.oci.network_security import OkeNetworkSecurity, OkeNetworkSecurityArgs
from components.oci.regions import require_region

__all__ = ["SovereignNetwork", "SovereignNetworkArgs"]

COMPARTMENT_PROPAGATION = "60s"
_NAME = re.compile(r"[A-Za-z0-9._-]{1,100}")
_DNS_LABEL = re.compile(r"[a-z][a-z0-9]{0,14}")
# Short DNS labels and Pulumi name suffixes per subnet role (role suffixes are a contract: renames replace).
_SUBNET_ROLES = {"api": "api", "workers": "workers", "pods": "pods", "load_balancers": "lb"}


@dataclass(frozen=True)
class SovereignNetworkArgs:
    parent_compartment_id: pulumi.Input[str]
    """OCID of the compartment the country compartment is created in (the tenancy OCID for top level)."""
    compartment_name: str
    """Name of the country compartment, unique under its parent (letters, digits, '.', '_', '-')."""
    region: str
    """OCI region identifier the provider deploys to, such as 'eu-frankfurt-1'."""
    vcn_cidr: str
    """IPv4 CIDR of the VCN, /16 to /24."""
    subnet_cidrs: Mapping[str, str] = field(default_factory=dict)
    """Explicit CIDRs by role ('api', 'workers', 'pods', 'load_balancers'). Omitted roles are carved from the
    VCN: pods the first half, workers the next quarter, load balancers the next eighth, the API a /28."""
    dns_label: str = "sovereign"
    """VCN DNS label (lower-case letter first, up to 15 letters and digits)."""
    api_client_cidrs: Sequence[str] = ()
    """CIDRs (inside the VCN or reached through the landing zone's DRG) that may call the private Kubernetes
    API on 6443, such as in-network CI runners. Omitted: only the cluster's own nodes and pods can."""
    lb_client_cidrs: Sequence[str] = ()
    """CIDRs that may reach internal load balancers on 443. Omitted: the VCN CIDR."""
    freeform_tags: Mapping[str, str] = field(default_factory=dict)
    """Free-form tags on every resource."""
    protect_stateful: bool = True
    """Protect the compartment from deletion by Pulumi (the stack sets False for non-prod)."""
    identity_provider: pulumi.ProviderResource | None = None
    """Home-region provider for the compartment (an IAM write). Omitted: the inherited provider."""

    def __post_init__(self) -> None:
        require_region(self.region)
        if not _NAME.fullmatch(self.compartment_name):
            raise ValueError(
                f"compartment_name: {self.compartment_name!r} is not a valid compartment name "
                "(1-100 letters, digits, '.', '_', '-')"
            )
        if not _DNS_LABEL.fullmatch(self.dns_label):
            raise ValueError(
                f"dns_label: {self.dns_label!r} must be a lower-case letter then up to 14 letters/digits"
            )
        plan_subnets(self.vcn_cidr, dict(self.subnet_cidrs))


class SovereignNetwork(pulumi.ComponentResource):
    compartment_id: pulumi.Output[str]
    compartment_ready: time.Sleep
    vcn_id: pulumi.Output[str]
    api_subnet_id: pulumi.Output[str]
    worker_subnet_id: pulumi.Output[str]
    pod_subnet_id: pulumi.Output[str]
    lb_subnet_id: pulumi.Output[str]
    subnet_ids: dict[str, pulumi.Output[str]]
    api_nsg_id: pulumi.Output[str]
    worker_nsg_id: pulumi.Output[str]
    pod_nsg_id: pulumi.Output[str]
    lb_nsg_id: pulumi.Output[str]
    service_gateway_id: pulumi.Output[str]
    services_cidr_label: pulumi.Output[str]

    def __init__(
        self, name: str, args: SovereignNetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("sovereign:oci:SovereignNetwork", name, None, opts)
        tags = dict(args.freeform_tags)
        plan = plan_subnets(args.vcn_cidr, dict(args.subnet_cidrs))
        child = pulumi.ResourceOptions(parent=self)

        compartment = oci.identity.Compartment(
            f"{name}-compartment",
            compartment_id=args.parent_compartment_id,
            name=args.compartment_name,
            description=f"Sovereign AI platform ({args.region})",
            enable_delete=False,
            freeform_tags=tags,
            opts=pulumi.ResourceOptions(
                parent=self, protect=args.protect_stateful, provider=args.identity_provider
            ),
        )
        # A new compartment is not usable at once: Oracle's answer is to wait "for upto a minute" before
        # creating in it (oracle/terraform-provider-oci#2065; #745, #1380). Everything in it, here and in
        # the sibling components (through ``compartment_id``), waits for this.
        self.compartment_ready = time.Sleep(
            f"{name}-compartment-wait",
            create_duration=COMPARTMENT_PROPAGATION,
            triggers={"compartment": compartment.id},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[compartment]),
        )
        child = pulumi.ResourceOptions(parent=self, depends_on=[self.compartment_ready])
        vcn = oci.core.Vcn(
            f"{name}-vcn",
            compartment_id=compartment.id,
            cidr_blocks=[args.vcn_cidr],
            dns_label=args.dns_label,
            display_name=f"{name}-vcn",
            freeform_tags=tags,
            opts=child,
        )
        # OCI seeds every VCN's default security list with SSH from 0.0.0.0/0 and all egress: take it over
        # and leave it empty, so that only the NSGs grant traffic.
        default_list = oci.core.DefaultSecurityList(
            f"{name}-default-security-list",
            manage_default_resource_id=vcn.default_security_list_id,
            compartment_id=compartment.id,
            display_name=f"{name}-default-security-list (emptied)",
            ingress_security_rules=[],
            egress_security_rules=[],
            freeform_tags=tags,
            opts=child,
        )
        osn = oci.core.get_services_output(
            filters=[
                oci.core.GetServicesFilterArgs(
                    name="name", values=["All .* Services In Oracle Services Network"], regex=True
                )
            ],
            opts=pulumi.InvokeOutputOptions(parent=self),
        ).apply(lambda result: result.services[0])
        services_cidr_label = osn.apply(lambda service: service.cidr_block)
        service_gateway = oci.core.ServiceGateway(
            f"{name}-service-gateway",
            compartment_id=compartment.id,
            vcn_id=vcn.id,
            services=[oci.core.ServiceGatewayServiceArgs(service_id=osn.apply(lambda service: service.id))],
            display_name=f"{name}-service-gateway",
            freeform_tags=tags,
            opts=child,
        )
        routes = [
            oci.core.RouteTableRouteRuleArgs(
                network_entity_id=service_gateway.id,
                destination=services_cidr_label,
                destination_type="SERVICE_CIDR_BLOCK",
                description="Oracle services in-region through the service gateway",
            )
        ]
        route_table = oci.core.RouteTable(
            f"{name}-private-routes",
            compartment_id=compartment.id,
            vcn_id=vcn.id,
            route_rules=routes,
            display_name=f"{name}-private-routes",
            freeform_tags=tags,
            opts=child,
        )
        subnets = {
            role: oci.core.Subnet(
                f"{name}-{label}",
                compartment_id=compartment.id,
                vcn_id=vcn.id,
                cidr_block=plan.as_dict()[role],
                dns_label=label,
                display_name=f"{name}-{label}",
                prohibit_public_ip_on_vnic=True,
                prohibit_internet_ingress=True,
                route_table_id=route_table.id,
                security_list_ids=[default_list.id],
                freeform_tags=tags,
                opts=child,
            )
            for role, label in _SUBNET_ROLES.items()
        }
        nsgs = OkeNetworkSecurity(
            f"{name}-nsgs",
            OkeNetworkSecurityArgs(
                compartment_id=compartment.id,
                vcn_id=vcn.id,
                vcn_cidr=args.vcn_cidr,
                services_cidr_label=services_cidr_label,
                api_client_cidrs=args.api_client_cidrs,
                lb_client_cidrs=args.lb_client_cidrs,
                freeform_tags=tags,
            ),
            opts=child,
        )

        # The compartment's id as the wait echoes it: whoever names it waits too. (An input echoed back, so a
        # preview knows it as soon as the compartment's id is known, and nothing shows as changing.)
        self.compartment_id = self.compartment_ready.triggers.apply(lambda t: (t or {})["compartment"])
        self.vcn_id = vcn.id
        self.subnet_ids = {role: subnet.id for role, subnet in subnets.items()}
        self.api_subnet_id = subnets["api"].id
        self.worker_subnet_id = subnets["workers"].id
        self.pod_subnet_id = subnets["pods"].id
        self.lb_subnet_id = subnets["load_balancers"].id
        self.api_nsg_id = nsgs.api_nsg_id
        self.worker_nsg_id = nsgs.worker_nsg_id
        self.pod_nsg_id = nsgs.pod_nsg_id
        self.lb_nsg_id = nsgs.lb_nsg_id
        self.service_gateway_id = service_gateway.id
        self.services_cidr_label = services_cidr_label
        self.register_outputs(
            {
                "compartment_id": self.compartment_id,
                "vcn_id": self.vcn_id,
                "subnet_ids": self.subnet_ids,
                "service_gateway_id": self.service_gateway_id,
            }
        )
