"""The egress allow-list, enforced where the traffic goes: a rule collection group on the hub firewall's policy.

With egress ``allow_list`` the node subnet routes 0.0.0.0/0 to the country's egress firewall (Azure Firewall).
This component writes the country's allowed destinations into that firewall's policy, as one rule collection
group with one application rule per destination (FQDN, TLS ports, sources: the platform's address space), so
the list in the country file is what the firewall lets through and nothing else the platform adds. Azure
Firewall application rules match host names (SNI for TLS), which NSGs and route tables cannot; other traffic
is denied by the firewall's own default.

Scope and non-goals: the firewall and its policy belong to the hub (a landing-zone concern) and are not
created here; the policy must be in the subscription the stack deploys to (the provider's), and the deploying
identity needs write access to it (``Microsoft.Network/firewallPolicies/ruleCollectionGroups/write``). A hub
in another subscription applies the same rules from the stack's exports instead.
Source: Microsoft Learn, "Azure Firewall policy rule sets" and the ``FirewallPolicyRuleCollectionGroup``
resource of pulumi-azure-native (``network`` module), whose ``ApplicationRule`` takes ``target_fqdns``,
``protocols`` (``Https`` with a port) and ``source_addresses``.

Features that report to a Microsoft service add their destinations here (``with_feature_destinations``):
Microsoft Defender for Containers needs login.microsoftonline.com, *.ods.opinsights.azure.com,
*.oms.opinsights.azure.com and *.cloud.defender.microsoft.com on HTTPS 443 (AKS "Outbound network and FQDN
rules", ``sovereign.rules.service_egress``), so enabling it cannot leave a sensor that reports nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import network

from sovereign.config.limits import MIN_EGRESS_JUSTIFICATION_CHARS
from sovereign.config.text import justification_problem
from sovereign.rules.allow_lists import fqdn_entry_problem
from sovereign.rules.service_egress import DEFENDER_DESTINATIONS

__all__ = [
    "AllowedDestination",
    "EgressAllowList",
    "EgressAllowListArgs",
    "parse_firewall_policy_id",
    "with_feature_destinations",
]

_POLICY_ID = re.compile(
    r"/subscriptions/(?P<subscription>[0-9a-fA-F-]{36})/resourceGroups/(?P<group>[^/]+)"
    r"/providers/Microsoft\.Network/firewallPolicies/(?P<name>[^/]+)"
)
RULE_COLLECTION_PRIORITY = 300
"""Priority of the country's group in the hub policy (100-65000; the hub's own groups keep their numbers)."""


def parse_firewall_policy_id(policy_id: str) -> tuple[str, str]:
    """(resource group, policy name) of a firewall policy's resource id; a ValueError with the expected form."""
    match = _POLICY_ID.fullmatch(policy_id)
    if match is None:
        raise ValueError(
            f"firewall_policy_id: {policy_id!r} is not a firewall policy id (allowed: '/subscriptions/<id>/"
            "resourceGroups/<group>/providers/Microsoft.Network/firewallPolicies/<name>')"
        )
    return match["group"], match["name"]


@dataclass(frozen=True)
class AllowedDestination:
    fqdn: str
    """Host name, or '*.domain' for its subdomains."""
    ports: tuple[int, ...]
    """TLS ports allowed to it."""
    justification: str
    """Why the cluster needs it; becomes the rule's description."""

    def __post_init__(self) -> None:
        # The same judges as validation's (egress_allow_list_means_something), so the firewall never gets a rule
        # validation would refuse.
        problem = fqdn_entry_problem(self.fqdn) or justification_problem(
            self.justification, min_chars=MIN_EGRESS_JUSTIFICATION_CHARS
        )
        if problem is not None:
            raise ValueError(
                f"allowed destination {self.fqdn!r}: {problem} (allowed: a host or '*.' over a domain that is no "
                "public suffix, with a sentence saying why the cluster needs it)"
            )


def with_feature_destinations(
    destinations: Sequence[AllowedDestination], *, defender: bool
) -> tuple[AllowedDestination, ...]:
    """The country's destinations, then those of the enabled features that the country did not list already."""
    listed = {(d.fqdn, port) for d in destinations for port in d.ports}
    needed = DEFENDER_DESTINATIONS if defender else ()
    added = tuple(
        AllowedDestination(d.fqdn, (d.port,), d.use) for d in needed if (d.fqdn, d.port) not in listed
    )
    return (*destinations, *added)


@dataclass(frozen=True)
class EgressAllowListArgs:
    firewall_policy_id: str
    """Resource id of the hub firewall's policy (same subscription as the stack)."""
    source_cidrs: Sequence[str]
    """Where the allowed traffic comes from: the platform's address space."""
    destinations: Sequence[AllowedDestination]
    """The country's allowed destinations; at least one."""
    priority: int = RULE_COLLECTION_PRIORITY
    firewall_ip: str | None = None
    """The node subnet's next hop. Given with ``allowed_locations``, the stack asks Azure which firewall of the
    policy holds that private IP and refuses to write rules unless that firewall is in an allowed region."""
    allowed_locations: Sequence[str] = ()
    """The country's regions (the residency policy's list)."""

    def __post_init__(self) -> None:
        parse_firewall_policy_id(self.firewall_policy_id)
        if (self.firewall_ip is None) != (not self.allowed_locations):
            raise ValueError("firewall_ip and allowed_locations: give both (the next hop's check) or neither")
        if not self.destinations:
            raise ValueError("destinations: an allow-list needs at least one destination")
        if not 100 <= self.priority <= 65000:
            raise ValueError(f"priority: {self.priority} (allowed: 100 to 65000)")


class EgressAllowList(pulumi.ComponentResource):
    rule_collection_group_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: EgressAllowListArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("sovereign:azure:EgressAllowList", name, None, opts)
        group, policy = parse_firewall_policy_id(args.firewall_policy_id)
        rules = [
            network.ApplicationRuleArgs(
                rule_type="ApplicationRule",
                name=f"allow-{i}-{d.fqdn.replace('*', 'any').replace('.', '-')}"[:80],
                description=d.justification[:140],
                source_addresses=list(args.source_cidrs),
                target_fqdns=[d.fqdn],
                protocols=[
                    network.FirewallPolicyRuleApplicationProtocolArgs(protocol_type="Https", port=p)
                    for p in d.ports
                ],
            )
            for i, d in enumerate(args.destinations)
        ]
        collection = network.FirewallPolicyFilterRuleCollectionArgs(
            rule_collection_type="FirewallPolicyFilterRuleCollection",
            name=f"{name}-allow",
            priority=args.priority,
            action=network.FirewallPolicyFilterRuleCollectionActionArgs(type="Allow"),
            rules=rules,
        )
        policy_name: pulumi.Input[str] = policy
        if args.firewall_ip is not None:
            policy_name = _next_hop_in_country(group, policy, args.firewall_ip, args.allowed_locations, self)
        rule_group = network.FirewallPolicyRuleCollectionGroup(
            f"{name}-rules",
            resource_group_name=group,
            firewall_policy_name=policy_name,
            rule_collection_group_name=name,
            priority=args.priority,
            rule_collections=[collection],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.rule_collection_group_id = rule_group.id
        self.register_outputs({"rule_collection_group_id": self.rule_collection_group_id})


_FIREWALL_ID = re.compile(
    r"/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/(?P<group>[^/]+)"
    r"/providers/Microsoft\.Network/azureFirewalls/(?P<name>[^/]+)",
    re.IGNORECASE,
)


def _location(value: str | None) -> str:
    return (value or "").replace(" ", "").lower()


def _next_hop_in_country(
    group: str, policy: str, firewall_ip: str, allowed: Sequence[str], parent: pulumi.Resource
) -> pulumi.Output[str]:
    """The policy's name, once Azure has shown that the firewall holding ``firewall_ip`` uses this policy and
    lies in an allowed region; otherwise the deployment (and a real preview: invokes run in previews) fails.

    A firewall policy is not where traffic goes: Azure Firewall Manager associates one policy with firewalls
    "across regions and subscriptions" (Microsoft Learn, "Azure Firewall Manager policy overview"), and the
    policy's ``firewalls`` list (``GetFirewallPolicyResult.firewalls``, azure-native 3.x, API 2024-05-01) names
    them. The firewall whose private IP is the next hop (``ip_configurations[].private_ip_address``, or
    ``hub_ip_addresses.private_ip_address`` for a Virtual WAN hub) is where the country's traffic leaves: its
    ``location`` must be one of the country's regions."""
    opts = pulumi.InvokeOutputOptions(parent=parent)
    found = network.get_firewall_policy_output(
        resource_group_name=group, firewall_policy_name=policy, opts=opts
    )

    def firewalls(result: network.GetFirewallPolicyResult) -> pulumi.Output[str]:
        ids = [f.id for f in result.firewalls or [] if f.id and _FIREWALL_ID.fullmatch(f.id)]
        looked_up = [
            network.get_azure_firewall_output(
                resource_group_name=m.group("group"), azure_firewall_name=m.group("name"), opts=opts
            )
            for i in ids
            if (m := _FIREWALL_ID.fullmatch(i))
        ]
        return pulumi.Output.all(*looked_up).apply(
            lambda fws: _judge(policy, firewall_ip, allowed, list(fws))
        )

    return found.apply(firewalls)


def _private_ips(firewall: network.GetAzureFirewallResult) -> set[str]:
    ips = {c.private_ip_address for c in firewall.ip_configurations or [] if c.private_ip_address}
    hub = firewall.hub_ip_addresses
    if hub is not None and hub.private_ip_address:
        ips.add(hub.private_ip_address)
    return ips


def _judge(
    policy: str, firewall_ip: str, allowed: Sequence[str], firewalls: list[network.GetAzureFirewallResult]
) -> str:
    at_hop = [f for f in firewalls if firewall_ip in _private_ips(f)]
    if not at_hop:
        raise ValueError(
            f"egress: no firewall that uses policy '{policy}' has the private IP {firewall_ip} "
            f"({len(firewalls)} associated): the node subnet's next hop would not apply the country's allow-list; "
            "give the policy's firewall's private IP as egress.firewall_ip"
        )
    allowed_set = {_location(a) for a in allowed}
    for firewall in at_hop:
        if _location(firewall.location) not in allowed_set:
            raise ValueError(
                f"egress: firewall '{firewall.name}' at {firewall_ip} is in '{firewall.location}', outside the "
                f"country's regions ({', '.join(sorted(allowed_set))}): the country's traffic would leave through "
                "another country; use an in-country hub firewall"
            )
    return policy
