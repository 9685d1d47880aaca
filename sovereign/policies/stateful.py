"""Which resource types hold state, and why: the one table the ``stateful-protected`` policy and the tests read.

A type is stateful when deleting or replacing it loses data or keys. In a prod stack every resource of these
types must be ``protect``ed, and those in :data:`RETAINED_TYPES` also ``retain_on_delete``, so that a destroy
leaves them in the cloud. ``tests/reliability/test_nothing_lost.py`` classifies every other type a shipped
stack declares as stateless with a reason, so a new stateful type cannot slip past this table. Pure data.
"""

from __future__ import annotations

__all__ = ["RETAINED_TYPES", "STATEFUL_TYPES"]

STATEFUL_TYPES: dict[str, str] = {
    # Azure
    "azure-native:resources:ResourceGroup": "deleting a resource group deletes everything in it",
    "azure-native:keyvault:Vault": "holds the customer-managed keys",
    "azure-native:keyvault:Key": "wraps the data keys of disks, blobs, logs and etcd",
    "azure-native:compute:DiskEncryptionSet": "disks encrypted through it are unreadable without it",
    "azure-native:storage:StorageAccount": "model weights, datasets, backups, audit logs",
    "azure-native:storage:BlobContainer": "the blobs themselves, with their immutability policy",
    "azure-native:containerregistry:Registry": "the country's mirrored images and model weights",
    "azure-native:operationalinsights:Workspace": "the audit logs",
    "azure-native:operationalinsights:Cluster": "the dedicated cluster that stores the logs under the customer key",
    "azure-native:containerservice:ManagedCluster": "etcd, and the volumes in its node resource group",
    # OCI
    "oci:Identity/compartment:Compartment": "holds every resource of the country",
    "oci:Kms/vault:Vault": "holds the customer-managed keys",
    "oci:Kms/key:Key": "encrypts etcd secrets, boot and block volumes, buckets",
    "oci:ObjectStorage/bucket:Bucket": "model weights, datasets, backups, audit logs",
    "oci:Artifacts/containerRepository:ContainerRepository": "the country's mirrored images and model weights",
    "oci:Logging/logGroup:LogGroup": "the audit and flow logs",
    "oci:Logging/log:Log": "the audit and flow logs",
    "oci:ContainerEngine/cluster:Cluster": "etcd: every Kubernetes object and secret of the cluster",
    # Kubernetes
    "kubernetes:core/v1:Namespace": "deleting a namespace deletes the claims in it",
    "kubernetes:core/v1:PersistentVolumeClaim": "the chat front end's data (volumes are deleted with claims)",
}
"""Resource type -> what is lost when it goes."""

RETAINED_TYPES = frozenset(
    {
        "azure-native:resources:ResourceGroup",
        "azure-native:keyvault:Vault",
        "azure-native:keyvault:Key",
        "oci:Kms/vault:Vault",
        "oci:Kms/key:Key",
    }
)
"""Stateful types also kept in the cloud when removed from the stack (keys, their vaults, resource groups)."""
