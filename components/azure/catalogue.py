"""Azure facts the components rely on: built-in role and policy ids, private DNS zones, SKU families.

Pure data and small checks, no Pulumi resources: every GUID and name here was checked against Microsoft's
own references (Azure/Azure-Landing-Zones-Library ``platform/slz``, the AKS and Key Vault docs, the
mspnp/aks-baseline and AKS landing-zone templates). Keeping them in one module means a reviewer verifies
each magic string once, and the components read as intent ("crypto service encryption user") instead of
GUIDs. Non-goal: a region catalogue (which regions a country may use and their storage pairs); that lives
with the country config, and reaches the components as plain Args values.
"""

import uuid
from collections.abc import Iterable
from enum import StrEnum

from sovereign.catalogue import MACHINE_SIZES, MachineSize
from sovereign.catalogue.machines import require_machine_size
from sovereign.contracts import GPU_TAINT
from sovereign.types import Cloud

__all__ = [
    "ACTIVITY_LOG_CATEGORIES",
    "AKS_DIAGNOSTIC_CATEGORIES",
    "AMPLS_ZONES",
    "BREAK_GLASS_ROLES",
    "CONFIDENTIAL_GPU_SKUS",
    "GPU_TAINT",
    "POLICY_SET",
    "ROLE",
    "SLZ_L3_RESOURCE_TYPES",
    "SLZ_POLICY_DEFINITION_VERSION",
    "KeyPurpose",
    "PrivateZone",
    "is_confidential_vm_sku",
    "is_gpu_sku",
    "private_zone_name",
    "require_uuids",
    "role_definition_id",
]


class KeyPurpose(StrEnum):
    """What a customer-managed key protects. One key (and one identity) per purpose limits the blast radius:
    revoking the registry key does not take the cluster's disks down with it."""

    DISKS = "disks"
    ETCD = "etcd"
    STORAGE = "storage"
    REGISTRY = "registry"
    LOGS = "logs"


ROLE = {
    # Key Vault data-plane roles (RBAC authorization mode).
    "key_vault_crypto_service_encryption_user": "e147488a-f6f5-4113-8e2d-b22465e65bf6",
    "key_vault_crypto_user": "12338af0-0e69-4776-bea7-57ae8d297424",
    # Management-plane role AKS needs on a *private* key vault for KMS (it manages the private link itself).
    "key_vault_contributor": "f25e0fa2-a7c8-4377-a976-54943a77a395",
    "network_contributor": "4d97b98b-1d4f-4787-a291-c67834d212e7",
    "private_dns_zone_contributor": "b12aa53e-6015-4669-85d0-8515ebb3ae7f",
    "acr_pull": "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    "reader": "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    # Break-glass eligibility (components/azure/break_glass.py; MicrosoftDocs/azure-docs built-in-roles.md).
    "aks_rbac_cluster_admin": "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
    "key_vault_crypto_officer": "14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
    # Customer Lockbox approvals for the subscription (README "Operator access"; not assigned by the stack).
    "customer_lockbox_approver_for_subscription": "4dae6930-7baf-46f5-909e-0383bc931c46",
}
"""Built-in Azure role definition GUIDs (identical in every tenant)."""

BREAK_GLASS_ROLES = ("aks_rbac_cluster_admin", "key_vault_crypto_officer")
"""What a break-glass group is PIM-eligible for, by ``ROLE`` key: the cluster, then key recovery on the vault."""


def role_definition_id(role: str) -> str:
    """The tenant-independent id of a built-in role; ARM accepts it at any scope."""
    return f"/providers/Microsoft.Authorization/roleDefinitions/{ROLE[role]}"


POLICY_SET = {
    # Sovereign Landing Zone initiatives (Azure-Landing-Zones-Library platform/slz/policy_assignments).
    "l1_regions": "bebfcba2-e789-4da6-9043-726ef3a00d02",
    "l2_cmk_key_vault_premium": "f15f4d95-c59c-4395-9317-be6978d0743f",
    "l3_confidential": "7a76da03-ec94-45ea-a4fd-496c350c2a63",
}
"""Built-in policy set (initiative) GUIDs; full id: /providers/Microsoft.Authorization/policySetDefinitions/<id>."""

SLZ_POLICY_DEFINITION_VERSION = "1.*.*-preview"
"""The SLZ assignments pin this definition version; the initiatives are still published as previews."""

SLZ_L3_RESOURCE_TYPES = (
    # The subset of SLZ's Enforce-Sov-L3-Conf `allowedResourceTypes` that a confidential cluster scope uses,
    # plus what AKS itself creates there. SLZ's list leaves out Container Registry and diagnostic settings,
    # which the network-isolated bootstrap cache and the cluster's audit logs need, so they are added.
    "Microsoft.Compute/diskEncryptionSets",
    "Microsoft.Compute/disks",
    "Microsoft.Compute/snapshots",
    "Microsoft.Compute/virtualMachineScaleSets",
    "Microsoft.Compute/virtualMachineScaleSets/extensions",
    "Microsoft.Compute/virtualMachineScaleSets/virtualMachines",
    "Microsoft.Compute/virtualMachineScaleSets/virtualMachines/extensions",
    "Microsoft.Compute/virtualMachineScaleSets/virtualMachines/networkInterfaces",
    "Microsoft.Compute/virtualMachineScaleSets/networkInterfaces",
    "Microsoft.ContainerService/managedClusters",
    "Microsoft.ContainerService/managedClusters/agentPools",
    "Microsoft.KeyVault/vaults",
    "Microsoft.KeyVault/vaults/keys",
    "Microsoft.KeyVault/vaults/keys/versions",
    "Microsoft.KeyVault/vaults/privateEndpointConnections",
    "Microsoft.ManagedIdentity/userAssignedIdentities",
    "Microsoft.Network/loadBalancers",
    "Microsoft.Network/networkInterfaces",
    "Microsoft.Network/networkSecurityGroups",
    "Microsoft.Network/privateDnsZones",
    "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
    "Microsoft.Network/privateEndpoints",
    "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
    "Microsoft.Network/routeTables",
    "Microsoft.Network/virtualNetworks",
    "Microsoft.Network/virtualNetworks/subnets",
    "Microsoft.Resources/deployments",
    "Microsoft.ContainerRegistry/registries",
    "Microsoft.ContainerRegistry/registries/cacheRules",
    "Microsoft.ContainerRegistry/registries/privateEndpointConnections",
    "Microsoft.Insights/diagnosticSettings",
)

CONFIDENTIAL_GPU_SKUS = frozenset(
    s.name for s in MACHINE_SIZES.values() if s.cloud == Cloud.AZURE and s.gpus and s.confidential
)
"""Confidential GPU sizes AKS supports (NCCads_H100_v5, AMD SEV-SNP + H100 confidential mode), from the
toolkit's machine catalogue, so the component and the config validation agree."""

ACTIVITY_LOG_CATEGORIES = (
    # Every Activity Log category, as Microsoft's own template exports them to a workspace (MicrosoftDocs/
    # azure-docs articles/azure-resource-manager/bicep/temp/diagnostic-settings-activity-log.bicep). The
    # Administrative category records role assignments, PIM activations of break-glass roles and Customer
    # Lockbox requests and approvals ("Customer Lockbox logs are stored in activity logs",
    # articles/security/fundamentals/customer-lockbox-overview.md, "Auditing logs").
    "Administrative",
    "Security",
    "ServiceHealth",
    "Alert",
    "Recommendation",
    "Policy",
    "Autoscale",
    "ResourceHealth",
)

AKS_DIAGNOSTIC_CATEGORIES = (
    # kube-audit-admin: every mutating call (the full kube-audit adds get/list/watch at many times the volume);
    # guard: Entra ID and Azure RBAC authorization decisions, i.e. who was let in.
    "kube-audit-admin",
    "guard",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "cluster-autoscaler",
    "cloud-controller-manager",
)


def _size(vm_size: str) -> MachineSize:
    return require_machine_size(Cloud.AZURE, vm_size)


def is_gpu_sku(vm_size: str) -> bool:
    """From the machine catalogue, the one source of 'is GPU' (a size not listed there is refused)."""
    return _size(vm_size).gpus > 0


def is_confidential_vm_sku(vm_size: str) -> bool:
    """From the machine catalogue, the one source of 'is confidential'."""
    return _size(vm_size).confidential


class PrivateZone(StrEnum):
    """Private DNS zones the platform's private endpoints register in (privatelink names, Azure public cloud)."""

    KEY_VAULT = "key_vault"
    BLOB = "blob"
    REGISTRY = "registry"
    AKS = "aks"
    MONITOR = "monitor"
    OMS = "oms"
    ODS = "ods"
    AGENT_SERVICE = "agent_service"


_ZONE_NAMES = {
    PrivateZone.KEY_VAULT: "privatelink.vaultcore.azure.net",
    PrivateZone.BLOB: "privatelink.blob.core.windows.net",
    # Holds the registry's login server and its regional data endpoints (<name>.<region>.data.azurecr.io).
    PrivateZone.REGISTRY: "privatelink.azurecr.io",
    PrivateZone.AKS: "privatelink.{region}.azmk8s.io",
    PrivateZone.MONITOR: "privatelink.monitor.azure.com",
    PrivateZone.OMS: "privatelink.oms.opinsights.azure.com",
    PrivateZone.ODS: "privatelink.ods.opinsights.azure.com",
    PrivateZone.AGENT_SERVICE: "privatelink.agentsvc.azure-automation.net",
}

AMPLS_ZONES = (
    PrivateZone.MONITOR,
    PrivateZone.OMS,
    PrivateZone.ODS,
    PrivateZone.AGENT_SERVICE,
    PrivateZone.BLOB,
)
"""An Azure Monitor Private Link Scope endpoint registers records in all five of these."""


def private_zone_name(zone: PrivateZone, region: str) -> str:
    return _ZONE_NAMES[zone].format(region=region)


def require_uuids(field: str, values: Iterable[str]) -> None:
    """Entra object ids must be GUIDs; a display name or e-mail here would silently grant nothing."""
    for value in values:
        try:
            uuid.UUID(value)
        except ValueError:
            raise ValueError(
                f"{field}: {value!r} is not an Entra object id (got a non-UUID string; allowed: the group's "
                "object id, a UUID such as 00000000-0000-0000-0000-000000000000) - copy the 'Object ID' of "
                "the group from Entra ID, not its name"
            ) from None
