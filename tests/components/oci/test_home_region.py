"""The home-region check and the home-region provider (REAL_PLATFORM_FINDINGS O1): IAM writes are accepted only
in the tenancy's home region (oracle/terraform-provider-oci#1596), so the program confirms it against the
tenancy's region subscriptions and every IAM write, the compartment included, goes through that provider."""

from __future__ import annotations

import pulumi
import pulumi_oci as oci
import pytest

from components.oci import OciPlatform
from components.oci.regions import confirm_home_region
from sovereign.engine.recorder import Recording, run_program
from tests.components.oci.helpers import at, platform_args, record_platform


def _with_home_provider() -> Recording:
    def program() -> None:
        home = oci.Provider("home", region="eu-paris-1")
        OciPlatform("fr", platform_args(identity_provider=home))
        pulumi.export("ok", True)

    return run_program(program)


def test_confirms_the_home_region() -> None:
    subscriptions = [("eu-paris-1", True), ("eu-marseille-1", False)]
    assert confirm_home_region(subscriptions, "eu-paris-1", configured=False) == "eu-paris-1"


@pytest.mark.parametrize(
    ("subscriptions", "expected", "configured", "says"),
    [
        # The real answer lists every subscription: the home region is named in the error.
        (
            [("eu-frankfurt-1", True), ("eu-paris-1", False)],
            "eu-paris-1",
            False,
            "home region is 'eu-frankfurt-1'",
        ),
        # Filtered by name (what the stack asks): subscribed but not home.
        ([("eu-marseille-1", False)], "eu-marseille-1", True, "it is not its home region"),
        # Filtered by name: not subscribed at all.
        ([], "eu-marseille-1", True, "not subscribed to 'eu-marseille-1'"),
    ],
)
def test_refuses_a_region_that_is_not_home(
    subscriptions: list[tuple[str, bool]], expected: str, configured: bool, says: str
) -> None:
    with pytest.raises(ValueError, match=r"set 'oci\.home_region'") as error:
        confirm_home_region(subscriptions, expected, configured=configured)
    assert says in str(error.value)
    assert ("oci.home_region is" if configured else "the primary region (oci.home_region omitted)") in str(
        error.value
    )


def test_compartment_and_every_iam_write_go_through_the_home_provider() -> None:
    """The finding: with a home provider given, the compartment still went through the in-country one."""
    recording = _with_home_provider()
    iam = [r for r in recording.registrations if r.type.startswith(("oci:Identity/", "oci:Limits/"))]
    assert {r.name for r in iam} >= {"fr-compartment", "fr-fences-quota", "fr-keys-access-keys"}
    for reg in iam:
        assert reg.provider is not None and "::home::" in reg.provider, at(reg)
    vcn = recording.one("oci:Core/vcn:Vcn", "fr-vcn")
    assert vcn.provider is None or "::home::" not in vcn.provider, at(vcn)


def test_the_quota_waits_for_the_compartment() -> None:
    """The finding (O2): the quota names the compartment by path, so it must wait for it explicitly."""
    recording = record_platform()
    quota = recording.one("oci:Limits/quota:Quota", "fr-fences-quota")
    wait = recording.one("time:index/sleep:Sleep", "fr-compartment-wait")
    assert wait.urn in quota.dependencies, at(quota)
    assert recording.one("oci:Identity/compartment:Compartment", "fr-compartment").urn in wait.dependencies
    assert wait.get("createDuration") == "60s", at(wait)
    vcn = recording.one("oci:Core/vcn:Vcn", "fr-vcn")
    assert wait.urn in vcn.dependencies, at(vcn)


def test_buckets_wait_for_the_key_policy_propagation() -> None:
    """The finding (O3, terraform-provider-oci#1514)."""
    recording = record_platform()
    sleep = recording.one("time:index/sleep:Sleep", "fr-keys-access-propagation")
    buckets = recording.of_type("oci:ObjectStorage/bucket:Bucket")
    assert buckets
    for bucket in buckets:
        assert sleep.urn in bucket.dependencies, at(bucket)
