"""Azure rules a mock cannot show: what the platform refuses, and the order the engine must create things in.

The ordering rules walk the dependencies the engine records for each resource (explicit ``depends_on`` and
the resources its inputs come from; the policy pack sees the same through ``PolicyResource.dependencies``),
so they hold whatever the resources are named. Each rule names the source of the constraint it encodes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sovereign.policies.model import Finding, PolicyContext, ResourceView, Rule, reachable_dependencies

__all__ = ["AZURE_PLATFORM_RULES"]

CLUSTER = "azure-native:containerservice:ManagedCluster"
AGENT_POOL = "azure-native:containerservice:AgentPool"
SUBNET = "azure-native:network:Subnet"
VNET = "azure-native:network:VirtualNetwork"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
KEY = "azure-native:keyvault:Key"
SLEEP = "time:index/sleep:Sleep"
WORKSPACE = "azure-native:operationalinsights:Workspace"
LA_CLUSTER = "azure-native:operationalinsights:Cluster"
LINKED_SERVICE = "azure-native:operationalinsights:LinkedService"
DIAGNOSTIC_SETTING = "azure-native:monitor:DiagnosticSetting"
PRIVATE_ZONE = "azure-native:privatedns:PrivateZone"
ZONE_LINK = "azure-native:privatedns:VirtualNetworkLink"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


class _Graph:
    """The plan's resources by URN, with direct and transitive dependencies."""

    def __init__(self, resources: list[ResourceView]) -> None:
        self.by_urn = {r.urn: r for r in resources}
        self._closure: dict[str, frozenset[str]] = {}

    def direct(self, r: ResourceView, type_: str) -> list[ResourceView]:
        found = (self.by_urn.get(urn) for urn in r.dependencies)
        return [d for d in found if d is not None and d.type == type_]

    def waits_for(self, r: ResourceView) -> frozenset[str]:
        """Every URN ``r`` depends on, directly or through other resources."""
        if r.urn not in self._closure:
            self._closure[r.urn] = reachable_dependencies(r.dependencies, self.by_urn)
        return self._closure[r.urn]


def _vnet_encryption(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    # "API Server VNet Integration doesn't support Virtual Network Encryption ... Clusters deployed on v4 or
    # later AKS node SKUs ... are blocked" (MicrosoftDocs/azure-aks-docs articles/aks/
    # api-server-vnet-integration.md, Limitations). The cluster's VNets: those of the subnets it is placed in.
    graph = _Graph(resources)
    for r in resources:
        if r.type != CLUSTER or r.get("apiServerAccessProfile.enableVnetIntegration") is not True:
            continue
        pools = [p for p in resources if p.type == AGENT_POOL and r.urn in p.dependencies]
        subnets = [s for x in (r, *pools) for s in graph.direct(x, SUBNET)]
        for vnet in {v.urn: v for s in subnets for v in graph.direct(s, VNET)}.values():
            if vnet.get("encryption.enabled") is True:
                yield Finding(
                    f"virtual network {vnet.name} is encrypted, but cluster {r.name} uses API Server VNet "
                    "Integration, which does not support virtual network encryption (AKS blocks v4+ node "
                    "sizes): remove 'encryption' from the virtual network",
                    vnet.urn,
                )


def _policy_messages(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    # Azure shows a non-compliance message verbatim; '{enforcementMode}' is substituted by the ALZ tooling
    # (Azure/terraform-provider-alz: defaultEnforcementModePlaceholder = "{enforcementMode}"), never by Azure.
    for r in resources:
        if r.type != "azure-native:authorization:PolicyAssignment":
            continue
        for message in r.get("nonComplianceMessages") or []:
            text = str((message or {}).get("message") or "")
            if _PLACEHOLDER.search(text):
                yield Finding(
                    f"non-compliance message {text!r} keeps a placeholder Azure never fills in", r.urn
                )


def _registry_arm_tokens(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    # "BYO ACR with authentication-as-arm disabled is not supported" on network-isolated clusters
    # (MicrosoftDocs/azure-aks-docs articles/aks/concepts-network-isolated.md, Limitations).
    isolated = [
        r
        for r in resources
        if r.type == CLUSTER and str(r.get("networkProfile.outboundType") or "").lower() in ("none", "block")
    ]
    if not isolated:
        return
    for r in resources:
        if r.type == "azure-native:containerregistry:Registry" and (
            str(r.get("policies.azureADAuthenticationAsArmPolicy.status") or "").lower() == "disabled"
        ):
            yield Finding(
                f"registry refuses ARM-audience tokens, which network-isolated cluster {isolated[0].name} "
                "needs to pull: set policies.azureADAuthenticationAsArmPolicy.status 'enabled'",
                r.urn,
            )


def _role_assignment_names(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    # Omitted, azure-native picks a random GUID: a re-created stack duplicates the grant. Microsoft: "create a
    # GUID that uses the scope, principal ID, and role ID together" (azure-docs role-based-access-control/
    # troubleshooting.md). A value not yet known (computed from other outputs) is not judged.
    for r in resources:
        if r.type != ROLE_ASSIGNMENT:
            continue
        name = r.get("roleAssignmentName")
        if name is None or (isinstance(name, str) and name != "[unknown]" and not _GUID.match(name)):
            yield Finding(
                f"role assignment name {name!r} is not an explicit GUID (derive it from scope, role and "
                "principal: components/azure/rbac.py)",
                r.urn,
            )


def _zone_link_first(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    # With a custom private DNS zone "you're responsible for ... creating the DNS zone, linking it to your
    # VNet" (MicrosoftDocs/azure-aks-docs articles/aks/private-clusters.md): the cluster waits for the link.
    graph = _Graph(resources)
    links = [r for r in resources if r.type == ZONE_LINK]
    for r in resources:
        if r.type != CLUSTER or not r.get("apiServerAccessProfile.privateDNSZone"):
            continue
        for zone in graph.direct(r, PRIVATE_ZONE):
            linked = [link for link in links if zone.urn in link.dependencies]
            if not any(link.urn in graph.waits_for(r) for link in linked):
                yield Finding(
                    f"cluster does not wait for the virtual network link of its private DNS zone {zone.name}",
                    r.urn,
                )


def _identities(r: ResourceView, graph: _Graph) -> list[ResourceView]:
    return graph.direct(r, IDENTITY)


def _is_cmk_consumer(r: ResourceView) -> bool:
    t = r.type
    if t == "azure-native:compute:DiskEncryptionSet":
        return bool(r.get("activeKey.keyUrl"))
    if t == "azure-native:storage:StorageAccount":
        return str(r.get("encryption.keySource") or "").lower() == "microsoft.keyvault"
    if t == "azure-native:containerregistry:Registry":
        return str(r.get("encryption.status") or "").lower() == "enabled"
    if t == CLUSTER:
        return r.get("securityProfile.azureKeyVaultKms.enabled") is True
    return False


def _cmk_after_grant(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    # A consumer validates its key access when it is created, and "When you assign roles ... it can take up to
    # 10 minutes for changes to take effect" (azure-docs role-based-access-control/troubleshooting.md).
    graph = _Graph(resources)
    sleeps = [r for r in resources if r.type == SLEEP]
    for r in resources:
        if r.type == LA_CLUSTER:
            yield from _la_cluster_grant(r, resources, graph, sleeps)
            continue
        if not _is_cmk_consumer(r):
            continue
        before = graph.waits_for(r)
        identities = {i.urn for i in _identities(r, graph)}
        grants = [
            g
            for g in (graph.by_urn.get(urn) for urn in before)
            if g is not None
            and g.type == ROLE_ASSIGNMENT
            and graph.direct(g, KEY)
            and identities & set(g.dependencies)
        ]
        if not grants:
            yield Finding(
                "customer-key consumer is not created after a role assignment granting its identity on its key",
                r.urn,
            )
            continue
        if not any(s.urn in before and any(g.urn in graph.waits_for(s) for g in grants) for s in sleeps):
            yield Finding(
                "customer-key consumer does not wait for RBAC propagation after its key grant (a time Sleep "
                "depending on the grant: components/azure/rbac.py)",
                r.urn,
            )


def _la_cluster_grant(
    r: ResourceView, resources: list[ResourceView], graph: _Graph, sleeps: list[ResourceView]
) -> Iterator[Finding]:
    # With a private vault the cluster must use its system identity (azure-monitor customer-managed-keys.md,
    # Limitations), granted after the cluster exists; its key is set by a later deployment.
    if r.get("keyVaultProperties") and str(r.get("identity.type") or "").lower() != "systemassigned":
        yield Finding(
            "Log Analytics cluster uses a customer key with a user-assigned identity, which Azure does not "
            "support with a private-link key vault: use identity type 'SystemAssigned'",
            r.urn,
        )
    grants = [
        g for g in resources if g.type == ROLE_ASSIGNMENT and r.urn in g.dependencies and graph.direct(g, KEY)
    ]
    if not grants:
        yield Finding("Log Analytics cluster's identity is granted on no key", r.urn)
    elif not any(any(g.urn in graph.waits_for(s) for g in grants) for s in sleeps):
        yield Finding("Log Analytics cluster's key grant has no RBAC propagation wait", r.urn)


def _logs_cmk_order(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    # "Data that was ingested before the configuration remains encrypted with Microsoft keys" (azure-monitor
    # customer-managed-keys.md): the link comes after the cluster's key, and diagnostics after the link.
    graph = _Graph(resources)
    links = [r for r in resources if r.type == LINKED_SERVICE]
    has_la_cluster = any(r.type == LA_CLUSTER for r in resources)
    for link in links:
        for cluster in graph.direct(link, LA_CLUSTER):
            if not cluster.get("keyVaultProperties"):
                yield Finding(
                    f"workspace linked to dedicated cluster {cluster.name} before its customer key is set: "
                    "ingested data stays under Microsoft keys",
                    link.urn,
                )
    for r in resources:
        if r.type != DIAGNOSTIC_SETTING:
            continue
        for workspace in graph.direct(r, WORKSPACE):
            own = [link for link in links if workspace.urn in link.dependencies]
            if has_la_cluster and not own:
                yield Finding(
                    f"diagnostics sent to workspace {workspace.name} before it is linked to its customer-key "
                    "cluster",
                    r.urn,
                )
            for link in own:
                if link.urn not in graph.waits_for(r):
                    yield Finding(
                        f"diagnostic setting does not wait for the customer-key link {link.name} of workspace "
                        f"{workspace.name}: what it sends first stays under Microsoft keys",
                        r.urn,
                    )


def _azure(r: ResourceView) -> bool:
    return r.custom and not r.type.startswith(("kubernetes:", "pulumi:providers:"))


AZURE_PLATFORM_RULES: tuple[Rule, ...] = (
    Rule(
        "no-vnet-encryption-with-apiserver-integration",
        "No virtual network encryption on the network of a cluster with API Server VNet Integration.",
        _vnet_encryption,
        _azure,
        sovereignty=False,
        reads=("inputs.encryption.*", "inputs.apiServerAccessProfile.*", "dependencies"),
    ),
    Rule(
        "policy-messages-resolved",
        "Policy non-compliance messages contain no unresolved '{...}' placeholder.",
        _policy_messages,
        _azure,
        sovereignty=False,
        reads=("inputs.nonComplianceMessages*",),
    ),
    Rule(
        "registry-accepts-arm-tokens",
        "With a network-isolated cluster, the registry accepts ARM-audience Entra tokens (kubelet pulls).",
        _registry_arm_tokens,
        _azure,
        sovereignty=False,
        reads=("inputs.policies.azureADAuthenticationAsArmPolicy.*", "inputs.networkProfile.outboundType"),
    ),
    Rule(
        "role-assignments-named",
        "Every role assignment has an explicit, deterministic GUID name.",
        _role_assignment_names,
        _azure,
        sovereignty=False,
        reads=("inputs.roleAssignmentName",),
    ),
    Rule(
        "cluster-after-dns-zone-link",
        "The cluster waits for the virtual network link of its private DNS zone.",
        _zone_link_first,
        _azure,
        sovereignty=False,
        reads=("inputs.apiServerAccessProfile.privateDNSZone", "dependencies"),
    ),
    Rule(
        "cmk-consumer-after-grant",
        "Every customer-key consumer is created after its identity's grant on its key and the RBAC propagation "
        "wait; a Log Analytics cluster uses its granted system identity.",
        _cmk_after_grant,
        _azure,
        reads=("inputs.identity*", "inputs.encryption.*", "inputs.keyVaultProperties*", "dependencies"),
    ),
    Rule(
        "logs-cmk-order",
        "A workspace is linked to its dedicated cluster only after the cluster's key, and diagnostics wait for "
        "that link.",
        _logs_cmk_order,
        _azure,
        reads=("inputs.keyVaultProperties*", "inputs.workspaceId", "dependencies"),
    ),
)
