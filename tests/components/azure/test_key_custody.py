"""KeyCustody and CustodyKey: HSM-backed store, hardened vault, keys with rotation, one scoped grant per key."""

import datetime
from typing import Any

import pytest

from sovereign.engine.recorder import Recording, run_program
from sovereign.types import KeyCustodyTier

VAULT = "azure-native:keyvault:Vault"
KEY = "azure-native:keyvault:Key"
GRANT = "azure-native:authorization:RoleAssignment"
CRYPTO_SERVICE_ENCRYPTION_USER = (
    "/providers/Microsoft.Authorization/roleDefinitions/e147488a-f6f5-4113-8e2d-b22465e65bf6"
)
CRYPTO_USER = "/providers/Microsoft.Authorization/roleDefinitions/12338af0-0e69-4776-bea7-57ae8d297424"
KEY_VAULT_CONTRIBUTOR = (
    "/providers/Microsoft.Authorization/roleDefinitions/f25e0fa2-a7c8-4377-a976-54943a77a395"
)
CUSTODIAN = "0b3f4c1d-2e5a-4f6b-8c7d-9e0f1a2b3c4d"
HSM_KEY = "https://de-hsm.managedhsm.azure.net/keys/storage-cmk/0123456789abcdef0123456789abcdef"


def custody_args(**overrides: Any) -> Any:
    from components.azure import KeyCustodyArgs, KeyLifetime

    values: dict[str, Any] = {
        "resource_group_name": "de-rg",
        "location": "germanywestcentral",
        "private_endpoint_subnet_id": "/subnets/endpoints",
        "private_dns_zone_id": "/zones/vaultcore",
        "lifetime": KeyLifetime(rotate_after_days=90, expiry_days=365, key_size_bits=4096),
    }
    values.update(overrides)
    return KeyCustodyArgs(**values)


def record(args: Any) -> Recording:
    def program() -> None:
        from components.azure import KeyCustody

        KeyCustody("de-keys", args)

    return run_program(program)


@pytest.fixture(scope="module")
def premium() -> Recording:
    return record(custody_args())


def test_vault_is_premium_rbac_purge_protected_and_private(premium: Recording) -> None:
    vault = premium.one(VAULT)
    assert vault.get("properties.sku") == {"family": "A", "name": "premium"}, vault.urn
    assert vault.get("properties.enableRbacAuthorization") is True, vault.urn
    assert vault.get("properties.enablePurgeProtection") is True, vault.urn
    assert vault.get("properties.enableSoftDelete") is True, vault.urn
    assert vault.get("properties.softDeleteRetentionInDays") == 90, vault.urn
    assert vault.get("properties.publicNetworkAccess") == "Disabled", vault.urn
    assert vault.get("properties.networkAcls") == {"defaultAction": "Deny", "bypass": "AzureServices"}, (
        vault.urn
    )
    assert vault.get("properties.tenantId") == "11111111-1111-1111-1111-111111111111", vault.urn
    assert vault.protect, f"{vault.urn}: vault not protected"


def test_vault_has_a_private_endpoint_with_dns(premium: Recording) -> None:
    endpoint = premium.one("azure-native:network:PrivateEndpoint")
    connection = endpoint.get("privateLinkServiceConnections.0")
    assert connection["groupIds"] == ["vault"], endpoint.urn
    assert connection["privateLinkServiceId"].endswith("/vaults/de-keys-vault"), endpoint.urn
    assert endpoint.get("subnet") == {"id": "/subnets/endpoints"}, endpoint.urn
    zone_group = premium.one("azure-native:network:PrivateDnsZoneGroup")
    assert zone_group.get("privateDnsZoneConfigs.0.privateDnsZoneId") == "/zones/vaultcore", zone_group.urn


def test_one_rsa_hsm_key_per_purpose_with_rotation_and_expiry(premium: Recording) -> None:
    keys = {key.inputs["keyName"]: key for key in premium.of_type(KEY)}
    assert sorted(keys) == ["disks-cmk", "etcd-cmk", "logs-cmk", "registry-cmk", "storage-cmk"]
    soon = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=360)
    late = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=366)
    for key in keys.values():
        assert key.get("properties.kty") == "RSA-HSM", key.urn
        assert key.get("properties.keySize") == 4096, key.urn
        assert key.get("properties.attributes.exportable") is False, key.urn
        expires = datetime.datetime.fromtimestamp(key.get("properties.attributes.expires"), datetime.UTC)
        assert soon < expires < late, f"{key.urn}: expires {expires}"
        assert key.get("properties.rotationPolicy") == {
            "attributes": {"expiryTime": "P365D"},
            "lifetimeActions": [
                {"trigger": {"timeAfterCreate": "P90D"}, "action": {"type": "rotate"}},
                {"trigger": {"timeBeforeExpiry": "P30D"}, "action": {"type": "notify"}},
            ],
        }, key.urn
        assert key.protect and key.retain_on_delete, (
            f"{key.urn}: protect={key.protect} retain={key.retain_on_delete}"
        )
    assert keys["etcd-cmk"].get("properties.keyOps") == ["wrapKey", "unwrapKey", "encrypt", "decrypt"]
    assert keys["disks-cmk"].get("properties.keyOps") == ["wrapKey", "unwrapKey"]


def test_each_identity_is_granted_its_own_key_only(premium: Recording) -> None:
    grants = {grant.name: grant for grant in premium.of_type(GRANT)}
    for purpose in ("disks", "storage", "registry", "logs"):
        grant = grants[f"de-keys-{purpose}-key-access"]
        assert grant.inputs["roleDefinitionId"] == CRYPTO_SERVICE_ENCRYPTION_USER, grant.urn
        assert grant.inputs["scope"].endswith(f"/keys/de-keys-{purpose}-key"), (
            f"{grant.urn}: {grant.inputs['scope']}"
        )
        assert grant.inputs["principalType"] == "ServicePrincipal", grant.urn
    etcd = grants["de-keys-etcd-key-access"]
    assert etcd.inputs["roleDefinitionId"] == CRYPTO_USER, etcd.urn
    vault_link = grants["de-keys-etcd-vault-link"]
    assert vault_link.inputs["roleDefinitionId"] == KEY_VAULT_CONTRIBUTOR, vault_link.urn
    assert vault_link.inputs["scope"].endswith("/vaults/de-keys-vault"), vault_link.urn
    assert vault_link.inputs["principalId"] == etcd.inputs["principalId"], vault_link.urn
    principals = {
        grant.inputs["principalId"] for name, grant in grants.items() if name.endswith("key-access")
    }
    assert len(principals) == 5, f"each purpose must have its own identity, got {principals}"


def test_outside_prod_keys_are_unprotected_but_still_retained() -> None:
    recording = record(custody_args(protect_stateful=False))
    assert not recording.one(VAULT).protect
    for key in recording.of_type(KEY):
        assert not key.protect, key.urn
        assert key.retain_on_delete, f"{key.urn}: keys are retained in every environment"


def test_managed_hsm_tier_creates_the_pool_and_uses_keys_from_the_ceremony() -> None:
    from components.azure import KeyPurpose

    recording = record(
        custody_args(
            tier=KeyCustodyTier.MANAGED_HSM,
            private_dns_zone_id="/zones/managedhsm",
            hsm_administrator_object_ids=[CUSTODIAN],
            managed_hsm_key_uris={KeyPurpose.STORAGE: HSM_KEY},
        )
    )
    hsm = recording.one("azure-native:keyvault:ManagedHsm")
    assert hsm.inputs["sku"] == {"family": "B", "name": "Standard_B1"}, hsm.urn
    assert hsm.get("properties.initialAdminObjectIds") == [CUSTODIAN], hsm.urn
    assert hsm.get("properties.enablePurgeProtection") is True, hsm.urn
    assert hsm.get("properties.softDeleteRetentionInDays") == 90, hsm.urn
    assert hsm.get("properties.publicNetworkAccess") == "Disabled", hsm.urn
    assert hsm.get("properties.regions") is None, f"{hsm.urn}: no geo-replicated HSM regions"
    endpoint = recording.one("azure-native:network:PrivateEndpoint")
    assert endpoint.get("privateLinkServiceConnections.0.groupIds") == ["managedhsm"], endpoint.urn
    assert not recording.of_type(VAULT) and not recording.of_type(KEY), "keys of an HSM are not ARM resources"
    identities = [r.name for r in recording.of_type("azure-native:managedidentity:UserAssignedIdentity")]
    assert identities == ["de-keys-storage-identity"], identities


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"tier": KeyCustodyTier.DEFAULT_VAULT}, "not an Azure custody tier"),
        ({"tier": KeyCustodyTier.MANAGED_HSM}, "hsm_administrator_object_ids: empty"),
        (
            {"tier": KeyCustodyTier.MANAGED_HSM, "hsm_administrator_object_ids": ["key-admins"]},
            "not an Entra",
        ),
        ({"hsm_administrator_object_ids": [CUSTODIAN]}, "set for tier 'key_vault_premium'"),
        ({"purposes": ()}, "nothing would be encrypted"),
    ],
)
def test_rejects_custody_that_would_not_hold(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        custody_args(**overrides)


@pytest.mark.parametrize(
    ("lifetime", "message"),
    [
        ({"key_size_bits": 2048}, "2048-bit RSA"),
        ({"rotate_after_days": 400, "expiry_days": 365}, "does not rotate before the near-expiry notice"),
        ({"rotate_after_days": 340, "expiry_days": 365}, "does not rotate before the near-expiry notice"),
        ({"rotate_after_days": 3}, "does not rotate"),
        ({"expiry_days": 20, "rotate_after_days": 7, "notify_before_expiry_days": 5}, "too short"),
    ],
)
def test_rejects_key_lifetimes_key_vault_would_refuse_or_that_expire_unrotated(
    lifetime: dict[str, int], message: str
) -> None:
    from components.azure import KeyLifetime

    with pytest.raises(ValueError, match=message):
        KeyLifetime(**lifetime)
