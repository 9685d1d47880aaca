"""OCI components of a sovereign AI platform: ``OciPlatform`` (L3) composes network, keys, cluster, storage,
registry, region fences and logs.

Each module holds one component, its Args and ``__all__``; pure helpers (regions, statements, subnet plan,
NSG rules, node images) create no resources. ``pulumi_oci`` loads its submodules lazily, so importing this
package costs nothing until a component is built.
"""

from components.oci.audit_logging import AuditLogging, AuditLoggingArgs
from components.oci.cluster import SovereignCluster, SovereignClusterArgs
from components.oci.key_access import KeyAccessPolicies, KeyAccessPoliciesArgs
from components.oci.key_custody import KeyCustody, KeyCustodyArgs
from components.oci.network import SovereignNetwork, SovereignNetworkArgs
from components.oci.network_security import OkeNetworkSecurity, OkeNetworkSecurityArgs
from components.oci.node_bootstrap import NodeBootstrap, NodeBootstrapArgs
from components.oci.node_pool import NodePoolSpec, OkeNodePool, OkeNodePoolArgs
from components.oci.platform import NodeBootstrapSpec, OciPlatform, OciPlatformArgs
from components.oci.region_fences import RegionFences, RegionFencesArgs
from components.oci.registry import ContainerRegistry, ContainerRegistryArgs
from components.oci.storage import BucketSpec, EncryptedStorage, EncryptedStorageArgs

__all__ = [
    "AuditLogging",
    "AuditLoggingArgs",
    "BucketSpec",
    "ContainerRegistry",
    "ContainerRegistryArgs",
    "EncryptedStorage",
    "EncryptedStorageArgs",
    "KeyAccessPolicies",
    "KeyAccessPoliciesArgs",
    "KeyCustody",
    "KeyCustodyArgs",
    "NodeBootstrap",
    "NodeBootstrapArgs",
    "NodeBootstrapSpec",
    "NodePoolSpec",
    "OciPlatform",
    "OciPlatformArgs",
    "OkeNetworkSecurity",
    "OkeNetworkSecurityArgs",
    "OkeNodePool",
    "OkeNodePoolArgs",
    "RegionFences",
    "RegionFencesArgs",
    "SovereignCluster",
    "SovereignClusterArgs",
    "SovereignNetwork",
    "SovereignNetworkArgs",
]
