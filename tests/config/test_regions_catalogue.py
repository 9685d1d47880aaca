"""The region catalogue's internal consistency, and what a careless region edit of a shipped country gets.

The facts are the providers' (sources in sovereign/catalogue/regions.py): Azure's regions-list.md and
paired-regions-include.md (MicrosoftDocs/reliability-docs, 2026-08), OCI's regions_definitions.py (oci-python-sdk
2.182.1). These tests hold the data to the rules those sources state, so a row typed wrong fails here.
"""

from __future__ import annotations

import collections
import shutil
import typing
from pathlib import Path

import pycountry
import pytest

from sovereign.catalogue import regions as catalogue
from sovereign.catalogue.regions import (
    AZURE_ASYMMETRIC_PAIRS,
    DEPLOYABLE_OCI_REALMS,
    OCI_OTHER_REALM_REGIONS,
    OCI_REALM_KINDS,
    OCI_REALMS,
    REGIONS,
    find_region,
    regions_in_country,
    restricted_access_note,
)
from sovereign.clouds.oci.settings import OciSettings
from sovereign.config.invariants import regions_lie_in_country
from sovereign.config.loader import load_register
from sovereign.config.schema import COUNTRY_CONFIG
from sovereign.types import Cloud
from tests.cli.test_config_commands import ROOT, run
from tests.config.helpers import AS_OF, CONFIG_DIR, edit, merged, messages


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "country_configs", tmp_path / "country_configs")
    (tmp_path / "stacks").mkdir()
    return tmp_path


AZURE = [r for r in REGIONS.values() if r.cloud == Cloud.AZURE]
OCI_ALL = [*(r for r in REGIONS.values() if r.cloud == Cloud.OCI), *OCI_OTHER_REALM_REGIONS.values()]

# regions-list.md (2026): the rows carrying the "access is restricted" icon, plus Sweden South, which appears
# only as Sweden Central's restricted pair.
AZURE_RESTRICTED = {
    "australiacentral2",
    "brazilsoutheast",
    "francesouth",
    "germanynorth",
    "norwaywest",
    "southafricawest",
    "swedensouth",
    "switzerlandwest",
    "uaecentral",
}


def test_names_are_unique_per_cloud_and_realm_tables_do_not_overlap() -> None:
    # REGIONS is a dict: a duplicated row would silently replace the first, so count the source rows.
    for rows in (catalogue._AZURE, [*catalogue._OCI, *catalogue._OCI_OTHER]):
        duplicates = [n for n, k in collections.Counter(r.name for r in rows).items() if k > 1]
        assert duplicates == []
    assert len(REGIONS) == len(catalogue._AZURE) + len(catalogue._OCI)


def test_countries_are_iso_3166_alpha_2() -> None:
    for region in [*REGIONS.values(), *OCI_OTHER_REALM_REGIONS.values()]:
        assert region.country.islower() and len(region.country) == 2, region.name
        assert pycountry.countries.get(alpha_2=region.country.upper()) is not None, region.name


def test_every_azure_pair_is_known_and_symmetric_unless_azure_documents_it_one_way() -> None:
    for region in AZURE:
        if region.geo_pair is None:
            continue
        pair = find_region(Cloud.AZURE, region.geo_pair)
        assert pair is not None and pair.name != region.name, region.name
        if region.name in AZURE_ASYMMETRIC_PAIRS:
            assert pair.geo_pair != region.name, f"{region.name} is documented as one-way"
        else:
            assert pair.geo_pair == region.name, f"{region.name} -> {pair.name} -> {pair.geo_pair}"
    # regions-paired.md, "Asymmetrically paired regions", one line each.
    one_way = {r.name: r.geo_pair for r in AZURE if r.name in AZURE_ASYMMETRIC_PAIRS}
    assert one_way == {
        "brazilsouth": "southcentralus",
        "brazilsoutheast": "brazilsouth",  # one-way in the pairs table, not named in the asymmetric list
        "westindia": "southindia",
        "indiasouthcentral": "centralindia",
        "westus3": "eastus",
    }


def test_azure_zones_restricted_regions_and_fields() -> None:
    assert {r.name for r in AZURE if r.restricted} == AZURE_RESTRICTED
    for region in AZURE:
        assert region.availability_zones in (0, 3), region.name  # zone-enabled regions have three
        assert region.realm is None and region.key is None, region.name
        assert region.source.startswith("MicrosoftDocs/reliability-docs@"), region.name
    assert all(r.availability_zones == 0 for r in AZURE if r.restricted)


def test_oci_keys_unique_realms_known_and_deployable_realms_match_the_settings() -> None:
    keys = [r.key for r in OCI_ALL]
    assert all(k and len(k) == 3 and k.isupper() for k in keys)
    assert [k for k, n in collections.Counter(keys).items() if n > 1] == []
    assert set(OCI_REALM_KINDS) == set(OCI_REALMS)
    assert typing.get_args(OciSettings.model_fields["realm"].annotation) == DEPLOYABLE_OCI_REALMS
    for region in OCI_ALL:
        assert region.realm in OCI_REALMS and region.geo_pair is None, region.name
        assert region.availability_zones in (1, 3), region.name
        assert region.source.startswith("oracle/oci-python-sdk 2.182.1"), region.name
    for region in REGIONS.values():
        if region.cloud == Cloud.OCI:
            assert region.realm in DEPLOYABLE_OCI_REALMS and not region.restricted, region.name
    for region in OCI_OTHER_REALM_REGIONS.values():
        assert region.realm not in DEPLOYABLE_OCI_REALMS and region.restricted, region.name
    # three ADs only where Oracle's table counts them
    assert {r.name for r in OCI_ALL if r.availability_zones == 3} == {
        "us-ashburn-1",
        "us-phoenix-1",
        "eu-frankfurt-1",
        "uk-london-1",
    }


@pytest.mark.parametrize(
    ("cloud", "country", "expected"),
    [
        # the countries the issue names as unable to start, each on the cloud(s) with a region there
        (Cloud.AZURE, "sg", {"southeastasia"}),
        (Cloud.OCI, "sg", {"ap-singapore-1", "ap-singapore-2"}),
        (Cloud.OCI, "sa", {"me-jeddah-1", "me-riyadh-1"}),
        (Cloud.AZURE, "mx", {"mexicocentral"}),
        (Cloud.OCI, "mx", {"mx-queretaro-1", "mx-monterrey-1"}),
        (Cloud.AZURE, "il", {"israelcentral"}),
        (Cloud.OCI, "il", {"il-jerusalem-1"}),
        (Cloud.AZURE, "za", {"southafricanorth", "southafricawest"}),
        (Cloud.OCI, "za", {"af-johannesburg-1"}),
        (Cloud.AZURE, "id", {"indonesiacentral"}),
        (Cloud.OCI, "id", {"ap-batam-1"}),
        (Cloud.AZURE, "qa", {"qatarcentral"}),
        (Cloud.AZURE, "nz", {"newzealandnorth"}),
        (Cloud.AZURE, "sa", set()),  # Saudi Arabia: no Azure region yet
    ],
)
def test_countries_the_issue_names_have_their_regions(cloud: Cloud, country: str, expected: set[str]) -> None:
    assert {r.name for r in regions_in_country(cloud, country)} == expected


def test_restricted_access_note_says_what_to_do() -> None:
    germany_north = find_region(Cloud.AZURE, "germanynorth")
    assert germany_north is not None
    note = restricted_access_note(germany_north)
    assert note is not None and "access request" in note and "region-access-request-process" in note
    assert restricted_access_note(find_region(Cloud.AZURE, "germanywestcentral")) is None  # type: ignore[arg-type]
    gov = restricted_access_note(OCI_OTHER_REALM_REGIONS["uk-gov-london-1"])
    assert gov is not None and "oc4" in gov and "UK government" in gov


def test_rejects_region_typed_wrong_in_a_shipped_country() -> None:
    # de.yaml with the disaster-recovery region misremembered as "germanysouth"
    found = messages(edit(merged("de"), {"regions.secondary": "germanysouth"}))
    assert any(
        "unknown azure region 'germanysouth'" in m and "germanywestcentral, germanynorth" in m for m in found
    ), found


def test_rejects_government_realm_region_in_a_commercial_tenancy() -> None:
    # jp.yaml (realm oc1) pointed at a region of the dedicated Japanese realm oc8
    found = messages(edit(merged("jp"), {"regions.secondary": "ap-ibaraki-1"}))
    assert any(
        "'ap-ibaraki-1' is in OCI realm oc8" in m and "does not deploy" in m and "ap-tokyo-1, ap-osaka-1" in m
        for m in found
    ), found


@pytest.mark.parametrize("code", ["de", "jp", "kr", "br", "ae", "fr"])
def test_accepts_the_shipped_region_choices(code: str) -> None:
    register, problems = load_register(CONFIG_DIR)
    assert register is not None, problems
    config = COUNTRY_CONFIG.validate_python(merged(code))
    assert list(regions_lie_in_country(config, register, AS_OF)) == []


def test_rejects_new_country_in_a_government_realm(workspace: Path) -> None:
    configs = workspace / "country_configs"
    result = run(
        "new-country", "gb", "--cloud", "oci", "--region", "uk-gov-london-1", "--config-dir", str(configs)
    )
    assert result.returncode == 2
    assert "realm oc4 (UK government realm)" in result.stderr and "uk-london-1, uk-cardiff-1" in result.stderr
    assert not list((workspace / "stacks").iterdir())


def test_new_country_says_when_a_region_is_restricted(workspace: Path) -> None:
    configs = workspace / "country_configs"
    result = run(
        "new-country", "za", "--cloud", "azure", "--region", "southafricanorth", "--config-dir", str(configs)
    )
    assert result.returncode == 0, result.stderr
    assert "restricted region" in result.stdout and "'southafricawest'" in result.stdout
    text = (configs / "za.yaml").read_text(encoding="utf-8")
    assert "secondary: southafricawest" in text and "restricted-access: request access first" in text
    result = run("validate", str(configs / "za.yaml"), "--config-dir", str(configs))
    assert result.returncode == 0, result.stderr


def test_new_country_in_an_open_region_carries_no_restriction(workspace: Path) -> None:
    configs = workspace / "country_configs"
    result = run(
        "new-country", "nz", "--cloud", "azure", "--region", "newzealandnorth", "--config-dir", str(configs)
    )
    assert result.returncode == 0, result.stderr
    assert "restricted" not in result.stdout
    assert "restricted" not in (configs / "nz.yaml").read_text(encoding="utf-8")
