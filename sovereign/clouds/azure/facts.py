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
