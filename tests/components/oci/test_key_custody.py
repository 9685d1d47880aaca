"""KeyCustody on a real SovereignNetwork: virtual private vault, HSM keys with rotation, no replica, region-bound
grants."""

import re

import pulumi_oci as oci
import pytest

from components.oci.key_custody import KeyCustody, KeyCustodyArgs
from components.oci.network import SovereignNetwork
from sovereign.engine.recorder import Recording, run_program
from tests.components.oci.helpers import COMPARTMENT, REGION, TAGS, TENANCY, at, network_args, with_network

KEY = "oci:Kms/key:Key"
POLICY = "oci:Identity/policy:Policy"
GROUP = "oci:Identity/dynamicGroup:DynamicGroup"


def _args(network: SovereignNetwork, **overrides: object) -> KeyCustodyArgs:
    base: dict[str, object] = {
        "network": network,
        "tenancy_id": TENANCY,
        "region": REGION,
        "freeform_tags": TAGS,
    }
    return KeyCustodyArgs(**{**base, **overrides})  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def private_vault() -> Recording:
    def program() -> None:
        home = oci.Provider("home", region="eu-frankfurt-1")
        net = SovereignNetwork("de", network_args())
        KeyCustody("de-keys", _args(net, identity_provider=home))

    return run_program(program)


def test_virtual_private_vault_protected_and_retained(private_vault: Recording) -> None:
    vault = private_vault.one("oci:Kms/vault:Vault", "de-keys-vault")
    assert vault.get("vaultType") == "VIRTUAL_PRIVATE", at(vault)
    assert vault.get("compartmentId") == COMPARTMENT, at(vault)
    assert vault.protect is True, at(vault)
    assert vault.retain_on_delete is True, at(vault)


def test_no_cross_region_replica(private_vault: Recording) -> None:
    types = {r.type for r in private_vault.registrations}
    assert "oci:Kms/vaultVerification:VaultVerification" not in types
    assert "oci:Kms/keyVersion:KeyVersion" not in types


def test_aes256_hsm_keys_rotate_automatically(private_vault: Recording) -> None:
    keys = {k.name: k for k in private_vault.of_type(KEY)}
    assert sorted(keys) == [
        "de-keys-cluster-secrets",
        "de-keys-image-signing",
        "de-keys-object-storage",
        "de-keys-volumes",
    ]
    for name in ("de-keys-cluster-secrets", "de-keys-object-storage", "de-keys-volumes"):
        key = keys[name]
        assert key.get("keyShape") == {"algorithm": "AES", "length": 32.0}, at(key)
        assert key.get("protectionMode") == "HSM", at(key)
        assert key.get("isAutoRotationEnabled") is True, at(key)
        assert key.get("autoKeyRotationDetails.rotationIntervalInDays") == 90.0, at(key)
        assert (
            key.get("managementEndpoint") == "https://dekeysvault-management.kms.offline.oraclecloud.com"
        ), at(key)
        assert key.protect is True and key.retain_on_delete is True, at(key)


def test_image_signing_key_is_rsa4096_hsm(private_vault: Recording) -> None:
    key = private_vault.one(KEY, "de-keys-image-signing")
    assert key.get("keyShape") == {"algorithm": "RSA", "length": 512.0}, at(key)
    assert key.get("protectionMode") == "HSM", at(key)
    assert key.retain_on_delete is True, at(key)


def test_dynamic_groups_match_only_the_country_compartment(private_vault: Recording) -> None:
    clusters = private_vault.one(GROUP, "de-keys-access-clusters")
    workers = private_vault.one(GROUP, "de-keys-access-workers")
    assert clusters.get("compartmentId") == TENANCY, at(clusters)
    assert clusters.get("matchingRule") == (
        f"ALL {{resource.type = 'cluster', resource.compartment.id = '{COMPARTMENT}'}}"
    ), at(clusters)
    assert workers.get("matchingRule") == f"ALL {{instance.compartment.id = '{COMPARTMENT}'}}", at(workers)


def test_key_policy_grants_exactly_these_keys_in_region(private_vault: Recording) -> None:
    policy = private_vault.one(POLICY, "de-keys-access-keys")
    statements = policy.get("statements")
    assert policy.get("compartmentId") == COMPARTMENT, at(policy)
    assert len(statements) == 8, at(policy)
    granted = set()
    for statement in statements:
        match = re.fullmatch(
            rf"Allow (.+) to use (keys|key-delegates) in compartment id {COMPARTMENT} "
            r"where all \{(?:request\.principal\.type = '(\w+)', )?target\.key\.id = "
            r"'(ocid1\.key\.oc1\.\.offline\w+)', request\.region = 'FRA'\}",
            statement,
        )
        assert match, f"{statement!r} {at(policy)}"
        granted.add((match[1] + (f" {match[3]}" if match[3] else ""), match[4]))
    assert granted == {
        ("dynamic-group de-keys-access-clusters", "ocid1.key.oc1..offlinedekeysclustersecrets"),
        ("dynamic-group de-keys-access-clusters", "ocid1.key.oc1..offlinedekeysimagesigning"),
        ("service oke", "ocid1.key.oc1..offlinedekeysvolumes"),
        ("service blockstorage", "ocid1.key.oc1..offlinedekeysvolumes"),
        ("dynamic-group de-keys-access-workers", "ocid1.key.oc1..offlinedekeysvolumes"),
        ("service objectstorage-eu-frankfurt-1", "ocid1.key.oc1..offlinedekeysobjectstorage"),
        # OKE since 2024-08 (contengpolicyconfig.htm): boot volumes (node pools) and PVCs (cluster).
        ("any-user nodepool", "ocid1.key.oc1..offlinedekeysvolumes"),
        ("any-user cluster", "ocid1.key.oc1..offlinedekeysvolumes"),
    }, at(policy)


def test_key_consumers_wait_for_the_propagation_after_the_policy(private_vault: Recording) -> None:
    """IAM is eventually consistent: the wait follows the policy and both dynamic groups, and re-runs when
    a statement changes (its triggers carry them)."""
    sleep = private_vault.one("time:index/sleep:Sleep", "de-keys-access-propagation")
    policy = private_vault.one(POLICY, "de-keys-access-keys")
    assert sleep.get("createDuration") == "30s", at(sleep)
    assert policy.urn in sleep.dependencies, at(sleep)
    assert {g.urn for g in private_vault.of_type(GROUP)} <= set(sleep.dependencies), at(sleep)
    assert sleep.get("triggers")["statements"] == "\n".join(policy.get("statements")), at(sleep)


def test_iam_goes_through_the_home_region_provider(private_vault: Recording) -> None:
    for reg in [*private_vault.of_type(GROUP), *private_vault.of_type(POLICY)]:
        assert reg.provider is not None and "pulumi:providers:oci::home" in reg.provider, at(reg)
    vault = private_vault.one("oci:Kms/vault:Vault", "de-keys-vault")
    assert vault.provider is None or "::home::" not in vault.provider, at(vault)


def test_parenting(private_vault: Recording) -> None:
    custody = private_vault.one("sovereign:oci:KeyCustody", "de-keys")
    access = private_vault.one("sovereign:oci:KeyAccessPolicies", "de-keys-access")
    assert access.parent == custody.urn, at(access)
    for reg in private_vault.of_type(KEY):
        assert reg.parent == custody.urn, at(reg)
    for reg in [*private_vault.of_type(GROUP), *private_vault.of_type(POLICY)]:
        assert reg.parent == access.urn, at(reg)


def test_non_prod_vault_neither_protected_nor_retained() -> None:
    """A staging destroy must not leave a billed virtual private vault behind: without retain_on_delete the
    provider schedules the deletion of keys and vault (ScheduleKeyDeletion / ScheduleVaultDeletion, 30 days by
    default, cancellable; terraform-provider-oci internal/service/kms/kms_vault_resource.go Delete)."""

    def program() -> None:
        KeyCustody("de-keys", _args(SovereignNetwork("de", network_args()), protect_stateful=False))

    recording = run_program(program)
    vault = recording.one("oci:Kms/vault:Vault", "de-keys-vault")
    assert vault.get("vaultType") == "VIRTUAL_PRIVATE", at(vault)
    assert vault.protect is False, at(vault)
    assert vault.retain_on_delete is False, at(vault)
    keys = recording.of_type(KEY)
    assert keys
    for key in keys:
        assert key.protect is False and key.retain_on_delete is False, at(key)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"rotation_interval_days": 30}, "allowed: 60-365"),
        ({"rotation_interval_days": 400}, "allowed: 60-365"),
        ({"region": "eu-atlantis-1"}, "unknown OCI region"),
    ],
)
def test_rejects_weak_or_impossible_custody(overrides: dict[str, object], message: str) -> None:
    def build(net: SovereignNetwork) -> None:
        KeyCustody("de-keys", _args(net, **overrides))

    with pytest.raises(ValueError, match=message):
        with_network(build)


def test_no_args_value_gives_software_keys_or_a_replica() -> None:
    """Protection mode, key length and replicas are not Args fields: no value can weaken them."""
    fields = set(KeyCustodyArgs.__dataclass_fields__)
    assert not fields & {"protection_mode", "key_length", "replica_region", "vault_replica_region"}, fields
    assert not {f for f in fields if "tier" in f or "vault_type" in f}, (
        f"only the virtual private vault: {fields}"
    )
