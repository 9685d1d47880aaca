"""Azure facts the stack, the policies and the validation share: registry host, storage classes, limits.

Pure data and functions of a validated config; no provider SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sovereign.config.limits import MIN_PLATFORM_KEY_JUSTIFICATION_CHARS

if TYPE_CHECKING:
    from sovereign.clouds.azure.settings import AzureCountry, AzureGroup

__all__ = [
    "MAX_SOFT_DELETE_DAYS",
    "MAX_WORKSPACE_RETENTION_DAYS",
    "MIN_API_SERVER_PREFIX",
    "MIN_PLATFORM_KEY_JUSTIFICATION_CHARS",
    "POOL_NAME_PATTERN",
    "STORAGE_PROVISIONER",
    "UNKEYED_STORAGE_CLASSES",
    "USER_POOL_NAME",
    "group_subject",
    "registry_prefix",
]

STORAGE_PROVISIONER = "disk.csi.azure.com"
"""CSI provisioner of the country's encrypted storage class (Azure managed disks)."""
UNKEYED_STORAGE_CLASSES = (
    "default",
    "managed",
    "managed-csi",
    "managed-csi-premium",
    "managed-premium",
    "azurefile",
    "azurefile-csi",
    "azurefile-csi-premium",
    "azurefile-premium",
)
"""AKS built-in storage classes that would store data without the country's key; tenants may not claim them."""
POOL_NAME_PATTERN = r"[a-z][a-z0-9]{0,11}"
USER_POOL_NAME = "apps"
"""The AKS pool name of the CPU user pool (``cluster.user_pool``), where non-system, non-GPU pods run."""
"""AKS Linux node pool names: 1-12 lower-case letters and digits, starting with a letter."""
MIN_API_SERVER_PREFIX = 28
"""API Server VNet Integration needs a /28 or larger subnet."""
MAX_WORKSPACE_RETENTION_DAYS = 730
"""A Log Analytics workspace keeps logs at most 730 days (interactive retention)."""
MAX_SOFT_DELETE_DAYS = 365
"""Blob soft delete keeps deleted data 1 to 365 days."""


def registry_prefix(config: AzureCountry) -> str:
    """``<name>.azurecr.io``, resolved to the registry's private endpoint inside the network."""
    return f"{config.registry.name}.azurecr.io"


def group_subject(group: AzureGroup) -> str:
    """How the cluster's RBAC names a group: the Entra object id (the name is a label)."""
    return group.object_id


LOGS_KEY_GRANTED_CONFIG = "logs-cluster-key-granted"
"""Stack config (project namespace) that moves a dedicated log cluster to its second deployment."""


def logs_second_deployment_note(config: AzureCountry) -> str | None:
    """What a human must do after the first deployment of a dedicated log cluster (the stack logs it as a
    warning, which the offline plan reports as a note); None with Microsoft-managed log keys.

    A Log Analytics dedicated cluster behind a private vault takes its key only after its system-assigned
    identity exists and is granted: "You can't use Customer-managed key with User-assigned managed identity if
    your Key Vault is in Private-Link" and "Cluster update should not include both identity and key identifier
    details in the same operation" (MicrosoftDocs/azure-monitor-docs customer-managed-keys.md).
    """
    if config.azure.logs_platform_key_justification is not None:
        return None
    return (
        "logs: first of two deployments. This `pulumi up` creates the Log Analytics cluster with its identity and "
        "key grant, but links no workspace and sends no AKS audit logs (nothing may be ingested under Microsoft "
        f"keys). Afterwards run `pulumi config set {LOGS_KEY_GRANTED_CONFIG} true -s {config.stack_name}` and "
        "`pulumi up` again: the cluster then takes the country's key, the workspace is linked, the AKS "
        "diagnostic setting is created and (if enabled) Defender starts reporting."
    )
