"""EncryptedStorageClass: the customer-managed key is always set and cannot be overridden."""

import pulumi
import pytest

from components.kubernetes import EncryptedStorageClass, EncryptedStorageClassArgs, StorageProvisioner
from tests.components.kubernetes.helpers import record

STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass"
DES_ID = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/de-prod/providers/"
    "Microsoft.Compute/diskEncryptionSets/de-prod-des"
)
KEY_OCID = "ocid1.key.oc1.eu-paris-1.aaaaexample"


def test_azure_disks_use_the_disk_encryption_set_and_deny_export() -> None:
    recording = record(
        lambda: EncryptedStorageClass(
            "de", EncryptedStorageClassArgs("sovereign-encrypted", StorageProvisioner.AZURE_DISK, DES_ID)
        )
    )
    storage_class = recording.one(STORAGE_CLASS, "de-storage-class")
    assert storage_class.get("provisioner") == "disk.csi.azure.com", storage_class.urn
    assert storage_class.get("parameters") == {
        "skuName": "Premium_ZRS",
        "diskEncryptionSetID": DES_ID,
        "networkAccessPolicy": "DenyAll",
    }, storage_class.urn
    assert storage_class.get("volumeBindingMode") == "WaitForFirstConsumer", storage_class.urn
    assert storage_class.get("reclaimPolicy") == "Delete", storage_class.urn


def test_oci_volumes_use_the_vault_key_paravirtualized() -> None:
    key = pulumi.Output.from_input(KEY_OCID)  # as the key custody component hands it over
    recording = record(
        lambda: EncryptedStorageClass(
            "fr", EncryptedStorageClassArgs("sovereign-encrypted", StorageProvisioner.OCI_BLOCK_VOLUME, key)
        )
    )
    storage_class = recording.one(STORAGE_CLASS, "fr-storage-class")
    assert storage_class.get("provisioner") == "blockvolume.csi.oraclecloud.com", storage_class.urn
    assert storage_class.get("parameters") == {
        "kms-key-id": KEY_OCID,
        "attachment-type": "paravirtualized",
    }, storage_class.urn


def test_rejects_a_key_of_the_wrong_cloud() -> None:
    with pytest.raises(ValueError, match="must be a disk encryption set id"):
        EncryptedStorageClassArgs("sovereign-encrypted", StorageProvisioner.AZURE_DISK, KEY_OCID)


def test_rejects_a_wrong_key_that_arrives_as_an_output() -> None:
    def build() -> None:
        wrong = pulumi.Output.from_input(DES_ID)
        EncryptedStorageClass(
            "fr", EncryptedStorageClassArgs("enc", StorageProvisioner.OCI_BLOCK_VOLUME, wrong)
        )

    with pytest.raises(ValueError, match="must be a Vault key OCID"):
        record(build)


@pytest.mark.parametrize("parameter", ["diskEncryptionSetID", "networkAccessPolicy"])
def test_extra_parameters_cannot_touch_encryption(parameter: str) -> None:
    with pytest.raises(ValueError, match="extra_parameters may not set"):
        EncryptedStorageClassArgs(
            "enc", StorageProvisioner.AZURE_DISK, DES_ID, extra_parameters={parameter: "AllowAll"}
        )
