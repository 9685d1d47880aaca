"""`sovereign validate` refuses a config with a data path that leaves the country (invariant
data_stays_in_country over sovereign.config.data_paths), and `sovereign report` lists every path."""

from __future__ import annotations

import pytest

from sovereign.config.data_paths import data_paths, data_stays_in_country
from sovereign.config.loader import load_country
from sovereign.config.schema import COUNTRY_CONFIG
from tests.config.helpers import AS_OF, CONFIG_DIR, edit, merged, messages

SHIPPED = ("de", "br", "gb", "in", "kr", "no", "fr", "jp", "au", "ae")


@pytest.mark.parametrize("code", SHIPPED)
def test_every_path_of_every_shipped_country_is_listed_and_stays(code: str) -> None:
    config = load_country(code, "prod", config_dir=CONFIG_DIR, as_of=AS_OF)
    paths = data_paths(config)
    assert len(paths) >= 8
    assert [p.name for p in paths if p.leaves(config.country)] == []
    assert not [m for m in messages(merged(code)) if "outside" in m and "kept in-country by" in m]


def _leaving(data: dict) -> list[str]:
    return [str(v) for v in data_stays_in_country(COUNTRY_CONFIG.validate_python(data), None, None)]


def test_rejects_defender_whose_alert_store_has_no_documented_country() -> None:
    found = _leaving(edit(merged("de"), {"azure.defender": True}))
    assert len(found) == 1 and found[0].startswith("azure.defender:") and "undocumented country" in found[0]


def test_a_path_another_invariant_refused_is_said_once() -> None:
    data = edit(merged("de"), {"azure.defender": True})  # egress 'none' refuses Defender at the same setting
    assert len([m for m in messages(data) if m.startswith("azure.defender:")]) == 1


def test_rejects_an_oci_tenancy_homed_abroad() -> None:
    data = edit(merged("jp"), {"oci.home_region": "us-ashburn-1"})
    config = COUNTRY_CONFIG.validate_python(data)
    leaving = [p for p in data_paths(config) if p.leaves("jp")]
    assert leaving and all(p.country == "us" for p in leaving)
    assert any("'us', outside 'jp'" in m for m in _leaving(data))
