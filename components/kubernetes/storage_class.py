"""A StorageClass whose volumes are encrypted with the country's own key (optional: the stack may name an
existing class instead).

Azure Disk CSI (AKS): ``diskEncryptionSetID`` points every disk at a disk encryption set holding the
customer-managed key, and ``networkAccessPolicy: DenyAll`` forbids SAS export links to the disks. OCI Block
Volume CSI (OKE): ``kms-key-id`` names the Vault master key and ``attachment-type`` is ``paravirtualized`` (the
in-transit encryption path) where the volumes' nodes are VMs, ``iscsi`` where they are bare metal, which
attaches only over iSCSI (terraform-oci-oke modules/workers/locals.tf). The key parameter cannot be omitted
or overridden. Non-goals: creating the key or the disk encryption set (``components/azure``,
``components/oci``); file shares (ReadWriteMany).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.hardening import name_of, require_dns_label

__all__ = ["EncryptedStorageClass", "EncryptedStorageClassArgs", "StorageProvisioner"]


class StorageProvisioner(StrEnum):
    AZURE_DISK = "disk.csi.azure.com"
    OCI_BLOCK_VOLUME = "blockvolume.csi.oraclecloud.com"


_KEY_PARAMETER = {
    StorageProvisioner.AZURE_DISK: "diskEncryptionSetID",
    StorageProvisioner.OCI_BLOCK_VOLUME: "kms-key-id",
}
_KEY_SHAPE = {
    StorageProvisioner.AZURE_DISK: (
        "/providers/microsoft.compute/diskencryptionsets/",
        "a disk encryption set id",
    ),
    StorageProvisioner.OCI_BLOCK_VOLUME: ("ocid1.key.", "a Vault key OCID ('ocid1.key....')"),
}


@dataclass(frozen=True)
class EncryptedStorageClassArgs:
    storage_class_name: str
    """Name of the StorageClass that PVCs of the assistant and the tenants will use."""
    provisioner: StorageProvisioner
    """CSI driver of the cloud: Azure Disk on AKS, OCI Block Volume on OKE."""
    encryption_key_id: pulumi.Input[str]
    """Azure: resource id of the disk encryption set; OCI: OCID of the Vault master encryption key."""
    azure_sku_name: str = "Premium_ZRS"
    """Azure disk SKU; omitted: Premium_ZRS (zone-redundant, never leaves the region). Ignored on OCI."""
    reclaim_policy: Literal["Delete", "Retain"] = "Delete"
    """What happens to a volume when its claim goes; omitted: Delete (per-pod model caches would otherwise
    pile up). Data that must outlive its claim is protected at the claim (``protect_stateful``)."""
    oci_attachment_type: Literal["paravirtualized", "iscsi"] = "paravirtualized"
    """OCI: how volumes attach; 'iscsi' when the pods that claim them run on bare-metal nodes. Ignored on Azure."""
    extra_parameters: Mapping[str, str] = field(default_factory=dict)
    """More CSI parameters; omitted: none. May not touch the encryption parameters."""

    def __post_init__(self) -> None:
        require_dns_label(self.storage_class_name, "storage_class_name")
        owned = {
            _KEY_PARAMETER[StorageProvisioner(self.provisioner)],
            "networkAccessPolicy",
            "attachment-type",
        }
        clash = sorted(owned & set(self.extra_parameters))
        if clash:
            raise ValueError(
                f"extra_parameters may not set {clash}: the component owns the encryption settings"
            )
        if isinstance(self.encryption_key_id, str):
            _check_key_id(StorageProvisioner(self.provisioner), self.encryption_key_id)


def _check_key_id(provisioner: StorageProvisioner, key_id: str) -> str:
    marker, shape = _KEY_SHAPE[provisioner]
    if marker not in key_id.lower():
        raise ValueError(
            f"encryption_key_id for {provisioner.value} must be {shape} (got {key_id!r}): pass the id of the "
            "customer-managed key created by the key custody component"
        )
    return key_id


class EncryptedStorageClass(pulumi.ComponentResource):
    storage_class_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: EncryptedStorageClassArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("sovereign:kubernetes:EncryptedStorageClass", name, None, opts)
        provisioner = StorageProvisioner(args.provisioner)
        # Outputs are checked once resolved; a wrong key would otherwise surface only as a failed volume.
        key_id = pulumi.Output.from_input(args.encryption_key_id).apply(
            lambda k: _check_key_id(provisioner, k)
        )
        if provisioner is StorageProvisioner.AZURE_DISK:
            parameters: dict[str, pulumi.Input[str]] = {
                "skuName": args.azure_sku_name,
                "diskEncryptionSetID": key_id,
                "networkAccessPolicy": "DenyAll",
            }
        else:
            parameters = {"kms-key-id": key_id, "attachment-type": args.oci_attachment_type}
        storage_class = k8s.storage.v1.StorageClass(
            f"{name}-storage-class",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=args.storage_class_name),
            provisioner=provisioner.value,
            parameters={**args.extra_parameters, **parameters},
            reclaim_policy=args.reclaim_policy,
            # Bind where the pod lands, so a zonal disk is created in the zone of its GPU node.
            volume_binding_mode="WaitForFirstConsumer",
            allow_volume_expansion=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.storage_class_name = name_of(storage_class, args.storage_class_name)
        self.register_outputs({"storage_class_name": self.storage_class_name})
