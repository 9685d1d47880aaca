"""Accept and reject cases for ``keys_stay_in_country`` and ``defender_can_report`` (Azure invariants), and the
pure rule they share with the plan policies (``sovereign.rules.residency.key_vault_replica_of``).

Key Vault copies a vault to its region's pair, except in Brazil South, Brazil Southeast and West US 3
(MicrosoftDocs/azure-docs articles/key-vault/general/disaster-recovery-guidance.md, "Data replication";
articles/reliability/reliability-key-vault.md). Pairs: articles/reliability/cross-region-replication-azure.md
("Europe | North Europe (Ireland) | West Europe (Netherlands)", "Brazil | Brazil South | South Central US").
Defender's destinations: MicrosoftDocs/azure-aks-docs articles/aks/outbound-rules-control-egress.md.
"""

from __future__ import annotations

import pytest

from sovereign.catalogue import REGIONS, Region
from sovereign.rules.residency import key_vault_replica_of, key_vault_replication_region
from sovereign.types import Cloud
from tests.config.helpers import edit, merged, messages, violations
from tests.config.test_invariants import _one

POLICY = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/hub/providers/Microsoft.Network/"
    "firewallPolicies/egress"
)
ALLOW_LIST = {"mode": "allow_list", "firewall_ip": "10.42.30.4", "firewall_policy_id": POLICY}


# the pure rule -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "replica"),
    [
        ("germanywestcentral", "germanynorth"),  # paired in-country: copied there
        ("brazilsouth", None),  # paired abroad, but Key Vault keeps Brazil South vaults in-region
        ("brazilsoutheast", None),
        ("italynorth", None),  # no pair: zone-redundant in the region
        ("westeurope", "northeurope"),
    ],
)
def test_key_vault_replication_region(region: str, replica: str | None) -> None:
    found = REGIONS[(Cloud.AZURE, region)]
    assert key_vault_replication_region(found) == replica


def test_key_vault_replica_judged_for_the_country() -> None:
    assert key_vault_replica_of("germanywestcentral", "de").stays_in_country  # type: ignore[union-attr]
    assert key_vault_replica_of("brazilsouth", "br").stays_in_country  # type: ignore[union-attr]
    abroad = key_vault_replica_of("westeurope", "nl")
    assert abroad is not None and not abroad.stays_in_country
    assert abroad.replica_country == "ie"
    assert key_vault_replica_of("germanysouth", "de") is None  # not in the catalogue: the caller decides


# keys_stay_in_country ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["de", "gb", "no", "in", "kr", "br"])
def test_accepts_every_shipped_azure_country(code: str) -> None:
    assert not [m for m in messages(merged(code)) if "Key Vault" in m or "defender" in m]


def test_accepts_brazil_south_as_the_exception() -> None:
    """Brazil South's pair is South Central US, yet Key Vault does not replicate there (geo storage still
    would: tests/config/test_invariants.py)."""
    data = merged("br")
    assert data["regions"]["primary"] == "brazilsouth"
    assert [str(v) for v in violations(data) if v.path == ("regions", "primary")] == []


def _dutch() -> dict:
    # West Europe is the Netherlands' only catalogue region; its pair North Europe is in Ireland.
    return edit(merged("de"), {"country": "nl", "regions": {"primary": "westeurope"}})


def test_rejects_a_primary_region_whose_key_vault_copy_lies_abroad() -> None:
    msg = _one(messages(_dutch()), "regions.primary", "Key Vault")
    assert "'northeurope'" in msg and "'ie'" in msg and "outside 'nl'" in msg
    assert (
        "none: every Azure region of 'nl' copies it abroad" in msg
        and "OCI regions in 'nl': eu-amsterdam-1" in msg
    )


def test_rejects_and_names_the_in_country_regions_that_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the country has a region whose pair is in-country, the message names it as the fix."""
    home = Region(Cloud.AZURE, "netherlandsnorth", "nl", "Netherlands North (test)", 3, "netherlandssouth")
    twin = Region(Cloud.AZURE, "netherlandssouth", "nl", "Netherlands South (test)", 0, "netherlandsnorth")
    monkeypatch.setitem(REGIONS, (Cloud.AZURE, home.name), home)
    monkeypatch.setitem(REGIONS, (Cloud.AZURE, twin.name), twin)
    msg = _one(messages(_dutch()), "regions.primary", "Key Vault")
    assert "netherlandsnorth, netherlandssouth" in msg and "westeurope," not in msg
    assert "choose an in-country region whose pair is in the country" in msg


# defender_can_report -------------------------------------------------------------------------------------------


def test_rejects_defender_with_egress_none() -> None:
    msg = _one(messages(edit(merged("no"), {"azure.defender": True})), "azure.defender", "egress mode 'none'")
    assert "*.cloud.defender.microsoft.com" in msg and "'allow_list'" in msg


def test_accepts_defender_egress_with_an_allow_list_even_without_other_destinations() -> None:
    """The stack adds Defender's destinations itself, so they need not be listed; what remains refused is only
    Defender's alert store, whose country no source documents (invariant data_stays_in_country)."""
    data = edit(merged("no"), {"azure.defender": True, "azure.egress": ALLOW_LIST})
    assert [v.path for v in violations(data)] == [("azure", "defender")]


def test_rejects_an_empty_allow_list_without_defender() -> None:
    _one(messages(edit(merged("no"), {"azure.egress": ALLOW_LIST})), "no destinations")


def test_defender_is_off_by_default() -> None:
    from sovereign.config.schema import COUNTRY_CONFIG

    config = COUNTRY_CONFIG.validate_python(merged("no"))
    assert config.azure.defender is False  # type: ignore[union-attr]
