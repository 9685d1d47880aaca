"""OCI settings a real deployment depends on, refused at validation with the reason (review findings O5, O7, O16,
O18): the API endpoint's client ranges, confidential tiers OKE cannot honour, lock dates that rot, boot volumes."""

from __future__ import annotations

import datetime as dt

import pytest

from sovereign.config.loader import validate_files
from tests.config.helpers import AS_OF, CONFIG_DIR, DELETE, edit, merged, messages, violations

OCI_COUNTRIES = ("fr", "jp", "au", "ae")


def _one(found: list[str], *needles: str) -> str:
    hits = [m for m in found if all(n in m for n in needles)]
    assert hits, f"no violation mentioning {needles}; got {found}"
    return hits[0]


@pytest.mark.parametrize("code", OCI_COUNTRIES)
def test_shipped_oci_countries_pass(code: str) -> None:
    assert violations(merged(code)) == []


def test_api_client_cidrs_required() -> None:
    """O5: without a range, the program's Kubernetes provider cannot reach the private endpoint."""
    found = messages(edit(merged("fr"), {"oci.api_client_cidrs": DELETE}))
    message = _one(found, "oci.api_client_cidrs", "cannot connect")
    assert "add the private CIDR" in message


@pytest.mark.parametrize("cidr", ["0.0.0.0/0", "8.8.8.0/24", "11.0.0.0/8", "172.32.0.0/16"])
def test_api_client_cidrs_refuse_public_ranges(cidr: str) -> None:
    found = messages(edit(merged("fr"), {"oci.api_client_cidrs": ["10.0.200.0/24", cidr]}))
    _one(found, "oci.api_client_cidrs[1]", f"'{cidr}' is not a private range")


@pytest.mark.parametrize("cidr", ["10.0.200.0/24", "172.16.5.0/24", "192.168.1.0/28", "100.64.0.0/16"])
def test_api_client_cidrs_accept_private_ranges(cidr: str) -> None:
    assert violations(edit(merged("fr"), {"oci.api_client_cidrs": [cidr]})) == []


@pytest.mark.parametrize("tier", ["confidential_vm", "confidential_gpu"])
def test_confidential_tiers_refused_on_oci(tier: str) -> None:
    """O7: OKE managed node pools have no platform_config, so no confidential VMs."""
    found = messages(edit(merged("jp"), {"cluster.confidential_tier": tier}))
    message = _one(
        found, "cluster.confidential_tier", "OKE managed node pools have no confidential-computing"
    )
    assert "confidential_tier: none" in message


def test_omitted_lock_date_never_rots() -> None:
    """O18: without a configured date, validation passes on any day (the stack derives the date)."""
    for day in (AS_OF, dt.date(2027, 1, 2), dt.date(2027, 12, 1)):  # the model assessment ends 2027-12-31
        # Kubernetes support does end by then (sovereign/catalogue/oke_versions.py): not this test's subject.
        found = [v for v in violations(merged("fr"), day) if v.path != ("cluster", "kubernetes_version")]
        assert found == [], day


@pytest.mark.parametrize(
    ("lock", "ok"),
    [
        ("2026-12-05", False),  # 13 days after AS_OF: OCI refuses a lock sooner than 14 days after creation
        ("2026-12-06", True),
        ("2027-02-20", True),
        ("2027-02-21", False),  # more than 90 days away: the trail stays deletable too long
    ],
)
def test_configured_lock_date_bounded(lock: str, ok: bool) -> None:
    found = messages(edit(merged("fr"), {"storage.stores.1.retention_lock_date": lock}))
    if ok:
        assert found == []
    else:
        message = _one(found, "storage.stores[1].retention_lock_date", "is outside 2026-12-06..2027-02-20")
        assert "remove 'retention_lock_date'" in message


def test_shipped_oci_files_carry_no_fixed_lock_date() -> None:
    """The shipped 2027-01-15 blocked every first deployment after 2027-01-01."""
    for code in OCI_COUNTRIES:
        text = (CONFIG_DIR / f"{code}.yaml").read_text(encoding="utf-8")
        assert "retention_lock_date" not in text, code
    _, problems = validate_files(
        [CONFIG_DIR / f"{c}.yaml" for c in OCI_COUNTRIES], config_dir=CONFIG_DIR, as_of=dt.date(2027, 3, 1)
    )
    # By 2027-03-01 the shipped 1.34 is past OKE support (sovereign/catalogue/oke_versions.py): not this test's
    # subject, which is the lock date.
    assert [p for p in problems if p.path != "cluster.kubernetes_version"] == []


def test_gpu_boot_volume_setting() -> None:
    """O16: GPU pools get a boot volume for the serving and weights images; OCI's bounds are enforced."""
    config = merged("fr")
    assert "boot_volume_gib" not in config["cluster"]["gpu_pools"][0]
    from sovereign.config.schema import COUNTRY_CONFIG

    assert COUNTRY_CONFIG.validate_python(config).cluster.gpu_pools[0].boot_volume_gib == 500  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="boot_volume_gib"):
        COUNTRY_CONFIG.validate_python(edit(config, {"cluster.gpu_pools.0.boot_volume_gib": 100}))
