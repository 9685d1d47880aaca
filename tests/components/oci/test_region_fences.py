"""RegionFences on a real SovereignNetwork: zero quotas outside the country, region-bound admin IAM on its
compartment."""

import re
from typing import Any

import pulumi_oci as oci
import pytest

from components.oci.network import SovereignNetwork
from components.oci.region_fences import RegionFences, RegionFencesArgs
from components.oci.statements import FENCED_QUOTA_FAMILIES
from sovereign.engine.recorder import Recording
from tests.components.oci.helpers import COMPARTMENT, TAGS, TENANCY, at, with_network

ALLOWED = ["eu-paris-1", "eu-marseille-1"]


def _args(network: SovereignNetwork, **overrides: object) -> RegionFencesArgs:
    base: dict[str, object] = {
        "tenancy_id": TENANCY,
        "network": network,
        "compartment_path": "sovereign:fr-prod",
        "region": "eu-paris-1",
        "allowed_regions": ALLOWED,
        "admin_groups": ["fr-platform-admins"],
        "freeform_tags": TAGS,
    }
    return RegionFencesArgs(**{**base, **overrides})  # type: ignore[arg-type]


def _record(*, home: bool = False, **overrides: Any) -> Recording:
    """RegionFences 'fr-fences' on the network 'de' (in Paris), IAM optionally through a home-region provider."""

    def build(net: SovereignNetwork) -> None:
        provider = oci.Provider("home", region="eu-frankfurt-1") if home else None
        RegionFences("fr-fences", _args(net, identity_provider=provider, **overrides))

    return with_network(build, region="eu-paris-1")


@pytest.fixture(scope="module")
def recording() -> Recording:
    return _record(home=True)


def test_quota_in_root_compartment_zeroes_every_family(recording: Recording) -> None:
    quota = recording.one("oci:Limits/quota:Quota", "fr-fences-quota")
    assert quota.get("compartmentId") == TENANCY, at(quota)
    statements = quota.get("statements")
    assert [s.split()[:3] for s in statements] == [["zero", f, "quotas"] for f in FENCED_QUOTA_FAMILIES], at(
        quota
    )
    for statement in statements:
        assert " in compartment sovereign:fr-prod where " in statement, at(quota)


def test_quota_statements_name_only_in_country_regions(recording: Recording) -> None:
    quota = recording.one("oci:Limits/quota:Quota", "fr-fences-quota")
    for statement in quota.get("statements"):
        assert statement.endswith(
            "where all {request.region != 'eu-paris-1', request.region != 'eu-marseille-1'}"
        ), f"{statement!r} {at(quota)}"
        named = set(re.findall(r"request\.region != '([a-z0-9-]+)'", statement))
        assert named == set(ALLOWED), f"{statement!r} {at(quota)}"


def test_admin_policy_region_conditioned_and_attached_above_the_compartment(recording: Recording) -> None:
    policy = recording.one("oci:Identity/policy:Policy", "fr-fences-admins")
    assert policy.get("compartmentId") == TENANCY, at(policy)
    statements = policy.get("statements")
    assert len(statements) == 2, at(policy)
    for statement, key in zip(statements, ["CDG", "MRS"], strict=True):
        assert statement.startswith(
            f"Allow group fr-platform-admins to manage all-resources in compartment id {COMPARTMENT} where all "
            f"{{request.region = '{key}', "
        ), f"{statement!r} {at(policy)}"
        assert "request.permission != 'POLICY_CREATE'" in statement, at(policy)


def test_iam_and_quota_through_home_region_provider_and_parented(recording: Recording) -> None:
    component = recording.one("sovereign:oci:RegionFences", "fr-fences")
    for reg in (
        recording.one("oci:Limits/quota:Quota", "fr-fences-quota"),
        recording.one("oci:Identity/policy:Policy", "fr-fences-admins"),
    ):
        assert reg.parent == component.urn, at(reg)
        assert reg.provider is not None and "pulumi:providers:oci::home" in reg.provider, at(reg)


def test_policy_compartment_can_be_a_parent() -> None:
    recording = _record(policy_compartment_id="ocid1.compartment.oc1..parent")
    policy = recording.one("oci:Identity/policy:Policy", "fr-fences-admins")
    assert policy.get("compartmentId") == "ocid1.compartment.oc1..parent", at(policy)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"region": "eu-frankfurt-1"}, "not one of allowed_regions"),
        ({"allowed_regions": ["eu-paris-1", "eu-madrid-2"]}, "span realms"),
        ({"allowed_regions": ["eu-paris-1", "francecentral"]}, "unknown OCI region"),
        ({"admin_groups": []}, "at least one country admin group"),
        ({"admin_groups": ["fr admins"]}, "admin_groups"),
        ({"compartment_path": "fr prod"}, "compartment_path"),
        ({"quota_families": ["compute core"]}, "family"),
    ],
)
def test_rejects_fences_that_would_leak_or_lock_out(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _record(**overrides)


def test_vaults_are_fenced_outside_the_country(recording: Recording) -> None:
    """Keys are the country's: no vault (virtual or private) may be created outside the allowed regions.

    Oracle, "Vault Quotas" (docs.oracle.com/en-us/iaas/Content/Quotas/Concepts/resourcequotas_topic-Vault_Quotas.htm):
    "Family name: kms", quotas virtual-private-vault-count and virtual-vault-count, both regional; a zero
    statement "Removes access to a cloud resource for a compartment" (Quotas/Concepts/quota_policy_syntax.htm).
    """
    quota = recording.one("oci:Limits/quota:Quota", "fr-fences-quota")
    assert (
        "zero kms quotas in compartment sovereign:fr-prod "
        "where all {request.region != 'eu-paris-1', request.region != 'eu-marseille-1'}"
    ) in quota.get("statements"), at(quota)
