"""The plan rules ``key-vault-replica-in-country`` and ``features-reach-their-service`` fail on the defect they
guard against and pass on its correction.

Key Vault: Microsoft Learn "Azure Key Vault availability and redundancy" (MicrosoftDocs/azure-docs
articles/key-vault/general/disaster-recovery-guidance.md): a vault's contents are "replicated both within the
region and to the paired region", except in Brazil South and West US 3 (Brazil Southeast too: "Reliability in
Azure Key Vault"). Region pairs: "Azure region pairs and nonpaired regions" (West Europe <-> North Europe).
Defender/Azure Policy destinations: MicrosoftDocs/azure-aks-docs articles/aks/outbound-rules-control-egress.md.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from tests.policies.test_rules import ctx, failures, view

VAULT = "azure-native:keyvault:Vault"
CLUSTER = "azure-native:containerservice:ManagedCluster"
GROUP = "azure-native:network:FirewallPolicyRuleCollectionGroup"
DEFENDER_ON = {"defender": {"securityMonitoring": {"enabled": True}}}


# key-vault-replica-in-country ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "location"), [("de", "germanywestcentral"), ("de", "Germany West Central")])
def test_accepts_a_vault_whose_pair_is_in_country(code: str, location: str) -> None:
    assert failures([view(VAULT, {"location": location})], "key-vault-replica-in-country", ctx(code)) == []


def test_accepts_brazil_south_where_key_vault_does_not_replicate() -> None:
    """Brazil South pairs with South Central US (another country), but Key Vault keeps its vaults in-region."""
    assert (
        failures([view(VAULT, {"location": "brazilsouth"})], "key-vault-replica-in-country", ctx("br")) == []
    )


def test_rejects_a_vault_whose_pair_is_abroad() -> None:
    """West Europe (Netherlands) pairs with North Europe (Ireland): a Dutch vault would be copied to Ireland."""
    context = ctx("de")
    dutch = dataclasses.replace(context, config=context.config.model_copy(update={"country": "nl"}))
    [msg] = failures([view(VAULT, {"location": "westeurope"})], "key-vault-replica-in-country", dutch)
    assert "'northeurope'" in msg and "'ie'" in msg and "outside 'nl'" in msg


def test_rejects_a_vault_in_a_region_the_catalogue_lacks() -> None:
    [msg] = failures([view(VAULT, {"location": "germanysouth"})], "key-vault-replica-in-country")
    assert "catalogue lacks" in msg


# features-reach-their-service ----------------------------------------------------------------------------------


def _group(*fqdns: str, port: int = 443, action: str = "Allow") -> Any:
    rules = [
        {
            "ruleType": "ApplicationRule",
            "targetFqdns": [f],
            "protocols": [{"protocolType": "Https", "port": port}],
        }
        for f in fqdns
    ]
    return view(GROUP, {"ruleCollections": [{"action": {"type": action}, "rules": rules}]}, name="rules")


DEFENDER_HOSTS = (
    "login.microsoftonline.com",
    "*.ods.opinsights.azure.com",
    "*.oms.opinsights.azure.com",
    "*.cloud.defender.microsoft.com",
)


def _cluster(outbound: str = "userDefinedRouting", **props: Any) -> Any:
    return view(CLUSTER, {"networkProfile": {"outboundType": outbound}, **props}, name="aks")


def test_rejects_defender_on_a_network_isolated_cluster() -> None:
    [msg] = failures([_cluster("none", securityProfile=DEFENDER_ON)], "features-reach-their-service")
    assert "outbound type 'none'" in msg and "*.cloud.defender.microsoft.com" in msg


def test_rejects_defender_without_allow_rules_for_its_destinations() -> None:
    [msg] = failures(
        [_cluster(securityProfile=DEFENDER_ON), _group("login.microsoftonline.com")],
        "features-reach-their-service",
    )
    assert "*.ods.opinsights.azure.com:443" in msg and "login.microsoftonline.com" not in msg
    # A rule collection that denies, or allows another port, lets nothing through.
    assert failures(
        [_cluster(securityProfile=DEFENDER_ON), _group(*DEFENDER_HOSTS, action="Deny")],
        "features-reach-their-service",
    )
    assert failures(
        [_cluster(securityProfile=DEFENDER_ON), _group(*DEFENDER_HOSTS, port=8443)],
        "features-reach-their-service",
    )


def test_accepts_defender_with_its_destinations_allowed_or_covered_by_a_wildcard() -> None:
    rule = "features-reach-their-service"
    assert failures([_cluster(securityProfile=DEFENDER_ON), _group(*DEFENDER_HOSTS)], rule) == []
    broad = _group("login.microsoftonline.com", "*.opinsights.azure.com", "*.defender.microsoft.com")
    assert failures([_cluster(securityProfile=DEFENDER_ON), broad], rule) == []


def test_accepts_defender_off_and_isolated() -> None:
    off = {"defender": {"securityMonitoring": {"enabled": False}}}
    assert failures([_cluster("none", securityProfile=off)], "features-reach-their-service") == []


def test_rejects_the_azure_policy_add_on_without_its_destinations() -> None:
    addon = {"azurepolicy": {"enabled": True}}
    [msg] = failures([_cluster("none", addonProfiles=addon)], "features-reach-their-service")
    assert "Azure Policy add-on" in msg and "data.policy.core.windows.net" in msg
    allowed = _group(
        "data.policy.core.windows.net", "store.policy.core.windows.net", "dc.services.visualstudio.com"
    )
    assert failures([_cluster(addonProfiles=addon), allowed], "features-reach-their-service") == []
