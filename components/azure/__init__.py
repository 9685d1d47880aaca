"""Azure components of a country's sovereign AI platform (azure-native v3).

Composition order used by the stack (each takes the previous ones' outputs as Args):
``SovereignNetwork`` -> ``KeyCustody`` -> ``AuditLogging`` -> ``SovereignRegistry`` / ``EncryptedStorage``
-> ``SovereignCluster`` -> ``SovereignPolicies``. Components take typed Args, never the country file, and
never build providers: the stack passes ``providers=`` in the options and children inherit it.
"""

from components.azure.audit_logging import AuditLogging, AuditLoggingArgs, LogsCustomerKey
from components.azure.catalogue import KeyPurpose, PrivateZone
from components.azure.cluster import SovereignCluster, SovereignClusterArgs
from components.azure.custody_key import CustodyKey, CustodyKeyArgs, KeyLifetime
from components.azure.disk_encryption import DiskEncryption, DiskEncryptionArgs
from components.azure.key_custody import KeyCustody, KeyCustodyArgs
from components.azure.network import SovereignNetwork, SovereignNetworkArgs
from components.azure.node_pool import AksNodePool, AksNodePoolArgs, NodePoolSpec
from components.azure.policy import SovereignPolicies, SovereignPoliciesArgs
from components.azure.private_dns import PrivateDnsZones, PrivateDnsZonesArgs
from components.azure.private_endpoint import PrivateEndpoint, PrivateEndpointArgs
from components.azure.registry import SovereignRegistry, SovereignRegistryArgs
from components.azure.storage import EncryptedStorage, EncryptedStorageArgs

__all__ = [
    "AksNodePool",
    "AksNodePoolArgs",
    "AuditLogging",
    "AuditLoggingArgs",
    "CustodyKey",
    "CustodyKeyArgs",
    "DiskEncryption",
    "DiskEncryptionArgs",
    "EncryptedStorage",
    "EncryptedStorageArgs",
    "KeyCustody",
    "KeyCustodyArgs",
    "KeyLifetime",
    "KeyPurpose",
    "LogsCustomerKey",
    "NodePoolSpec",
    "PrivateDnsZones",
    "PrivateDnsZonesArgs",
    "PrivateEndpoint",
    "PrivateEndpointArgs",
    "PrivateZone",
    "SovereignCluster",
    "SovereignClusterArgs",
    "SovereignNetwork",
    "SovereignNetworkArgs",
    "SovereignPolicies",
    "SovereignPoliciesArgs",
    "SovereignRegistry",
    "SovereignRegistryArgs",
]
