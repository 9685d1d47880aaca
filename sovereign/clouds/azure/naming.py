"""Azure's name rules per resource type, azure-native's auto-naming, and the toolkit's deterministic names.

Why this exists: azure-native names a resource without an explicit name input ``<Pulumi name>`` + 8 random
hex characters, with no truncation and no dash stripping (pulumi/pulumi-azure-native
``provider/pkg/provider/provider.go`` ``getDefaultName``: ``resource.NewUniqueName(randomSeed, name, 8, 0,
nil)``, i.e. random suffix 8, max length 0 = none; its test ``autonaming_test.go`` expects
``test614742c2`` for ``test``), then checks the name against the API's pattern in ``Check`` before any Azure
call. ``de-prod-keys-vault`` + 8 = 26 characters > 24 for a Key Vault, and a storage account auto-name keeps
its dashes: ``pulumi preview`` fails (pulumi-azure-native #2532, #3514, #4294). The mock engine cannot see
that, so the offline plan emulates the auto-name (:func:`auto_name`) and the ``azure-names`` plan rule
(``sovereign.policies.azure_names``) checks every physical name, explicit or auto, against :data:`RULES`.

Every row of :data:`RULES` comes from Microsoft's "Naming rules and restrictions for Azure resources"
(https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules, read in
MicrosoftDocs/azure-docs ``articles/azure-resource-manager/management/resource-name-rules.md``, ms.date
2023-11-20), except where ``source`` names another Microsoft page (the page does not list AKS agent pools,
Key Vault keys, Log Analytics linked services or Azure Monitor private link scopes).

Scope: pure data and string functions, no Pulumi. Non-goals: reserved words and trademarks (Azure's separate
"reserved resource name" list); names of resources this toolkit does not create.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

__all__ = [
    "AUTO_NAME_SUFFIX_LENGTH",
    "NAME_RULES_PAGE",
    "RULES",
    "NameRule",
    "auto_name",
    "key_vault_name",
    "name_problem",
    "registry_name",
    "storage_account_name",
    "unique_suffix",
]

NAME_RULES_PAGE = "https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules"
AUTO_NAME_SUFFIX_LENGTH = 8
"""azure-native's random suffix: 8 hex characters (provider.go getDefaultName, NewUniqueName(..., 8, 0, nil))."""

_NETWORK = r"[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?"
_NETWORK_TEXT = (
    "alphanumerics, underscores, periods and hyphens; start with alphanumeric, end alphanumeric or underscore"
)


@dataclass(frozen=True)
class NameRule:
    """What Azure accepts as the name of one resource type."""

    type_token: str
    name_input: str
    """The wire-named input that carries the Azure name (``vaultName``); absent means auto-named."""
    min_length: int
    max_length: int
    pattern: str
    """Full-match regular expression for the allowed characters and their order."""
    allowed: str
    """The rule in Microsoft's words, for the finding's message."""
    scope: str
    """Where the name must be unique: ``global`` names need a unique suffix (:func:`unique_suffix`)."""
    source: str = "resource-name-rules"
    auto_name: str = "random"
    """azure-native's strategy when the name is omitted: ``random`` (+8 hex), ``uuid`` or ``copy``."""

    @property
    def is_global(self) -> bool:
        return self.scope == "global"


def _network(type_token: str, name_input: str, max_length: int = 80, min_length: int = 1) -> NameRule:
    return NameRule(type_token, name_input, min_length, max_length, _NETWORK, _NETWORK_TEXT, "resource group")


_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_PRIVATE_DNS_ZONE = r"(?=.{1,63}$)[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+){1,33}"

RULES: dict[str, NameRule] = {
    rule.type_token: rule
    for rule in (
        # Microsoft.Resources/resourcegroups: subscription, 1-90, letters/digits, _ - . ( ); can't end with period.
        NameRule(
            "azure-native:resources:ResourceGroup",
            "resourceGroupName",
            1,
            90,
            r"[\w().-]*[\w()-]",
            "letters, digits, underscores, hyphens, periods and parentheses; can't end with period",
            "subscription",
        ),
        # Microsoft.Authorization/roleAssignments: 36, must be a GUID.
        NameRule(
            "azure-native:authorization:RoleAssignment",
            "roleAssignmentName",
            36,
            36,
            _GUID,
            "a GUID",
            "tenant",
            auto_name="uuid",
        ),
        # PIM eligibility (components/azure/break_glass.py): the resource takes no name input (pulumi-azure-native
        # 3.29.0 authorization.PimRoleEligibilitySchedule); the provider names the request it PUTs to
        # /{scope}/providers/Microsoft.Authorization/roleEligibilityScheduleRequests/{name} (api 2020-10-01,
        # RoleEligibilityScheduleRequests_Create), held here to a GUID like role assignments.
        NameRule(
            "azure-native:authorization:PimRoleEligibilitySchedule",
            "roleEligibilityScheduleRequestName",
            36,
            36,
            _GUID,
            "a GUID",
            "scope of the eligibility",
            source="https://learn.microsoft.com/rest/api/authorization/role-eligibility-schedule-requests",
            auto_name="uuid",
        ),
        # Microsoft.Authorization/policyAssignments: 1-64 resource name (1-24 at management group scope); can't
        # use <>*%&:\?.+/ or control characters; can't end with period or space.
        NameRule(
            "azure-native:authorization:PolicyAssignment",
            "policyAssignmentName",
            1,
            64,
            r"[^<>*%&:\\?.+/\x00-\x1f]*[^<>*%&:\\?.+/\x00-\x1f .]",
            "no <>*%&:\\?.+/ or control characters; can't end with period or space",
            "scope of assignment",
        ),
        # Microsoft.Compute/diskEncryptionSets: resource group, 1-80, alphanumerics, underscores and hyphens.
        NameRule(
            "azure-native:compute:DiskEncryptionSet",
            "diskEncryptionSetName",
            1,
            80,
            r"[A-Za-z0-9_-]+",
            "alphanumerics, underscores and hyphens",
            "resource group",
        ),
        # Microsoft.ContainerRegistry/registries/replications: registry, 5-50, alphanumerics.
        NameRule(
            "azure-native:containerregistry:Replication",
            "replicationName",
            5,
            50,
            r"[A-Za-z0-9]+",
            "alphanumerics",
            "registry",
        ),
        # Microsoft.ContainerRegistry/registries: global, 5-50, alphanumerics.
        NameRule(
            "azure-native:containerregistry:Registry",
            "registryName",
            5,
            50,
            r"[A-Za-z0-9]+",
            "alphanumerics",
            "global",
        ),
        # Microsoft.ContainerService/managedClusters: resource group, 1-63, alphanumerics, underscores, hyphens;
        # start and end with alphanumeric.
        NameRule(
            "azure-native:containerservice:ManagedCluster",
            "resourceName",
            1,
            63,
            r"[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?",
            "alphanumerics, underscores and hyphens; start and end with alphanumeric",
            "resource group",
        ),
        # AKS node pools: Linux 1-12 lowercase letters and numbers, starting with a letter (AKS docs
        # create-node-pools.md / use-system-pools.md "Limitations").
        NameRule(
            "azure-native:containerservice:AgentPool",
            "agentPoolName",
            1,
            12,
            r"[a-z][a-z0-9]*",
            "lowercase letters and numbers; start with a letter",
            "managed cluster",
            source="https://learn.microsoft.com/azure/aks/create-node-pools#limitations",
        ),
        # Microsoft.KeyVault/vaults: global, 3-24, alphanumerics and hyphens; start with letter; end with letter or
        # digit; no consecutive hyphens.
        NameRule(
            "azure-native:keyvault:Vault",
            "vaultName",
            3,
            24,
            r"[A-Za-z](?!.*--)[A-Za-z0-9-]*[A-Za-z0-9]",
            "alphanumerics and hyphens; start with letter, end with letter or digit, no consecutive hyphens",
            "global",
        ),
        # Key Vault object names: 1-127, 0-9 a-z A-Z and hyphens (Key Vault "About keys, secrets and certificates",
        # object identifiers).
        NameRule(
            "azure-native:keyvault:Key",
            "keyName",
            1,
            127,
            r"[A-Za-z0-9-]+",
            "alphanumerics and hyphens",
            "vault",
            source="https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates",
        ),
        # Microsoft.ManagedIdentity/userAssignedIdentities: resource group, 3-128, alphanumerics, hyphens and
        # underscores; start with letter or number.
        NameRule(
            "azure-native:managedidentity:UserAssignedIdentity",
            "resourceName",
            3,
            128,
            r"[A-Za-z0-9][A-Za-z0-9_-]*",
            "alphanumerics, hyphens and underscores; start with letter or number",
            "resource group",
        ),
        # Microsoft.Network rows (resource group, 1-80 unless noted, the Network default characters).
        _network("azure-native:network:VirtualNetwork", "virtualNetworkName", max_length=64, min_length=2),
        _network("azure-native:network:Subnet", "subnetName"),
        _network("azure-native:network:NetworkSecurityGroup", "networkSecurityGroupName"),
        _network("azure-native:network:RouteTable", "routeTableName"),
        _network("azure-native:network:PrivateEndpoint", "privateEndpointName", max_length=64, min_length=2),
        _network("azure-native:network:FirewallPolicyRuleCollectionGroup", "ruleCollectionGroupName"),
        _network("azure-native:privatedns:VirtualNetworkLink", "virtualNetworkLinkName"),
        # Not on the page: the zone group is a child of the private endpoint; held to the Network default.
        _network("azure-native:network:PrivateDnsZoneGroup", "privateDnsZoneGroupName"),
        # Microsoft.Network/privateDnsZones: 1-63 characters, 2-34 labels of alphanumerics, underscores, hyphens.
        NameRule(
            "azure-native:privatedns:PrivateZone",
            "privateZoneName",
            1,
            63,
            _PRIVATE_DNS_ZONE,
            "2 to 34 labels of alphanumerics, underscores and hyphens, separated by periods",
            "resource group",
            auto_name="copy",
        ),
        # Microsoft.OperationalInsights/workspaces and clusters: resource group, 4-63, alphanumerics and hyphens;
        # start and end with alphanumeric.
        NameRule(
            "azure-native:operationalinsights:Workspace",
            "workspaceName",
            4,
            63,
            r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?",
            "alphanumerics and hyphens; start and end with alphanumeric",
            "resource group",
        ),
        NameRule(
            "azure-native:operationalinsights:Cluster",
            "clusterName",
            4,
            63,
            r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?",
            "alphanumerics and hyphens; start and end with alphanumeric",
            "resource group",
        ),
        # A workspace's link to its dedicated cluster must be named "cluster" (Azure Monitor, "Link a workspace to a
        # dedicated cluster": PUT .../workspaces/<workspace>/linkedservices/cluster).
        NameRule(
            "azure-native:operationalinsights:LinkedService",
            "linkedServiceName",
            7,
            7,
            r"cluster",
            "exactly 'cluster'",
            "workspace",
            source="https://learn.microsoft.com/azure/azure-monitor/logs/logs-dedicated-clusters",
        ),
        # Not on the page (microsoft.insights/privateLinkScopes, scopedResources, diagnosticSettings): held to the
        # conservative Network default, which Azure Resource Manager's generic name rules also accept.
        _network("azure-native:monitor:PrivateLinkScope", "scopeName"),
        _network("azure-native:monitor:PrivateLinkScopedResource", "name"),
        _network("azure-native:monitor:DiagnosticSetting", "name"),
        _network("azure-native:monitor:SubscriptionDiagnosticSetting", "name"),
        # Microsoft.Storage/storageAccounts: global, 3-24, lowercase letters and numbers.
        NameRule(
            "azure-native:storage:StorageAccount",
            "accountName",
            3,
            24,
            r"[a-z0-9]+",
            "lowercase letters and numbers",
            "global",
        ),
        # storageAccounts/blobServices: must be `default`.
        NameRule(
            "azure-native:storage:BlobServiceProperties",
            "blobServicesName",
            7,
            7,
            r"default",
            "exactly 'default'",
            "storage account",
        ),
        # storageAccounts/blobServices/containers: 3-63, lowercase letters, numbers and hyphens; start with
        # lowercase letter or number; no consecutive hyphens.
        NameRule(
            "azure-native:storage:BlobContainer",
            "containerName",
            3,
            63,
            r"[a-z0-9](?!.*--)[a-z0-9-]*",
            "lowercase letters, numbers and hyphens; start with letter or number; no consecutive hyphens",
            "storage account",
        ),
    )
}
"""Type token -> the rule its Azure name must satisfy."""


def auto_name(pulumi_name: str, urn: str, strategy: str = "random") -> str:
    """The name azure-native would give a resource whose name input is omitted.

    ``random``: the Pulumi name plus 8 hex characters (seeded offline by the URN, so plans are reproducible;
    the real provider seeds from the deployment, so only the length and characters are the same);
    ``uuid``: a GUID; ``copy``: the Pulumi name itself.
    """
    digest = hashlib.sha256(urn.encode()).hexdigest()
    if strategy == "uuid":
        return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
    if strategy == "copy":
        return pulumi_name
    return pulumi_name + digest[:AUTO_NAME_SUFFIX_LENGTH]


def name_problem(rule: NameRule, name: str) -> str | None:
    """Why ``name`` breaks ``rule`` (length first, then characters), or None when Azure accepts it."""
    if not rule.min_length <= len(name) <= rule.max_length:
        bounds = (
            f"exactly {rule.min_length}"
            if rule.min_length == rule.max_length
            else f"{rule.min_length}-{rule.max_length}"
        )
        return f"{name!r} has {len(name)} characters; allowed: {bounds}"
    if not re.fullmatch(rule.pattern, name, flags=re.DOTALL):
        return f"{name!r} has characters or an order Azure refuses; allowed: {rule.allowed}"
    return None


def unique_suffix(*parts: str, length: int = 6) -> str:
    """A deterministic lowercase-hex suffix for a globally unique name, like ARM templates' ``uniqueString``.

    Stable across runs for the same inputs (the subscription and the stack), different between
    organisations deploying the same country file into their own subscriptions.
    """
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


def key_vault_name(base: str, subscription_id: str) -> str:
    """``<base>-<6 hex>`` (``de-prod-keys-1a2b3c``), the base cut to fit 24 characters.

    ``base`` is the owning component's name; the suffix hashes it with the subscription, so the name is the
    same on every run and differs between subscriptions (Key Vault names are global).
    """
    suffix = unique_suffix(subscription_id, base, "key-vault")
    head = re.sub(r"-+", "-", base)[: 24 - len(suffix) - 1].strip("-")
    name = f"{head}-{suffix}"
    _require(RULES["azure-native:keyvault:Vault"], name)
    return name


def storage_account_name(base: str, subscription_id: str) -> str:
    """``<base without dashes><6 hex>`` (``deprodstoreweights1a2b3c``), the base cut to fit 24 characters.

    The suffix hashes the whole base, so two stores whose names share the kept prefix stay distinct.
    """
    suffix = unique_suffix(subscription_id, base, "storage-account")
    head = re.sub(r"[^a-z0-9]", "", base.lower())[: 24 - len(suffix)]
    name = head + suffix
    _require(RULES["azure-native:storage:StorageAccount"], name)
    return name


def registry_name(base: str, subscription_id: str) -> str:
    """``<base without dashes><6 hex>`` (``deprodacr1a2b3c``), at most 50 alphanumerics (registries are global)."""
    suffix = unique_suffix(subscription_id, base, "container-registry")
    name = re.sub(r"[^a-z0-9]", "", base.lower())[: 50 - len(suffix)] + suffix
    _require(RULES["azure-native:containerregistry:Registry"], name)
    return name


def _require(rule: NameRule, name: str) -> None:
    problem = name_problem(rule, name)
    if problem:
        raise ValueError(f"{rule.type_token}: {problem} - use a shorter stack or store name")
