"""EncryptedStorage on real siblings (network, key custody): customer key, private access, in-country redundancy,
versioning as specified, WORM for audit logs, and the checks of StoreSpec and EncryptedStorageArgs."""

from collections.abc import Mapping
from typing import Any

import pytest

from sovereign.engine.recorder import Recording
from sovereign.types import Redundancy, StorePurpose
from tests.components.azure.conftest import (
    PAIR,
    REGION,
    VAULT_URI,
    arm_id,
    at,
    network_args,
    subnet_id,
    with_siblings,
    zone_id,
)

ACCOUNT = "azure-native:storage:StorageAccount"
BLOB = "azure-native:storage:BlobServiceProperties"
IDENTITY = arm_id("Microsoft.ManagedIdentity/userAssignedIdentities", "de-keys-storage-identity")


def spec(**overrides: Any) -> Any:
    from components.azure import StoreSpec

    values: dict[str, Any] = {"purpose": StorePurpose.MODEL_WEIGHTS}
    values.update(overrides)
    return StoreSpec(**values)


def record(
    stores: Mapping[str, Any],
    *,
    network: Any = None,
    allowed_regions: tuple[str, ...] = (REGION, PAIR),
    **args: Any,
) -> Recording:
    """One EncryptedStorage per entry, named 'de-<key>', on the same network and key custody."""

    def build(net: Any, keys: Any) -> None:
        from components.azure import EncryptedStorage, EncryptedStorageArgs

        for name, store in stores.items():
            EncryptedStorage(
                f"de-{name}",
                EncryptedStorageArgs(
                    network=net, keys=keys, spec=store, allowed_regions=allowed_regions, **args
                ),
            )

    return with_siblings(build, network=network)


@pytest.fixture(scope="module")
def weights() -> Recording:
    return record({"weights": spec()})


def test_account_is_encrypted_with_the_customer_key_and_infrastructure_encryption(weights: Recording) -> None:
    account = weights.one(ACCOUNT)
    encryption = account.inputs["encryption"]
    assert encryption["keySource"] == "Microsoft.Keyvault", at(account)
    # No keyVersion: Key Vault rotation is followed automatically.
    assert encryption["keyVaultProperties"] == {
        "keyVaultUri": f"{VAULT_URI}",
        "keyName": "storage-cmk",
    }, at(account)
    assert encryption["encryptionIdentity"] == {"encryptionUserAssignedIdentity": IDENTITY}, at(account)
    assert encryption["requireInfrastructureEncryption"] is True, at(account)
    assert {service["keyType"] for service in encryption["services"].values()} == {"Account"}, at(account)
    assert account.inputs["identity"] == {"type": "UserAssigned", "userAssignedIdentities": [IDENTITY]}, at(
        account
    )


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
    assert actual == expected, at(account)
    endpoint = weights.one("azure-native:network:PrivateEndpoint", "de-weights-pe-endpoint")
    assert endpoint.get("privateLinkServiceConnections.0.groupIds") == ["blob"], at(endpoint)
    assert endpoint.get("subnet") == {"id": subnet_id("de-net-endpoints")}, at(endpoint)
    zone_group = weights.one("azure-native:network:PrivateDnsZoneGroup", "de-weights-pe-dns")
    assert zone_group.get("privateDnsZoneConfigs.0.privateDnsZoneId") == zone_id("blob"), at(zone_group)


def test_account_lives_in_the_network_region_and_resource_group(weights: Recording) -> None:
    account = weights.one(ACCOUNT)
    assert (account.inputs["location"], account.inputs["resourceGroupName"]) == (REGION, "de-net-rg"), at(
        account
    )


def test_zone_redundant_by_default_with_versioning_and_soft_delete(weights: Recording) -> None:
    account = weights.one(ACCOUNT)
    assert account.inputs["sku"] == {"name": "Standard_ZRS"}, at(account)
    assert "immutableStorageWithVersioning" not in account.inputs, at(account)
    blob = weights.one(BLOB)
    assert blob.inputs["isVersioningEnabled"] is True, at(blob)
    assert blob.inputs["deleteRetentionPolicy"] == {"enabled": True, "days": 30}, at(blob)
    assert blob.inputs["containerDeleteRetentionPolicy"] == {"enabled": True, "days": 30}, at(blob)
    assert blob.inputs["changeFeed"] == {"enabled": True}, at(blob)
    container = weights.one("azure-native:storage:BlobContainer")
    assert (container.inputs["containerName"], container.inputs["publicAccess"]) == (
        "model-weights",
        "None",
    ), at(container)


def test_blob_versioning_follows_the_store_spec() -> None:
    recording = record({"on": spec(), "off": spec(purpose=StorePurpose.DATASETS, versioning=False)})
    assert recording.one(BLOB, "de-on-blob").inputs["isVersioningEnabled"] is True, at(
        recording.one(BLOB, "de-on-blob")
    )
    off = recording.one(BLOB, "de-off-blob")
    assert off.inputs["isVersioningEnabled"] is False, at(off)


def test_audit_log_store_is_write_once_for_the_retention() -> None:
    recording = record(
        {
            "audit": spec(purpose=StorePurpose.AUDIT_LOGS, audit_retention_days=2555),
            "locked": spec(purpose=StorePurpose.AUDIT_LOGS, lock_immutability_policy=True),
        }
    )
    account = recording.one(ACCOUNT, "de-audit-account")
    assert account.inputs["immutableStorageWithVersioning"] == {
        "enabled": True,
        "immutabilityPolicy": {
            "immutabilityPeriodSinceCreationInDays": 2555,
            "state": "Unlocked",
            "allowProtectedAppendWrites": True,
        },
    }, at(account)
    assert recording.one(BLOB, "de-audit-blob").inputs["isVersioningEnabled"] is True, at(account)
    locked = recording.one(ACCOUNT, "de-locked-account")
    assert locked.get("immutableStorageWithVersioning.immutabilityPolicy.state") == "Locked", at(locked)


SKUS = {
    Redundancy.LOCAL: "Standard_LRS",
    Redundancy.ZONE: "Standard_ZRS",
    Redundancy.GEO: "Standard_GRS",
    Redundancy.GEO_ZONE: "Standard_GZRS",
}


def test_redundancy_maps_to_the_replication_sku() -> None:
    stores = {
        kind.value.replace("_", "-"): spec(redundancy=kind, geo_paired_region=PAIR if kind.is_geo else None)
        for kind in SKUS
    }
    recording = record(stores)
    for kind, sku in SKUS.items():
        account = recording.one(ACCOUNT, f"de-{kind.value.replace('_', '-')}-account")
        assert account.inputs["sku"] == {"name": sku}, at(account)


def test_stateful_parts_are_protected_only_in_prod(weights: Recording) -> None:
    assert weights.one(ACCOUNT).protect, at(weights.one(ACCOUNT))
    assert weights.one("azure-native:storage:BlobContainer").protect, at(weights.one(ACCOUNT))
    account = record({"weights": spec()}, protect_stateful=False).one(ACCOUNT)
    assert not account.protect, at(account)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"geo_paired_region": PAIR}, "only geo kinds have a paired region"),
        ({"soft_delete_days": 0}, "1 to 365"),
        ({"lock_immutability_policy": True}, "audit_logs stores only"),
        ({"purpose": StorePurpose.AUDIT_LOGS, "versioning": False}, "version-level immutability"),
    ],
)
def test_rejects_invalid_store_specs(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        spec(**overrides)


@pytest.mark.parametrize(
    ("location", "store", "allowed"),
    [
        # Brazil South's pair is South Central US: a cross-border copy the country did not allow.
        (
            "brazilsouth",
            {"redundancy": Redundancy.GEO, "geo_paired_region": "southcentralus"},
            ("brazilsouth",),
        ),
        (REGION, {"redundancy": Redundancy.GEO_ZONE}, (REGION,)),
        (REGION, {"redundancy": Redundancy.GEO, "geo_paired_region": REGION}, (REGION, PAIR)),
    ],
)
def test_rejects_stores_that_would_leave_the_country(
    location: str, store: dict[str, Any], allowed: tuple[str, ...]
) -> None:
    with pytest.raises(ValueError, match="not another allowed region"):
        record({"geo": spec(**store)}, network=network_args(location=location), allowed_regions=allowed)


def test_no_args_value_can_make_a_store_public() -> None:
    import dataclasses

    from components.azure import EncryptedStorageArgs, StoreSpec

    siblings = {"network", "keys"}  # the platform's network and keys, objects rather than settings
    fields = {f.name for f in dataclasses.fields(EncryptedStorageArgs)} - siblings
    fields |= {f.name for f in dataclasses.fields(StoreSpec)}
    for word in ("public", "shared_key", "tls", "https", "network", "anonymous"):
        assert not any(word in name for name in fields), f"the store exposes a '{word}' knob: {fields}"
    recording = record({purpose.value.replace("_", "-"): spec(purpose=purpose) for purpose in StorePurpose})
    for account in recording.of_type(ACCOUNT):
        assert account.inputs["publicNetworkAccess"] == "Disabled", at(account)
        assert account.inputs["allowBlobPublicAccess"] is False, at(account)
        assert account.inputs["allowSharedKeyAccess"] is False, at(account)
        assert account.get("encryption.keySource") == "Microsoft.Keyvault", at(account)
    assert len(recording.of_type(ACCOUNT)) == len(StorePurpose)
