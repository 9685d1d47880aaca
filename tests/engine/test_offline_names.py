"""The offline engine names Azure resources as azure-native would, so derived values are as long as real ones.

It once stripped dashes and added no suffix ('deprodstoreauditaccount'), which hid finding A1: azure-native
auto-names <Pulumi name> + 8 random hex characters, dashes kept, no truncation (provider.go getDefaultName).
"""

from __future__ import annotations

import re

from sovereign.engine.outputs import fabricate_resource


def test_an_auto_named_vault_gets_the_pulumi_name_plus_eight_hex_characters() -> None:
    resource_id, state = fabricate_resource("azure-native:keyvault:Vault", "de-prod-keys-vault", {})
    assert re.fullmatch(r"de-prod-keys-vault[0-9a-f]{8}", state["name"]), state["name"]
    assert state["properties"]["vaultUri"] == f"https://{state['name']}.vault.azure.net/"
    assert resource_id.endswith(f"/vaults/{state['name']}")


def test_an_auto_named_storage_account_keeps_its_dashes() -> None:
    _, state = fabricate_resource("azure-native:storage:StorageAccount", "de-prod-store-audit-account", {})
    assert state["name"].startswith("de-prod-store-audit-account") and len(state["name"]) == 35


def test_an_explicit_name_is_the_physical_name_everywhere() -> None:
    resource_id, state = fabricate_resource(
        "azure-native:network:VirtualNetwork", "de-prod-net-vnet", {"virtualNetworkName": "de-prod-net-vnet"}
    )
    assert state["name"] == "de-prod-net-vnet"
    assert resource_id.endswith("/virtualNetworks/de-prod-net-vnet")
