"""Issue 16, machines and Kubernetes versions: the catalogue's GPU and CPU sizes, GPU sizes the toolkit cannot
serve (AMD, Arm), and OKE's dated support, each rejection built from an edit of a shipped country file."""

from __future__ import annotations

import datetime as dt

import pytest

from sovereign.catalogue import MACHINE_SIZES, find_region, machine_size
from sovereign.catalogue import oke_versions as oke
from sovereign.catalogue.kubernetes import (
    OKE_RELEASES,
    kubernetes_versions,
    kubernetes_versions_supported_on,
    newest_supported_version,
)
from sovereign.catalogue.machines import unsupported_gpu_reason
from sovereign.catalogue.oke_versions import OKE_VERSIONS, OkeVersion, oke_version, oke_versions_supported_on
from sovereign.config.loader import validate_files
from sovereign.config.template import CountryTemplate, render_country_file
from sovereign.types import Cloud
from tests.config.helpers import AS_OF, CONFIG_DIR, edit, merged, messages

TODAY = dt.date(2026, 12, 2)  # explicit: the tests do not rot as the calendars move on


def _at(found: list[str], prefix: str) -> list[str]:
    return [m for m in found if m.startswith(prefix)]


# Machines -----------------------------------------------------------------------------------------------------


def test_gpu_sizes_carry_what_serving_needs() -> None:
    gpu = [s for s in MACHINE_SIZES.values() if s.gpus]
    assert all(s.gpu_model and s.gpu_memory_gib > 0 and s.interconnect for s in gpu), gpu
    assert all(s.gpu_vendor in ("nvidia", "amd") and s.architecture in ("amd64", "arm64") for s in gpu)
    # A fixed shape without vCPUs/memory is one whose CPU columns no reachable source gave: never servable.
    assert all(unsupported_gpu_reason(s) for s in gpu if s.vcpus is None)
    assert all(s.vcpus is not None or s.name.endswith(".Flex") for s in MACHINE_SIZES.values() if not s.gpus)
    models = {(s.cloud, s.gpu_model) for s in gpu}
    for cloud, model in [
        (Cloud.AZURE, "H200"),
        (Cloud.AZURE, "GB200"),
        (Cloud.AZURE, "GB300"),
        (Cloud.AZURE, "MI300X"),
        (Cloud.OCI, "H200"),
        (Cloud.OCI, "B200"),
        (Cloud.OCI, "GB200"),
        (Cloud.OCI, "MI300X"),
        (Cloud.OCI, "MI355X"),
        (Cloud.OCI, "L40S"),
    ]:
        assert (cloud, model) in models, (cloud, model)


@pytest.mark.parametrize(
    ("cloud", "name", "gpus", "gpu_gb", "vcpus", "memory"),
    [
        # MicrosoftDocs/azure-compute-docs nd-h200-v5-series.md: 96 vCPUs, 1850 GB, 8 accelerators, 1128 GB.
        (Cloud.AZURE, "Standard_ND96isr_H200_v5", 8, 141, 96, 1850),
        # nd-gb200-v6-series.md: 128 vCPUs, 900 GiB, 4 accelerators "(192 GiB)".
        (Cloud.AZURE, "Standard_ND128isr_NDR_GB200_v6", 4, 192, 128, 900),
        # Oracle computeshapes.htm, Bare Metal Shapes: GPU: 112 OCPUs, 1128 GB GPU memory, 3072 GB.
        (Cloud.OCI, "BM.GPU.H200.8", 8, 141, 224, 3072),
        # 128 OCPUs, 1440 GB GPU memory, 4096 GB.
        (Cloud.OCI, "BM.GPU.B200.8", 8, 180, 256, 4096),
    ],
)
def test_new_sizes_match_their_sources(
    cloud: Cloud, name: str, gpus: int, gpu_gb: int, vcpus: int, memory: int
) -> None:
    size = machine_size(cloud, name)
    assert size is not None
    assert (size.gpus, size.gpu_memory_gib, size.vcpus, size.memory_gib) == (gpus, gpu_gb, vcpus, memory)


@pytest.mark.parametrize(
    ("code", "size"),
    [("gb", "Standard_ND96isr_H200_v5"), ("kr", "Standard_NC80adis_H100_v5"), ("fr", "BM.GPU.H200.8")],
)
def test_accepts_current_nvidia_gpu_sizes(code: str, size: str) -> None:
    found = messages(edit(merged(code), {"cluster.gpu_pools.0.vm_size": size}))
    assert _at(found, "cluster.gpu_pools[0].vm_size") == []


@pytest.mark.parametrize(
    ("code", "size"),
    [("gb", "Standard_ND96isr_MI300X_v5"), ("jp", "BM.GPU.MI300X.8"), ("ae", "BM.GPU.MI355X.8")],
)
def test_rejects_amd_gpu_pool(code: str, size: str) -> None:
    """A careless 'cheaper GPUs' edit: the pods would ask for nvidia.com/gpu on nodes advertising amd.com/gpu."""
    found = _at(
        messages(edit(merged(code), {"cluster.gpu_pools.0.vm_size": size})), "cluster.gpu_pools[0].vm_size"
    )
    assert len(found) == 1, found
    assert "amd.com/gpu" in found[0] and "AMD GPU operator" in found[0] and "nvidia.com/gpu" in found[0]
    assert "use an NVIDIA amd64 GPU size" in found[0] and "MI300X" not in found[0].split("use an NVIDIA")[1]


@pytest.mark.parametrize(
    ("code", "size"),
    [
        ("kr", "Standard_ND128isr_NDR_GB200_v6"),
        ("gb", "Standard_ND128isr_GB300_v6"),
        ("fr", "BM.GPU.GB200.4"),
    ],
)
def test_rejects_arm64_gpu_pool(code: str, size: str) -> None:
    found = _at(
        messages(edit(merged(code), {"cluster.gpu_pools.0.vm_size": size})), "cluster.gpu_pools[0].vm_size"
    )
    assert len(found) == 1, found
    assert "arm64" in found[0] and "amd64-only" in found[0]


# Kubernetes versions ------------------------------------------------------------------------------------------


def test_oke_catalogue_is_one_table() -> None:
    assert kubernetes_versions(Cloud.OCI) == tuple(OKE_VERSIONS)
    assert {m: v.release for m, v in OKE_VERSIONS.items()} == OKE_RELEASES
    assert all(v.release.startswith(f"v{m}.") for m, v in OKE_VERSIONS.items())
    rows = list(OKE_VERSIONS.values())
    assert [r.minor for r in rows] == sorted((r.minor for r in rows), key=lambda m: int(m.split(".")[1]))


@pytest.mark.parametrize(
    ("day", "supported"),
    [
        (AS_OF, ("1.34", "1.35")),
        (TODAY, ("1.34", "1.35")),
        # 1.33: upstream end of life 2026-06-28 (kubernetes.io/releases/1.33) + 91 days, its last day.
        (dt.date(2026, 9, 27), ("1.33", "1.34", "1.35")),
        (dt.date(2026, 9, 28), ("1.34", "1.35")),
        (dt.date(2027, 6, 1), ()),
    ],
)
def test_oke_versions_supported_on_a_date(day: dt.date, supported: tuple[str, ...]) -> None:
    assert oke_versions_supported_on(day) == supported
    assert kubernetes_versions_supported_on(Cloud.OCI, day) == supported


def test_oke_end_of_support_follows_oracles_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """'For a minimum of 30 days after the announcement of support for a new Kubernetes version, Kubernetes
    Engine continues to support the fourth oldest': once a dated 1.36 exists, 1.33 ends 30 days after it."""
    v133 = oke_version("1.33")
    assert v133 is not None
    rows = {**OKE_VERSIONS, "1.36": OkeVersion("1.36", "v1.36.1", dt.date(2027, 6, 28), dt.date(2026, 6, 1))}
    monkeypatch.setattr(oke, "OKE_VERSIONS", rows)
    assert v133.end_of_support()[0] == dt.date(2026, 7, 1)
    explicit = OkeVersion(
        "1.28", "v1.28.10", dt.date(2024, 10, 28), dt.date(2023, 12, 19), dt.date(2025, 1, 27)
    )
    assert explicit.end_of_support() == (dt.date(2025, 1, 27), "Oracle's OKE end-of-life date")
    assert not explicit.supported_on(dt.date(2023, 12, 18)) and explicit.supported_on(dt.date(2025, 1, 27))


def _version(code: str, version: str, day: dt.date) -> list[str]:
    return _at(
        messages(edit(merged(code), {"cluster.kubernetes_version": version}), day),
        "cluster.kubernetes_version",
    )


def test_accepts_oke_version_in_support() -> None:
    assert _version("fr", "1.34", TODAY) == [] and _version("jp", "1.35", TODAY) == []
    assert _version("au", "1.33", dt.date(2026, 9, 27)) == []  # the last day counts


def test_rejects_oke_version_past_support() -> None:
    """A stack left on an old minor: OKE creates no cluster on it any more."""
    found = _version("fr", "1.33", TODAY)
    assert len(found) == 1, found
    assert "OKE support for '1.33' ended on 2026-09-27" in found[0]
    assert "upstream end of life 2026-06-28" in found[0]
    assert "allowed on 2026-12-02: 1.34, 1.35" in found[0] and "e.g. '1.35'" in found[0]


@pytest.mark.parametrize("version", ["1.32", "1.36", "1.40"])
def test_rejects_oke_version_missing_from_the_catalogue(version: str) -> None:
    found = _version("ae", version, TODAY)
    assert len(found) == 1, found
    assert f"'{version}' is not an OKE version in the catalogue" in found[0]
    assert "allowed on 2026-12-02: 1.34, 1.35" in found[0] and "oke_versions.py" in found[0]


def test_rejects_every_oke_version_once_the_catalogue_is_out_of_date() -> None:
    found = _version("jp", "1.35", dt.date(2028, 1, 1))
    assert len(found) == 1 and "the catalogue is out of date" in found[0], found


def test_shipped_countries_are_valid_today() -> None:
    _, problems = validate_files(config_dir=CONFIG_DIR, as_of=TODAY)
    assert problems == []


@pytest.mark.parametrize(
    ("cloud", "region", "day", "version"),
    [
        (Cloud.AZURE, "swedencentral", TODAY, "1.37"),
        (
            Cloud.AZURE,
            "swedencentral",
            dt.date(2026, 10, 15),
            "1.36",
        ),  # 1.37 is GA in every region from Oct 31
        (Cloud.OCI, "eu-paris-1", TODAY, "1.35"),
    ],
)
def test_new_country_starts_on_the_newest_supported_version(
    cloud: Cloud, region: str, day: dt.date, version: str
) -> None:
    found = find_region(cloud, region)
    assert found is not None
    text = render_country_file(CountryTemplate("se", "Sweden", cloud, found, as_of=day))
    assert f'  kubernetes_version: "{version}"' in text
    assert newest_supported_version(cloud, day) == version


def test_new_country_refuses_an_out_of_date_catalogue() -> None:
    with pytest.raises(
        ValueError, match="no oci Kubernetes version in the catalogue is supported on 2028-01-01"
    ):
        newest_supported_version(Cloud.OCI, dt.date(2028, 1, 1))
