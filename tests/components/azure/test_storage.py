"""EncryptedStorage: customer key, private access, in-country redundancy, WORM for audit logs, and the checks."""

from typing import Any

import pytest

from sovereign.engine.recorder import Recording, run_program
from sovereign.types import Redundancy, StorePurpose

ACCOUNT = "azure-native:storage:StorageAccount"
IDENTITY = "/identities/storage"


def store_args(**overrides: Any) -> Any:
    from components.azure import EncryptedStorageArgs

    values: dict[str, Any] = {
        "resource_group_name": "de-rg",
        "location": "germanywestcentral",
        "purpose": StorePurpose.MODEL_WEIGHTS,
        "key_vault_uri": "https://kv.vault.azure.net/",
        "key_name": "storage-cmk",
        "key_identity_id": IDENTITY,
        "private_endpoint_subnet_id": "/subnets/endpoints",
        "blob_private_dns_zone_id": "/zones/blob",
    }
    values.update(overrides)
    return EncryptedStorageArgs(**values)


def record(args: Any) -> Recording:
    def program() -> None:
        from components.azure import EncryptedStorage

        EncryptedStorage("de-weights", args)

    return run_program(program)


@pytest.fixture(scope="module")
def weights() -> Recording:
    return record(store_args())


def test_account_is_encrypted_with_the_customer_key_and_infrastructure_encryption(weights: Recording) -> None:
    account = weights.one(ACCOUNT)
    encryption = account.inputs["encryption"]
    assert encryption["keySource"] == "Microsoft.Keyvault", account.urn
    # No keyVersion: Key Vault rotation is followed automatically.
    assert encryption["keyVaultProperties"] == {
        "keyVaultUri": "https://kv.vault.azure.net/",
        "keyName": "storage-cmk",
    }, account.urn
    assert encryption["encryptionIdentity"] == {"encryptionUserAssignedIdentity": IDENTITY}, account.urn
    assert encryption["requireInfrastructureEncryption"] is True, account.urn
    assert {service["keyType"] for service in encryption["services"].values()} == {"Account"}, account.urn
    assert account.inputs["identity"] == {"type": "UserAssigned", "userAssignedIdentities": [IDENTITY]}


def test_account_accepts_only_private_tls12_entra_traffic(weights: Recording) -> None:
    account = weights.one(ACCOUNT)
    expected = {
        "enableHttpsTrafficOnly": True,
        "minimumTlsVersion": "TLS1_2",
        "allowSharedKeyAccess": False,
        "defaultToOAuthAuthentication": True,
        "allowBlobPublicAccess": False,
        "allowCrossTenantReplication": False,
        "allowedCopyScope": "PrivateLink",
        "isLocalUserEnabled": False,
        "isSftpEnabled": False,
        "publicNetworkAccess": "Disabled",
        "networkRuleSet": {"defaultAction": "Deny", "bypass": "None"},
    }
    actual = {key: account.inputs.get(key) for key in expected}
    assert actual == expected, account.urn
    endpoint = weights.one("azure-native:network:PrivateEndpoint")
    assert endpoint.get("privateLinkServiceConnections.0.groupIds") == ["blob"], endpoint.urn
    zone_group = weights.one("azure-native:network:PrivateDnsZoneGroup")
    assert zone_group.get("privateDnsZoneConfigs.0.privateDnsZoneId") == "/zones/blob", zone_group.urn


def test_zone_redundant_by_default_with_versioning_and_soft_delete(weights: Recording) -> None:
    account = weights.one(ACCOUNT)
    assert account.inputs["sku"] == {"name": "Standard_ZRS"}, account.urn
    assert "immutableStorageWithVersioning" not in account.inputs, account.urn
    blob = weights.one("azure-native:storage:BlobServiceProperties")
    assert blob.inputs["isVersioningEnabled"] is True, blob.urn
    assert blob.inputs["deleteRetentionPolicy"] == {"enabled": True, "days": 30}, blob.urn
    assert blob.inputs["containerDeleteRetentionPolicy"] == {"enabled": True, "days": 30}, blob.urn
    assert blob.inputs["changeFeed"] == {"enabled": True}, blob.urn
    container = weights.one("azure-native:storage:BlobContainer")
    assert (container.inputs["containerName"], container.inputs["publicAccess"]) == ("model-weights", "None")


def test_audit_log_store_is_write_once_for_the_retention() -> None:
    recording = record(store_args(purpose=StorePurpose.AUDIT_LOGS, audit_retention_days=2555))
    account = recording.one(ACCOUNT)
    assert account.inputs["immutableStorageWithVersioning"] == {
        "enabled": True,
        "immutabilityPolicy": {
            "immutabilityPeriodSinceCreationInDays": 2555,
            "state": "Unlocked",
            "allowProtectedAppendWrites": True,
        },
    }, account.urn
    locked = record(store_args(purpose=StorePurpose.AUDIT_LOGS, lock_immutability_policy=True)).one(ACCOUNT)
    assert locked.get("immutableStorageWithVersioning.immutabilityPolicy.state") == "Locked", locked.urn


@pytest.mark.parametrize(
    ("redundancy", "sku"),
    [
        (Redundancy.LOCAL, "Standard_LRS"),
        (Redundancy.ZONE, "Standard_ZRS"),
        (Redundancy.GEO, "Standard_GRS"),
        (Redundancy.GEO_ZONE, "Standard_GZRS"),
    ],
)
def test_redundancy_maps_to_the_replication_sku(redundancy: Redundancy, sku: str) -> None:
    pair = {"geo_paired_region": "germanynorth"} if redundancy.is_geo else {}
    args = store_args(redundancy=redundancy, allowed_regions=["germanywestcentral", "germanynorth"], **pair)
    account = record(args).one(ACCOUNT)
    assert account.inputs["sku"] == {"name": sku}, account.urn


def test_stateful_parts_are_protected_only_in_prod(weights: Recording) -> None:
    assert weights.one(ACCOUNT).protect
    assert weights.one("azure-native:storage:BlobContainer").protect
    assert not record(store_args(protect_stateful=False)).one(ACCOUNT).protect


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        # Brazil South's pair is South Central US: a cross-border copy the country did not allow.
        (
            {
                "location": "brazilsouth",
                "redundancy": Redundancy.GEO,
                "geo_paired_region": "southcentralus",
                "allowed_regions": ["brazilsouth"],
            },
            "not an allowed region",
        ),
        (
            {"redundancy": Redundancy.GEO_ZONE, "allowed_regions": ["germanywestcentral"]},
            "not an allowed region",
        ),
        ({"geo_paired_region": "germanynorth"}, "only geo kinds have a paired region"),
        ({"soft_delete_days": 0}, "1 to 365"),
        ({"lock_immutability_policy": True}, "audit_logs stores only"),
    ],
)
def test_rejects_stores_that_would_leave_the_country_or_are_invalid(
    overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        store_args(**overrides)


def test_no_args_value_can_make_a_store_public() -> None:
    import dataclasses

    from components.azure import EncryptedStorageArgs

    fields = {f.name for f in dataclasses.fields(EncryptedStorageArgs)}
    for word in ("public", "shared_key", "tls", "https", "network", "anonymous"):
        assert not any(word in name for name in fields), (
            f"EncryptedStorageArgs exposes a '{word}' knob: {fields}"
        )
    for purpose in StorePurpose:
        account = record(store_args(purpose=purpose)).one(ACCOUNT)
        where = f"{account.urn} ({purpose})"
        assert account.inputs["publicNetworkAccess"] == "Disabled", where
        assert account.inputs["allowBlobPublicAccess"] is False, where
        assert account.inputs["allowSharedKeyAccess"] is False, where
        assert account.get("encryption.keySource") == "Microsoft.Keyvault", where
