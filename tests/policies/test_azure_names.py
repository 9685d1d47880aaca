"""The ``azure-names`` rule refuses the names Azure (or azure-native's preview check) would refuse.

Built from finding A1 (REAL_PLATFORM_FINDINGS.md): azure-native auto-names ``<Pulumi name>`` + 8 random hex
characters with no truncation (pulumi-azure-native provider.go getDefaultName; its test expects
``test614742c2`` for ``test``), so ``de-prod-keys-vault`` became 26 characters for a 24-character type and
storage accounts kept their dashes. Shipped stacks passing the rule is asserted by tests/plan (0 failed checks).
"""

from __future__ import annotations

import re

import pytest

from sovereign.clouds.azure.naming import (
    RULES,
    auto_name,
    key_vault_name,
    name_problem,
    registry_name,
    storage_account_name,
)
from tests.policies.test_rules import failures, view

VAULT = "azure-native:keyvault:Vault"
ACCOUNT = "azure-native:storage:StorageAccount"


def test_auto_name_is_the_pulumi_name_plus_eight_hex_characters_untruncated() -> None:
    name = auto_name("de-prod-keys-vault", "urn:x")
    assert re.fullmatch(r"de-prod-keys-vault[0-9a-f]{8}", name), name
    assert len(name) == 26
    assert auto_name("de-prod-keys-vault", "urn:x") == name  # reproducible offline
    assert auto_name("x", "urn:x", "copy") == "x"
    assert re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", auto_name("x", "urn:x", "uuid"))


def test_rejects_the_auto_named_key_vault_of_finding_a1() -> None:
    messages = failures([view(VAULT, {}, name="de-prod-keys-vault")], "azure-names")
    assert len(messages) == 1
    assert "vaultName is not set" in messages[0]
    assert "26 characters; allowed: 3-24" in messages[0]


def test_rejects_a_storage_account_name_with_dashes() -> None:
    messages = failures([view(ACCOUNT, {"accountName": "de-prod-store-audit"})], "azure-names")
    assert len(messages) == 1 and "lowercase letters and numbers" in messages[0], messages


def test_rejects_an_auto_name_that_grows_past_its_type_limit() -> None:
    # A resource-group-scoped type may be auto-named, but only if the suffixed name still fits.
    long_name = "de-prod-" + "x" * 60  # 68 + 8 > 64 for a virtual network
    messages = failures([view("azure-native:network:VirtualNetwork", {}, name=long_name)], "azure-names")
    assert len(messages) == 1 and "auto-name" in messages[0] and "allowed: 2-64" in messages[0], messages


def test_rejects_an_azure_type_without_a_naming_rule() -> None:
    messages = failures([view("azure-native:cache:Redis", {"name": "x"})], "azure-names")
    assert len(messages) == 1 and "no Azure naming rule is known" in messages[0], messages


def test_accepts_explicit_names_within_the_rules() -> None:
    resources = [
        view(VAULT, {"vaultName": "de-prod-keys-7a7119"}),
        view(ACCOUNT, {"accountName": "deprodstoreaudit64b87a"}),
        view("azure-native:containerservice:AgentPool", {"agentPoolName": "h100"}),
    ]
    assert failures(resources, "azure-names") == []


@pytest.mark.parametrize(
    ("type_token", "name"),
    [
        ("azure-native:containerservice:AgentPool", "H100"),  # lowercase only
        ("azure-native:containerservice:AgentPool", "gpupoolnumber1"),  # 14 > 12
        (VAULT, "1vault"),  # must start with a letter
        (VAULT, "de--vault"),  # no consecutive hyphens
        ("azure-native:storage:BlobContainer", "Audit"),
        ("azure-native:storage:BlobServiceProperties", "blobs"),  # must be 'default'
        ("azure-native:operationalinsights:LinkedService", "link"),  # must be 'cluster'
        ("azure-native:authorization:RoleAssignment", "grant-disks"),  # must be a GUID
        ("azure-native:containerregistry:Registry", "de-registry"),  # alphanumerics only
    ],
)
def test_rejects_each_documented_restriction(type_token: str, name: str) -> None:
    assert name_problem(RULES[type_token], name) is not None


@pytest.mark.parametrize("base", ["de-prod-keys", "de-staging-keys", "xx-" + "y" * 40])
def test_key_vault_names_fit_and_are_stable_per_subscription(base: str) -> None:
    name = key_vault_name(base, "sub-a")
    assert name_problem(RULES[VAULT], name) is None
    assert key_vault_name(base, "sub-a") == name
    assert key_vault_name(base, "sub-b") != name


@pytest.mark.parametrize("base", ["de-prod-store-weights", "de-staging-store-model-weights-archive"])
def test_storage_and_registry_names_fit_and_keep_stores_apart(base: str) -> None:
    name = storage_account_name(base, "sub-a")
    assert name_problem(RULES[ACCOUNT], name) is None
    assert storage_account_name(base + "-2", "sub-a") != name  # same kept prefix, different store
    assert (
        name_problem(RULES["azure-native:containerregistry:Registry"], registry_name(base, "sub-a")) is None
    )
