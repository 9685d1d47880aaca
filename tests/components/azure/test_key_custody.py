"""KeyCustody and CustodyKey on a real SovereignNetwork: HSM-backed Key Vault Premium, hardened and private, keys
with rotation, one scoped grant per key."""

import datetime
from typing import Any

import pytest

from sovereign.engine.recorder import Recording
from tests.components.azure.conftest import TENANT, VAULT_NAME, at, network_args, subnet_id, zone_id

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


def custody_args(network: Any = None, **overrides: Any) -> Any:
    from components.azure import KeyCustodyArgs, KeyLifetime

    values: dict[str, Any] = {
        "network": network,
        "lifetime": KeyLifetime(rotate_after_days=90, expiry_days=365, key_size_bits=4096),
        "tenant_id": TENANT,
    }
    values.update(overrides)
    return KeyCustodyArgs(**values)


def record(**overrides: Any) -> Recording:
    """KeyCustody 'de-keys' on the network 'de-net' it is given in the platform."""
    from sovereign.engine.recorder import run_program

    def program() -> None:
        from components.azure import KeyCustody, SovereignNetwork

        net = SovereignNetwork("de-net", network_args())
        KeyCustody("de-keys", custody_args(net, **overrides))

    return run_program(program)


@pytest.fixture(scope="module")
def premium() -> Recording:
    return record()


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
    # In the network's resource group and region: the sibling it is given decides where the keys live.
    assert (vault.inputs["resourceGroupName"], vault.inputs["location"]) == (
        "de-net-rg",
        "germanywestcentral",
    ), at(vault)


def test_vault_has_a_private_endpoint_with_dns(premium: Recording) -> None:
    endpoint = premium.one("azure-native:network:PrivateEndpoint", "de-keys-pe-endpoint")
    connection = endpoint.get("privateLinkServiceConnections.0")
    assert connection["groupIds"] == ["vault"], endpoint.urn
    assert connection["privateLinkServiceId"].endswith(f"/vaults/{VAULT_NAME}"), endpoint.urn
    assert endpoint.get("subnet") == {"id": subnet_id("de-net-endpoints")}, at(endpoint)
    assert endpoint.inputs["location"] == "germanywestcentral", at(endpoint)
    zone_group = premium.one("azure-native:network:PrivateDnsZoneGroup", "de-keys-pe-dns")
    assert zone_group.get("privateDnsZoneConfigs.0.privateDnsZoneId") == zone_id("key-vault"), at(zone_group)


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
        assert grant.inputs["scope"].endswith(f"/vaults/{VAULT_NAME}/keys/{purpose}-cmk"), (
            f"{grant.urn}: {grant.inputs['scope']}"
        )
        assert grant.inputs["principalType"] == "ServicePrincipal", grant.urn
    etcd = grants["de-keys-etcd-key-access"]
    assert etcd.inputs["roleDefinitionId"] == CRYPTO_USER, etcd.urn
    vault_link = grants["de-keys-etcd-vault-link"]
    assert vault_link.inputs["roleDefinitionId"] == KEY_VAULT_CONTRIBUTOR, vault_link.urn
    assert vault_link.inputs["scope"].endswith(f"/vaults/{VAULT_NAME}"), vault_link.urn
    assert vault_link.inputs["principalId"] == etcd.inputs["principalId"], vault_link.urn
    principals = {
        grant.inputs["principalId"] for name, grant in grants.items() if name.endswith("key-access")
    }
    assert len(principals) == 5, f"each purpose must have its own identity, got {principals}"


def test_outside_prod_keys_are_unprotected_but_still_retained() -> None:
    recording = record(protect_stateful=False)
    assert not recording.one(VAULT).protect
    for key in recording.of_type(KEY):
        assert not key.protect, key.urn
        assert key.retain_on_delete, f"{key.urn}: keys are retained in every environment"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"purposes": ()}, "nothing would be encrypted"),
    ],
)
def test_rejects_custody_that_would_not_hold(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        custody_args(**overrides)


def test_no_args_value_selects_another_custody_tier() -> None:
    """Managed HSM is not reachable: no tier, HSM administrator or external key field exists."""
    import dataclasses

    from components.azure import CustodyKeyArgs, KeyCustodyArgs

    fields = {f.name for f in dataclasses.fields(KeyCustodyArgs)} | {
        f.name for f in dataclasses.fields(CustodyKeyArgs)
    }
    for word in ("tier", "hsm", "existing_key"):
        assert not any(word in name for name in fields), f"key custody exposes a '{word}' knob: {fields}"


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
