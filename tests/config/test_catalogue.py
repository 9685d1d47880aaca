"""Catalogue look-ups: accept and reject cases, and consistency of the tables."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from sovereign.catalogue import (
    MACHINE_SIZES,
    OCI_REALMS,
    REGIONS,
    find_region,
    kubernetes_versions,
    machine_size,
    regions_in_country,
)
from sovereign.catalogue.aks_versions import AKS_VERSIONS, aks_version, aks_versions_supported_on
from sovereign.config.loader import validate_files
from sovereign.types import Cloud
from tests.config.helpers import AS_OF, CONFIG_DIR


@pytest.mark.parametrize(
    ("cloud", "region", "country"),
    [
        (Cloud.AZURE, "germanywestcentral", "de"),
        (Cloud.AZURE, "brazilsouth", "br"),
        (Cloud.AZURE, "norwayeast", "no"),
        (Cloud.OCI, "eu-paris-1", "fr"),
        (Cloud.OCI, "me-abudhabi-1", "ae"),
        (Cloud.OCI, "eu-frankfurt-2", "de"),
    ],
)
def test_finds_region_and_its_country(cloud: Cloud, region: str, country: str) -> None:
    found = find_region(cloud, region)
    assert found is not None and found.country == country


def test_rejects_unknown_region_and_wrong_cloud() -> None:
    assert find_region(Cloud.AZURE, "germanysouth") is None
    assert find_region(Cloud.AZURE, "eu-frankfurt-1") is None  # an OCI name asked of Azure
    assert find_region(Cloud.OCI, "germanywestcentral") is None


def test_geo_pairs_exist_and_brazil_pairs_across_the_border() -> None:
    for region in REGIONS.values():
        if region.geo_pair:
            assert find_region(region.cloud, region.geo_pair) is not None, region.name
    brazil = find_region(Cloud.AZURE, "brazilsouth")
    assert brazil is not None and brazil.geo_pair == "southcentralus"
    pair = find_region(Cloud.AZURE, "southcentralus")
    assert pair is not None and pair.country == "us"
    assert find_region(Cloud.AZURE, "italynorth").geo_pair is None  # type: ignore[union-attr]


def test_oci_regions_carry_a_known_realm() -> None:
    for region in REGIONS.values():
        if region.cloud == Cloud.OCI:
            assert region.realm in OCI_REALMS, region.name
        else:
            assert region.realm is None
    assert [r.name for r in regions_in_country(Cloud.OCI, "de", "oc19")] == ["eu-frankfurt-2"]
    assert [r.name for r in regions_in_country(Cloud.OCI, "de", "oc1")] == ["eu-frankfurt-1"]


def test_machine_sizes() -> None:
    confidential_gpu = machine_size(Cloud.AZURE, "Standard_NCC40ads_H100_v5")
    assert confidential_gpu is not None and confidential_gpu.confidential and confidential_gpu.gpus == 1
    h100x8 = machine_size(Cloud.OCI, "BM.GPU.H100.8")
    assert h100x8 is not None and h100x8.gpus == 8 and not h100x8.confidential
    assert machine_size(Cloud.OCI, "Standard_NC40ads_H100_v5") is None
    assert machine_size(Cloud.AZURE, "Standard_NC999") is None
    assert not any(s.confidential for s in MACHINE_SIZES.values() if s.cloud == Cloud.OCI and s.gpus)


def test_kubernetes_versions() -> None:
    assert "1.34" in kubernetes_versions(Cloud.AZURE) and "1.34" in kubernetes_versions(Cloud.OCI)
    assert "1.20" not in kubernetes_versions(Cloud.AZURE)
    assert kubernetes_versions(Cloud.AZURE) == tuple(AKS_VERSIONS)  # one source: the dated AKS catalogue


def test_aks_versions_follow_the_release_calendar() -> None:
    # Rows of the AKS release calendar (supported-kubernetes-versions.md): "Nov 2026" ends on the month's last day.
    v134 = aks_version("1.34")
    assert v134 is not None and (v134.ga, v134.end_of_life) == (dt.date(2025, 11, 30), dt.date(2026, 11, 30))
    v130 = aks_version("1.30")
    assert v130 is not None and v130.end_of_life == dt.date(2025, 8, 22)  # an explicit date, as given
    assert aks_version("1.20") is None
    rows = list(AKS_VERSIONS.values())
    assert [r.minor for r in rows] == sorted((r.minor for r in rows), key=lambda m: int(m.split(".")[1]))
    assert all(r.ga < r.end_of_life for r in rows)
    assert all(a.end_of_life <= b.end_of_life for a, b in itertools.pairwise(rows))


@pytest.mark.parametrize(
    ("day", "supported"),
    [
        (dt.date(2026, 11, 22), ("1.34", "1.35", "1.36", "1.37")),
        (
            dt.date(2026, 11, 30),
            ("1.34", "1.35", "1.36", "1.37"),
        ),  # the end-of-life day is the last supported
        (dt.date(2026, 12, 2), ("1.35", "1.36", "1.37")),
        (dt.date(2026, 10, 30), ("1.34", "1.35", "1.36")),  # 1.37 counts as GA from the end of its GA month
        (dt.date(2029, 1, 1), ()),
    ],
)
def test_aks_versions_supported_on_a_date(day: dt.date, supported: tuple[str, ...]) -> None:
    assert aks_versions_supported_on(day) == supported


def test_shipped_countries_use_only_catalogued_facts_and_both_clouds_cover_gpu_types() -> None:
    configs, problems = validate_files(config_dir=CONFIG_DIR, as_of=AS_OF)
    assert problems == []
    gpu_models = {c.cloud: set() for c in configs}
    for c in configs:
        for pool in c.cluster.gpu_pools:
            size = machine_size(c.cloud, pool.vm_size)
            assert size is not None and size.gpus
            gpu_models[c.cloud].add(size.gpu_model)
    assert len(gpu_models[Cloud.AZURE]) >= 3 and len(gpu_models[Cloud.OCI]) >= 3, gpu_models


def test_oci_region_keys_and_oke_releases() -> None:
    from sovereign.catalogue.kubernetes import OKE_RELEASES
    from sovereign.config.derived import oci_registry_host

    assert oci_registry_host("eu-paris-1") == "cdg.ocir.io"
    assert oci_registry_host("eu-frankfurt-2") == "artifacts.eu-frankfurt-2.oci.oraclecloud.eu"
    assert all(r.key and len(r.key) == 3 for r in REGIONS.values() if r.cloud == Cloud.OCI)
    assert set(OKE_RELEASES) == set(kubernetes_versions(Cloud.OCI))
    assert all(v.startswith("v" + minor + ".") for minor, v in OKE_RELEASES.items())
