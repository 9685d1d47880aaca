"""OCI's data paths (sovereign/clouds/oci/data_paths.py): every shipped OCI country's paths stay in the country,
and an edit that sends a path abroad (a tenancy homed abroad, a secondary region abroad) is a path that leaves,
pointing at the setting to fix. The edits bypass validation on purpose: validation refuses them first."""

from __future__ import annotations

import pytest

from sovereign.clouds.oci.settings import OciCountry
from sovereign.config.data_paths import DataPath, data_paths
from sovereign.config.loader import load_country
from tests.config.helpers import AS_OF, CONFIG_DIR

OCI_COUNTRIES = ("fr", "jp", "au", "ae")


def _load(code: str) -> OciCountry:
    config = load_country(code, "prod", config_dir=CONFIG_DIR, as_of=AS_OF)
    assert isinstance(config, OciCountry)
    return config


def _leaving(config: OciCountry) -> list[DataPath]:
    return [p for p in data_paths(config) if p.leaves(config.country)]


@pytest.mark.parametrize("code", OCI_COUNTRIES)
def test_every_path_of_a_shipped_oci_country_stays_in_the_country(code: str) -> None:
    config = _load(code)
    paths = data_paths(config)
    names = {p.name for p in paths}
    assert {
        "IAM metadata: compartment, policies, dynamic groups, quotas",
        "master encryption keys",
        "VCN flow logs",
        "container images and model weights pulled by nodes",
    } <= names
    assert _leaving(config) == []
    assert all(p.control and p.fix for p in paths)


def test_the_key_replica_is_a_path_to_the_secondary() -> None:
    config = _load("jp")
    [replica] = [p for p in data_paths(config) if "replicated" in p.name]
    assert (replica.region, replica.country, replica.setting) == (
        "ap-osaka-1",
        "jp",
        ("regions", "secondary"),
    )
    without = config.model_copy(update={"regions": config.regions.model_copy(update={"secondary": None})})
    assert not [p for p in data_paths(without) if "replicated" in p.name]


def test_rejects_a_tenancy_homed_abroad() -> None:
    # A careless edit: the country deployed into a shared tenancy whose home region is Ashburn.
    config = _load("fr")
    abroad = config.model_copy(update={"oci": config.oci.model_copy(update={"home_region": "us-ashburn-1"})})
    leaving = _leaving(abroad)
    assert {p.setting for p in leaving} == {("oci", "home_region")}
    assert {p.region for p in leaving} == {"us-ashburn-1"}
    assert all("home region" in p.fix for p in leaving)


def test_rejects_a_secondary_region_abroad() -> None:
    config = _load("au")
    abroad = config.model_copy(
        update={"regions": config.regions.model_copy(update={"secondary": "ap-singapore-1"})}
    )
    leaving = _leaving(abroad)
    assert {p.setting for p in leaving} == {("regions", "secondary")}
    assert any(p.name == "master encryption keys, replicated for disaster recovery" for p in leaving)
