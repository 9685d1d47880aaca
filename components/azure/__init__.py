"""Azure components of a country's sovereign AI platform (azure-native v3).

``AzurePlatform`` (L3) composes the L2 components in dependency order and hands each its siblings as objects:
``SovereignNetwork`` -> ``KeyCustody`` -> ``AuditLogging`` / ``SovereignRegistry`` / ``EncryptedStorage`` ->
``SovereignCluster`` -> ``BreakGlassAccess`` / ``SovereignPolicies``. Components take typed Args, never the
country file, and never build providers: the stack passes ``providers=`` in the options and children inherit it.
"""

from components.azure.audit_logging import AuditLogging, AuditLoggingArgs
from components.azure.break_glass import BreakGlassAccess, BreakGlassAccessArgs
from components.azure.catalogue import KeyPurpose, PrivateZone
from components.azure.cluster import ClusterSpec, SovereignCluster, SovereignClusterArgs
from components.azure.custody_key import CustodyKey, CustodyKeyArgs, KeyLifetime
from components.azure.disk_encryption import DiskEncryption, DiskEncryptionArgs
from components.azure.egress_allow_list import AllowedDestination, EgressAllowList, EgressAllowListArgs
from components.azure.key_custody import KeyCustody, KeyCustodyArgs
from components.azure.network import SovereignNetwork, SovereignNetworkArgs
from components.azure.node_pool import AksNodePool, AksNodePoolArgs, NodePoolSpec
from components.azure.platform import AzurePlatform, AzurePlatformArgs, NamedStore
from components.azure.policy import SovereignPolicies, SovereignPoliciesArgs
from components.azure.private_dns import PrivateDnsZones, PrivateDnsZonesArgs
from components.azure.private_endpoint import PrivateEndpoint, PrivateEndpointArgs
from components.azure.registry import RegistryReplica, SovereignRegistry, SovereignRegistryArgs
from components.azure.storage import EncryptedStorage, EncryptedStorageArgs, StoreSpec

__all__ = [
    "AksNodePool",
    "AksNodePoolArgs",
    "AllowedDestination",
    "AuditLogging",
    "AuditLoggingArgs",
    "AzurePlatform",
    "AzurePlatformArgs",
    "BreakGlassAccess",
    "BreakGlassAccessArgs",
    "ClusterSpec",
    "CustodyKey",
    "CustodyKeyArgs",
    "DiskEncryption",
    "DiskEncryptionArgs",
    "EgressAllowList",
    "EgressAllowListArgs",
    "EncryptedStorage",
    "EncryptedStorageArgs",
    "KeyCustody",
    "KeyCustodyArgs",
    "KeyLifetime",
    "KeyPurpose",
    "NamedStore",
    "NodePoolSpec",
    "PrivateDnsZones",
    "PrivateDnsZonesArgs",
    "PrivateEndpoint",
    "PrivateEndpointArgs",
    "PrivateZone",
    "RegistryReplica",
    "SovereignCluster",
    "SovereignClusterArgs",
    "SovereignNetwork",
    "SovereignNetworkArgs",
    "SovereignPolicies",
    "SovereignPoliciesArgs",
    "SovereignRegistry",
    "SovereignRegistryArgs",
    "StoreSpec",
]
