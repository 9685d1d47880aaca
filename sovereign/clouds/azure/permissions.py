"""What the identity running ``pulumi up`` for an Azure stack needs, derived from the stack's offline plan.

Pure functions over the plan's recorded resources (``type`` and wire-named ``inputs``, as in
``sovereign plan --format json``): the built-in roles and their scopes, the equivalent custom-role ``actions``,
the subscription features and the resource providers to register. Nothing here is hand-listed per stack: a type
the plan does not hold asks for nothing, and an ``azure-native`` type missing from :data:`TYPE_ACTIONS` is an
error (:class:`UncoveredTypes`), never a silent gap.

Non-goals: it grants nothing and calls no Azure API; it cannot know the subscription id (``<subscription-id>``)
nor the names Pulumi auto-names (a resource without an explicit Azure name gets a random suffix). Data-plane
rights on the state backend and the secrets-provider key are the backend's concern, not the plan's.

JSON shape (``to_json``): ``{"stack", "cloud", "roles": [{"role", "role_definition_id", "scope", "condition",
"why"}], "actions": [{"action", "why"}], "data_actions": [{"action", "why"}], "features": [{"namespace",
"name", "why", "source"}], "resource_providers": [{"namespace", "why"}], "notes": [...]}``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "FEATURES",
    "TYPE_ACTIONS",
    "Permissions",
    "UncoveredTypes",
    "derive",
    "uncovered_types",
]

Resource = Mapping[str, Any]
SUBSCRIPTION = "/subscriptions/<subscription-id>"
_PERMS = "MicrosoftDocs/azure-docs articles/role-based-access-control/permissions/"
_ROLES = "MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles/"
_AKS_PERMS = "MicrosoftDocs/azure-aks-docs articles/aks/aks-service-permissions.md"
_PRIVATE_LINK = "MicrosoftDocs/azure-docs articles/private-link/rbac-permissions.md"


class UncoveredTypes(ValueError):
    """The plan holds azure-native types the table does not cover: the derived list would be incomplete."""

    def __init__(self, types: list[str]) -> None:
        self.types = types
        super().__init__(
            f"no permission entry for {', '.join(types)} — add each type to TYPE_ACTIONS in "
            "sovereign/clouds/azure/permissions.py with its actions and their source"
        )


@dataclass(frozen=True)
class TypeActions:
    actions: tuple[str, ...]
    source: str


def _crud(resource_type: str, source: str, *extra: str, delete: bool = True) -> TypeActions:
    verbs = ("read", "write", "delete") if delete else ("read", "write")
    return TypeActions(tuple(f"{resource_type}/{v}" for v in verbs) + extra, source)


TYPE_ACTIONS: dict[str, TypeActions] = {
    # One row per azure-native type: the operations Microsoft lists for its resource type (source per row).
    "azure-native:resources:ResourceGroup": _crud(
        "Microsoft.Resources/subscriptions/resourceGroups", _PERMS + "management-and-governance.md"
    ),
    "azure-native:authorization:RoleAssignment": _crud(
        "Microsoft.Authorization/roleAssignments", _PERMS + "management-and-governance.md"
    ),
    "azure-native:authorization:PolicyAssignment": _crud(
        "Microsoft.Authorization/policyAssignments", _PERMS + "management-and-governance.md"
    ),
    "azure-native:network:VirtualNetwork": _crud(
        "Microsoft.Network/virtualNetworks", _PERMS + "networking.md"
    ),
    "azure-native:network:Subnet": _crud(
        "Microsoft.Network/virtualNetworks/subnets", _PERMS + "networking.md"
    ),
    "azure-native:network:NetworkSecurityGroup": _crud(
        "Microsoft.Network/networkSecurityGroups", _PERMS + "networking.md"
    ),
    "azure-native:network:RouteTable": _crud("Microsoft.Network/routeTables", _PERMS + "networking.md"),
    "azure-native:network:PrivateEndpoint": _crud(
        "Microsoft.Network/privateEndpoints",
        _PRIVATE_LINK + " (Private endpoint)",
        "Microsoft.Network/locations/availablePrivateEndpointTypes/read",
    ),
    "azure-native:network:PrivateDnsZoneGroup": _crud(
        "Microsoft.Network/privateEndpoints/privateDnsZoneGroups", _PERMS + "networking.md"
    ),
    "azure-native:network:FirewallPolicyRuleCollectionGroup": _crud(
        "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
        _PERMS + "networking.md",
        "Microsoft.Network/firewallPolicies/read",
    ),
    "azure-native:privatedns:PrivateZone": _crud(
        "Microsoft.Network/privateDnsZones", _PERMS + "networking.md"
    ),
    "azure-native:privatedns:VirtualNetworkLink": _crud(
        "Microsoft.Network/privateDnsZones/virtualNetworkLinks", _PERMS + "networking.md"
    ),
    "azure-native:keyvault:Vault": _crud("Microsoft.KeyVault/vaults", _PERMS + "security.md"),
    # Keys made through Resource Manager need only the control-plane action ("To be authorized to use this
    # API, the caller needs ... Microsoft.KeyVault/vaults/keys/write"): MicrosoftDocs/azure-security-docs
    # articles/key-vault/keys/quick-create-template.md, "Creating a key via ARM". ARM cannot delete keys.
    "azure-native:keyvault:Key": _crud(
        "Microsoft.KeyVault/vaults/keys",
        "azure-security-docs key-vault/keys/quick-create-template.md",
        delete=False,
    ),
    "azure-native:keyvault:ManagedHsm": _crud("Microsoft.KeyVault/managedHSMs", _PERMS + "security.md"),
    "azure-native:managedidentity:UserAssignedIdentity": _crud(
        "Microsoft.ManagedIdentity/userAssignedIdentities", _PERMS + "identity.md"
    ),
    "azure-native:managedidentity:FederatedIdentityCredential": _crud(
        "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
        _PERMS + "identity.md",
    ),
    "azure-native:compute:DiskEncryptionSet": _crud(
        "Microsoft.Compute/diskEncryptionSets", _PERMS + "compute.md"
    ),
    # The stack reads the cluster's user kubeconfig (components/azure/cluster.py,
    # list_managed_cluster_user_credentials): an invoke, which the plan does not record, so it rides on the type.
    "azure-native:containerservice:ManagedCluster": _crud(
        "Microsoft.ContainerService/managedClusters",
        _PERMS + "containers.md",
        "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
    ),
    "azure-native:containerservice:AgentPool": _crud(
        "Microsoft.ContainerService/managedClusters/agentPools", _PERMS + "containers.md"
    ),
    "azure-native:containerservice:MaintenanceConfiguration": _crud(
        "Microsoft.ContainerService/managedClusters/maintenanceConfigurations", _PERMS + "containers.md"
    ),
    "azure-native:containerregistry:Registry": _crud(
        "Microsoft.ContainerRegistry/registries", _PERMS + "containers.md"
    ),
    "azure-native:containerregistry:Replication": _crud(
        "Microsoft.ContainerRegistry/registries/replications", _PERMS + "containers.md"
    ),
    "azure-native:storage:StorageAccount": _crud("Microsoft.Storage/storageAccounts", _PERMS + "storage.md"),
    "azure-native:storage:BlobServiceProperties": _crud(
        "Microsoft.Storage/storageAccounts/blobServices", _PERMS + "storage.md", delete=False
    ),
    "azure-native:storage:BlobContainer": _crud(
        "Microsoft.Storage/storageAccounts/blobServices/containers", _PERMS + "storage.md"
    ),
    "azure-native:operationalinsights:Workspace": _crud(
        "Microsoft.OperationalInsights/workspaces", _PERMS + "monitor.md"
    ),
    "azure-native:operationalinsights:Cluster": _crud(
        "Microsoft.OperationalInsights/clusters", _PERMS + "monitor.md"
    ),
    "azure-native:operationalinsights:LinkedService": _crud(
        "Microsoft.OperationalInsights/workspaces/linkedServices", _PERMS + "monitor.md"
    ),
    "azure-native:monitor:DiagnosticSetting": _crud(
        "Microsoft.Insights/diagnosticSettings", _PERMS + "monitor.md"
    ),
    # The subscription's Activity Log export: the same resource type, at the subscription.
    "azure-native:monitor:SubscriptionDiagnosticSetting": _crud(
        "Microsoft.Insights/diagnosticSettings", _PERMS + "monitor.md"
    ),
    # Break-glass eligibility: the provider creates and removes it through schedule requests ("Creates a role
    # eligibility schedule request at given scope"; removal is a request of type AdminRemove).
    "azure-native:authorization:PimRoleEligibilitySchedule": TypeActions(
        (
            "Microsoft.Authorization/roleEligibilityScheduleRequests/read",
            "Microsoft.Authorization/roleEligibilityScheduleRequests/write",
            "Microsoft.Authorization/roleEligibilityScheduleRequests/cancel/action",
            "Microsoft.Authorization/roleEligibilitySchedules/read",
        ),
        _PERMS + "management-and-governance.md",
    ),
    "azure-native:monitor:PrivateLinkScope": _crud(
        "Microsoft.Insights/privateLinkScopes", _PERMS + "monitor.md"
    ),
    "azure-native:monitor:PrivateLinkScopedResource": _crud(
        "Microsoft.Insights/privateLinkScopes/scopedResources", _PERMS + "monitor.md"
    ),
}
"""azure-native type -> the control-plane actions creating, updating and deleting it takes, with their source."""


# ---- actions a resource needs on OTHER resources it references (join, assign, approve) ----------------------

_SUBNET_JOIN = "Microsoft.Network/virtualNetworks/subnets/join/action"
_IDENTITY_ASSIGN = "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action"
# Private link: "Microsoft.[ServiceProvider]/[resourceType]/privateEndpointConnectionsApproval/action" approves
# the connection automatically (rbac-permissions.md, "Approval RBAC for private endpoint"); without it the
# endpoint waits for a manual approval that nobody in a pipeline gives.
_APPROVABLE = re.compile(r"/providers/(Microsoft\.[A-Za-z]+)/([A-Za-z]+)/[^/]+$")


def _values(value: Any, path: str) -> list[Any]:
    """Values at a dotted ``path`` with ``[]`` for each item of a list (``agentPoolProfiles[].vnetSubnetID``)."""
    current: list[Any] = [value]
    for part in path.split("."):
        key, each = (part[:-2], True) if part.endswith("[]") else (part, False)
        found = [c.get(key) for c in current if isinstance(c, Mapping)]
        current = [i for f in found if isinstance(f, list) for i in f] if each else found
    return [c for c in current if c is not None and c != ""]


def _identities(value: Any) -> list[str]:
    # azure-native v3 sends userAssignedIdentities as a list of ids; older payloads and ACR use a map keyed by id.
    ids = value if isinstance(value, list) else list(value) if isinstance(value, Mapping) else []
    return [i for i in ids if isinstance(i, str)]


def _approval(target: Any, planned: Mapping[str, Resource]) -> str | None:
    # The type comes from the planned target when the id names one (offline ids are fabricated from the Pulumi
    # type, not Azure's), else from the id itself.
    named = planned.get(str(target).rstrip("/").rsplit("/", 1)[-1])
    if named is not None and named["type"] in TYPE_ACTIONS:
        return (
            TYPE_ACTIONS[named["type"]].actions[0].rsplit("/", 1)[0]
            + "/privateEndpointConnectionsApproval/action"
        )
    match = _APPROVABLE.search(str(target))
    return f"{match[1]}/{match[2]}/privateEndpointConnectionsApproval/action" if match else None


# (type, input path, the action the reference needs or a function of the referenced value, source)
REFERENCES: tuple[tuple[str, str, str | Callable[[Any, Mapping[str, Resource]], str | None], str], ...] = (
    (
        "azure-native:network:Subnet",
        "networkSecurityGroup.id",
        "Microsoft.Network/networkSecurityGroups/join/action",
        _PRIVATE_LINK + " (Private link service table)",
    ),
    (
        "azure-native:network:Subnet",
        "routeTable.id",
        "Microsoft.Network/routeTables/join/action",
        _PERMS + "networking.md",
    ),
    ("azure-native:network:PrivateEndpoint", "subnet.id", _SUBNET_JOIN, _PRIVATE_LINK),
    (
        "azure-native:network:PrivateEndpoint",
        "privateLinkServiceConnections[].privateLinkServiceId",
        _approval,
        _PRIVATE_LINK + " (Approval RBAC)",
    ),
    (
        "azure-native:network:PrivateDnsZoneGroup",
        "privateDnsZoneConfigs[].privateDnsZoneId",
        "Microsoft.Network/privateDnsZones/join/action",
        _PERMS + "networking.md",
    ),
    # Private DNS Zone Contributor carries it for this reason: _ROLES + networking.md.
    (
        "azure-native:privatedns:VirtualNetworkLink",
        "virtualNetwork.id",
        "Microsoft.Network/virtualNetworks/join/action",
        _ROLES + "networking.md (Private DNS Zone Contributor)",
    ),
    (
        "azure-native:containerservice:ManagedCluster",
        "agentPoolProfiles[].vnetSubnetID",
        _SUBNET_JOIN,
        _AKS_PERMS,
    ),
    (
        "azure-native:containerservice:ManagedCluster",
        "apiServerAccessProfile.subnetId",
        _SUBNET_JOIN,
        _AKS_PERMS,
    ),
    ("azure-native:containerservice:AgentPool", "vnetSubnetID", _SUBNET_JOIN, _AKS_PERMS),
    (
        "azure-native:containerservice:ManagedCluster",
        "diskEncryptionSetID",
        "Microsoft.Compute/diskEncryptionSets/read",
        _AKS_PERMS,
    ),
)
_IDENTITY_PATHS = ("identity.userAssignedIdentities", "identityProfile.kubeletidentity.resourceId")
"""Any type: attaching a user-assigned identity takes assign/action on it (aks-service-permissions.md)."""


# ---- subscription features ------------------------------------------------------------------------------------


def _pools(resource: Resource) -> list[Mapping[str, Any]]:
    inputs = resource.get("inputs") or {}
    if resource["type"] == "azure-native:containerservice:AgentPool":
        return [inputs]
    if resource["type"] == "azure-native:containerservice:ManagedCluster":
        return [p for p in inputs.get("agentPoolProfiles") or [] if isinstance(p, Mapping)]
    return []


@dataclass(frozen=True)
class FeatureRule:
    namespace: str
    name: str
    setting: str
    applies: Callable[[Resource], bool]
    source: str


FEATURES: tuple[FeatureRule, ...] = (
    FeatureRule(
        "Microsoft.Compute",
        "EncryptionAtHost",
        "enableEncryptionAtHost: true",
        lambda r: any(p.get("enableEncryptionAtHost") is True for p in _pools(r)),
        "MicrosoftDocs/azure-aks-docs articles/aks/enable-host-encryption.md ('az feature register --namespace "
        "Microsoft.Compute --name EncryptionAtHost')",
    ),
    FeatureRule(
        "Microsoft.ContainerService",
        "ManagedGPUExperiencePreview",
        "gpuProfile.nvidia.managementMode: Managed",
        lambda r: any(_values(p, "gpuProfile.nvidia.managementMode") == ["Managed"] for p in _pools(r)),
        "MicrosoftDocs/azure-aks-docs articles/aks/aks-managed-gpu-nodes.md",
    ),
    FeatureRule(
        "Microsoft.ContainerService",
        "KMSPMKPreview",
        "securityProfile.kubernetesResourceObjectEncryptionProfile",
        lambda r: (
            r["type"] == "azure-native:containerservice:ManagedCluster"
            and bool(_values(r.get("inputs"), "securityProfile.kubernetesResourceObjectEncryptionProfile"))
        ),
        "MicrosoftDocs/azure-aks-docs articles/aks/kms-data-encryption.md",
    ),
)
"""Settings that need a subscription feature. Checked in the AKS docs (2026-08) and needing none: API Server VNet
Integration and KMS with a private vault (api-server-vnet-integration.md, use-kms-etcd-encryption.md: GA),
node resource group lockdown (node-resource-group-lockdown.md), outbound type none (network-isolated.md: GA),
gpuProfile.driver None (use-nvidia-gpu.md, 'Skip GPU driver installation')."""

# Registered in every subscription from the start: Azure landing zones FAQ "Default Resource Providers"
# (azure.github.io/Azure-Landing-Zones/faq/resource-providers, e.g. Microsoft.Authorization).
_DEFAULT_PROVIDERS = frozenset({"Microsoft.Authorization", "Microsoft.Resources"})
_AKS_PROVIDERS = ("Microsoft.Compute", "Microsoft.Network")
"""AKS builds VM scale sets, disks, NICs and load balancers in the node resource group (aks-service-permissions.md,
'AKS cluster identity permissions')."""


# ---- built-in roles -------------------------------------------------------------------------------------------

_CONTRIBUTOR = ("Contributor", "b24988ac-6180-42a0-ab88-20f7382dd24c")
"""Actions '*', NotActions 'Microsoft.Authorization/*/Write' and '*/Delete': it cannot write role or policy
assignments (_ROLES + privileged.md, 'Contributor')."""
_RBAC_ADMIN = ("Role Based Access Control Administrator", "f58310d9-a9f6-439a-9e8d-f62e7b41a168")
"""roleAssignments/write and /delete, '*/read' (_ROLES + privileged.md)."""
_USER_ACCESS_ADMIN = ("User Access Administrator", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9")
"""'Microsoft.Authorization/*': the built-in role that covers roleEligibilityScheduleRequests/write, which neither
Contributor (NotActions Microsoft.Authorization/*/Write) nor Role Based Access Control Administrator (role
assignments only) holds (_ROLES + privileged.md)."""
_POLICY_CONTRIBUTOR = ("Resource Policy Contributor", "36243c78-bf99-498c-9df9-86d9f8d28608")
"""'Microsoft.Authorization/policyassignments/*' (_ROLES + management-and-governance.md)."""
_AKS_CLUSTER_ADMIN = ("Azure Kubernetes Service RBAC Cluster Admin", "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b")
"""DataActions 'Microsoft.ContainerService/managedClusters/*' and listClusterUserCredential (_ROLES + containers.md)."""
_AKS_DATA_ACTION = "Microsoft.ContainerService/managedClusters/*"


def _constrain_roles(guids: list[str]) -> str:
    """ABAC condition: the delegate may add or remove assignments of these roles only. The form of Microsoft's
    'Example: Constrain roles' (azure-docs articles/role-based-access-control/delegate-role-assignments-examples.md),
    to pass with ``--condition`` and ``--condition-version 2.0``."""
    ids = ", ".join(guids)
    return (
        "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR "
        f"(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {{{ids}}})) "
        "AND ((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR "
        f"(@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {{{ids}}}))"
    )


@dataclass(frozen=True)
class RoleGrant:
    role: str
    role_definition_id: str
    scope: str
    condition: str | None
    why: str


@dataclass(frozen=True)
class Item:
    """An action, data action or resource provider namespace, with the planned resources that need it."""

    name: str
    why: str


@dataclass(frozen=True)
class Feature:
    namespace: str
    name: str
    why: str
    source: str


@dataclass(frozen=True)
class Permissions:
    stack: str
    roles: tuple[RoleGrant, ...]
    actions: tuple[Item, ...]
    data_actions: tuple[Item, ...]
    features: tuple[Feature, ...]
    resource_providers: tuple[Item, ...]
    notes: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "cloud": "azure",
            "roles": [vars(r) for r in self.roles],
            "actions": [{"action": a.name, "why": a.why} for a in self.actions],
            "data_actions": [{"action": a.name, "why": a.why} for a in self.data_actions],
            "features": [vars(f) for f in self.features],
            "resource_providers": [{"namespace": p.name, "why": p.why} for p in self.resource_providers],
            "notes": list(self.notes),
        }


# ---- where each planned resource lives ------------------------------------------------------------------------

_GROUP = re.compile(r"^/subscriptions/[^/]+/resourceGroups/([^/]+)", re.IGNORECASE)
_OFFLINE_GROUP = "offline"
"""The group the offline engine puts in fabricated ids (sovereign/clouds/azure/offline.py ``resource_id``)."""


def _kind(type_token: str) -> str:
    return type_token.rsplit(":", 1)[-1]


class _Placement:
    """Resource group of each planned resource, and which groups the deployment itself creates."""

    def __init__(self, resources: list[Resource]) -> None:
        self._by_name = {r["name"]: r for r in resources}
        self.created = {
            self.group_of(r) or "" for r in resources if r["type"] == "azure-native:resources:ResourceGroup"
        }
        # AKS creates the node resource group (default MC_<group>_<cluster>_<region>, or nodeResourceGroup).
        self._clusters = [r for r in resources if r["type"] == "azure-native:containerservice:ManagedCluster"]

    def group_of(self, resource: Resource) -> str | None:
        inputs = resource.get("inputs") or {}
        if resource["type"] == "azure-native:resources:ResourceGroup":
            return str(inputs.get("resourceGroupName") or resource["name"])
        if isinstance(inputs.get("resourceGroupName"), str):
            return inputs["resourceGroupName"]
        for key in ("scope", "resourceUri"):
            if isinstance(inputs.get(key), str):
                return self.group_of_id(inputs[key])
        return None

    def group_of_id(self, resource_id: str) -> str | None:
        match = _GROUP.match(resource_id)
        if match is None:
            return None  # the subscription itself (or above it)
        group = match[1]
        if group == _OFFLINE_GROUP:  # a fabricated id: the group of the planned resource it names
            target = self._by_name.get(resource_id.rstrip("/").rsplit("/", 1)[-1])
            return self.group_of(target) if target is not None else None
        if group.startswith(f"MC_{_OFFLINE_GROUP}_"):  # the fabricated node group: name it as AKS will
            for cluster in self._clusters:
                if (cluster_group := self.group_of(cluster)) and cluster["name"] in group:
                    return group.replace(f"MC_{_OFFLINE_GROUP}_", f"MC_{cluster_group}_", 1)
        return group

    def is_created(self, group: str) -> bool:
        node_groups = {str((c.get("inputs") or {}).get("nodeResourceGroup") or "") for c in self._clusters}
        return (
            group in self.created
            or group in node_groups
            or (bool(self._clusters) and group.startswith("MC_"))
        )

    def grant_scope(self, group: str | None) -> str:
        # A group the deployment creates does not exist before the first `pulumi up`: nothing can be granted on
        # it, so the grant sits on the subscription (narrow it to the group once the group exists).
        if group is None or self.is_created(group):
            return SUBSCRIPTION
        return f"{SUBSCRIPTION}/resourceGroups/{group}"


# ---- derivation -----------------------------------------------------------------------------------------------


def _azure(resources: Iterable[Resource]) -> list[Resource]:
    return [r for r in resources if r["type"].startswith("azure-native:") and r.get("custom", True)]


def uncovered_types(resources: Iterable[Resource]) -> list[str]:
    """azure-native types in the plan without a row in :data:`TYPE_ACTIONS`, sorted."""
    return sorted({r["type"] for r in _azure(resources)} - TYPE_ACTIONS.keys())


class _Reasons:
    """name -> kind -> resource names, rendered as one short ``why``."""

    def __init__(self) -> None:
        self._by: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))

    def add(self, name: str, resource: Resource, detail: str = "") -> None:
        label = f"{resource['name']} ({detail})" if detail else resource["name"]
        entries = self._by[name][_kind(resource["type"])]
        if label not in entries:
            entries.append(label)

    def items(self) -> tuple[Item, ...]:
        return tuple(Item(name, _why(kinds)) for name, kinds in sorted(self._by.items()))


def _why(kinds: Mapping[str, list[str]]) -> str:
    parts = []
    for kind, names in sorted(kinds.items()):
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        parts.append(f"{kind} {shown}")
    return "; ".join(parts)


def _actions(azure: list[Resource]) -> _Reasons:
    reasons = _Reasons()
    planned = {r["name"]: r for r in azure}
    for resource in azure:
        inputs = resource.get("inputs") or {}
        for action in TYPE_ACTIONS[resource["type"]].actions:
            reasons.add(action, resource)
        for type_token, path, needed, _source in REFERENCES:
            if resource["type"] != type_token:
                continue
            for value in _values(inputs, path):
                action = needed(value, planned) if callable(needed) else needed
                if action:
                    reasons.add(action, resource, path)
        for path in _IDENTITY_PATHS:
            for value in _values(inputs, path):
                if _identities(value) or isinstance(value, str):
                    reasons.add(_IDENTITY_ASSIGN, resource, path)
    return reasons


def _grants(
    placement: _Placement,
    resources: list[Resource],
    role: tuple[str, str],
    reason: Callable[[list[Resource]], str],
) -> list[RoleGrant]:
    by_scope: dict[str, list[Resource]] = defaultdict(list)
    for resource in resources:
        by_scope[placement.grant_scope(placement.group_of(resource))].append(resource)
    return [
        RoleGrant(
            role[0], f"/providers/Microsoft.Authorization/roleDefinitions/{role[1]}", scope, None, reason(rs)
        )
        for scope, rs in sorted(by_scope.items())
    ]


def _groups_of(placement: _Placement, resources: list[Resource]) -> str:
    groups = sorted({g for r in resources if (g := placement.group_of(r))})
    return ", ".join(groups) or "the subscription"


def _roles(placement: _Placement, azure: list[Resource], kubernetes: list[Resource]) -> list[RoleGrant]:
    by_type: dict[str, list[Resource]] = defaultdict(list)
    for resource in azure:
        by_type[resource["type"]].append(resource)
    authorization = (
        "azure-native:authorization:RoleAssignment",
        "azure-native:authorization:PolicyAssignment",
        "azure-native:authorization:PimRoleEligibilitySchedule",
    )
    managed = [r for r in azure if r["type"] not in authorization]
    created = sorted(placement.created - {""})

    def contributor(rs: list[Resource]) -> str:
        head = (
            f"creates resource group(s) {', '.join(created)} (Microsoft.Resources/subscriptions/resourceGroups/"
            "write, checked at the subscription) and "
            if created
            else ""
        )
        kinds = len({r["type"] for r in rs})
        return f"{head}{len(rs)} resources of {kinds} types in {_groups_of(placement, rs)}"

    roles = _grants(placement, managed, _CONTRIBUTOR, contributor)
    assignments = by_type["azure-native:authorization:RoleAssignment"]
    for grant in _grants(
        placement,
        assignments,
        _RBAC_ADMIN,
        lambda rs: (
            f"{len(rs)} role assignments in {_groups_of(placement, rs)}; Contributor's NotActions exclude "
            "Microsoft.Authorization/*/Write"
        ),
    ):
        in_scope = [r for r in assignments if placement.grant_scope(placement.group_of(r)) == grant.scope]
        guids = sorted(
            {str(r["inputs"].get("roleDefinitionId", "")).rsplit("/", 1)[-1].lower() for r in in_scope}
        )
        valid = all(re.fullmatch(r"[0-9a-f-]{36}", g) for g in guids)
        roles.append(
            RoleGrant(
                grant.role,
                grant.role_definition_id,
                grant.scope,
                _constrain_roles(guids) if valid else None,
                grant.why,
            )
        )
    roles += _grants(
        placement,
        by_type["azure-native:authorization:PolicyAssignment"],
        _POLICY_CONTRIBUTOR,
        lambda rs: (
            f"{len(rs)} policy assignments ({', '.join(r['name'] for r in rs)}) in {_groups_of(placement, rs)}; "
            "Contributor's NotActions exclude Microsoft.Authorization/*/Write"
        ),
    )
    roles += _grants(
        placement,
        by_type["azure-native:authorization:PimRoleEligibilitySchedule"],
        _USER_ACCESS_ADMIN,
        lambda rs: (
            f"{len(rs)} PIM eligibility schedules (break-glass) in {_groups_of(placement, rs)}: "
            "Microsoft.Authorization/roleEligibilityScheduleRequests/write"
        ),
    )
    clusters = [r for r in by_type["azure-native:containerservice:ManagedCluster"] if _azure_rbac(r)]
    if kubernetes and clusters:
        roles += _grants(
            placement,
            clusters,
            _AKS_CLUSTER_ADMIN,
            lambda rs: (
                f"{len(kubernetes)} Kubernetes objects created through the API of {', '.join(r['name'] for r in rs)}"
                " (aadProfile.enableAzureRBAC: Azure RBAC authorizes them)"
            ),
        )
    return roles


def _azure_rbac(cluster: Resource) -> bool:
    return _values(cluster.get("inputs"), "aadProfile.enableAzureRBAC") == [True]


def derive(stack: str, resources: list[Resource]) -> Permissions:
    """The permissions ``pulumi up`` of ``stack`` needs, from its plan's resources; UncoveredTypes on a gap."""
    missing = uncovered_types(resources)
    if missing:
        raise UncoveredTypes(missing)
    azure = _azure(resources)
    kubernetes = [r for r in resources if r["type"].startswith("kubernetes:") and r.get("custom", True)]
    placement = _Placement(azure)

    data_actions = _Reasons()
    clusters = [r for r in azure if r["type"] == "azure-native:containerservice:ManagedCluster"]
    for cluster in clusters:
        if kubernetes and _azure_rbac(cluster):
            data_actions.add(_AKS_DATA_ACTION, cluster, f"{len(kubernetes)} Kubernetes objects")

    features = []
    for rule in FEATURES:
        hits = [r["name"] for r in azure if rule.applies(r)]
        if hits:
            features.append(
                Feature(rule.namespace, rule.name, f"{rule.setting} on {', '.join(hits)}", rule.source)
            )

    providers = _Reasons()
    for resource in azure:
        namespace = TYPE_ACTIONS[resource["type"]].actions[0].split("/", 1)[0]
        if namespace not in _DEFAULT_PROVIDERS:
            providers.add(namespace, resource)
        if resource in clusters:
            for namespace in _AKS_PROVIDERS:
                providers.add(namespace, resource, "node resource group")

    notes = [
        f"'{SUBSCRIPTION}' is the subscription the stack deploys to: `az account show --query id -o tsv`.",
    ]
    for resource in azure:
        if resource["type"] == "azure-native:resources:ResourceGroup" and not (
            resource.get("inputs") or {}
        ).get("resourceGroupName"):
            notes.append(
                f"resource group {resource['name']} is auto-named: Pulumi appends random characters, so its real "
                "name is known only after the first `pulumi up`."
            )
    if kubernetes and clusters and not any(_azure_rbac(c) for c in clusters):
        notes.append(
            "the cluster uses Kubernetes RBAC: make the deploying identity a member of one of its "
            "aadProfile.adminGroupObjectIDs groups."
        )
    return Permissions(
        stack=stack,
        roles=tuple(_roles(placement, azure, kubernetes)),
        actions=_actions(azure).items(),
        data_actions=data_actions.items(),
        features=tuple(features),
        resource_providers=providers.items(),
        notes=tuple(notes),
    )
