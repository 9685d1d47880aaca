"""The ``oci-names`` rule refuses names OCI would refuse at create time (issue 13).

Rows and their sources: ``sovereign/clouds/oci/naming.py`` (compartment names 1-100 letters, numbers, periods,
hyphens, underscores, Oracle "Managing Compartments"; bucket names "uppercase or lowercase letters, numbers,
hyphens, underscores, and periods", pulumi_oci 5.5.0 objectstorage/bucket.py; OCIR repository names lower
case, Oracle "Creating a Repository"). Shipped stacks passing the rule is asserted by tests/plan (0 failed
checks) and below on the jp-prod plan.
"""

from __future__ import annotations

from typing import Any

from sovereign.clouds.oci.naming import RULES, UNNAMED_TYPES
from tests.policies.test_rules import failures, view

COMPARTMENT = "oci:Identity/compartment:Compartment"
BUCKET = "oci:ObjectStorage/bucket:Bucket"
REPOSITORY = "oci:Artifacts/containerRepository:ContainerRepository"
VAULT = "oci:Kms/vault:Vault"


def test_rejects_a_compartment_name_over_100_characters() -> None:
    messages = failures([view(COMPARTMENT, {"name": "sovereign-" + "x" * 91})], "oci-names")
    assert len(messages) == 1 and "101 characters" in messages[0] and "1-100" in messages[0], messages


def test_rejects_a_compartment_name_with_a_space() -> None:
    messages = failures([view(COMPARTMENT, {"name": "sovereign fr"})], "oci-names")
    assert len(messages) == 1 and "letters, numbers, periods" in messages[0], messages


def test_rejects_a_bucket_name_with_a_slash_and_one_over_256() -> None:
    assert failures([view(BUCKET, {"name": "fr/audit"})], "oci-names")
    messages = failures([view(BUCKET, {"name": "b" * 257})], "oci-names")
    assert len(messages) == 1 and "257 characters" in messages[0], messages
    assert failures([view(BUCKET, {"name": "b" * 256})], "oci-names") == []


def test_rejects_an_upper_case_repository_name() -> None:
    messages = failures([view(REPOSITORY, {"displayName": "FRregistry/mirror/vllm"})], "oci-names")
    assert len(messages) == 1 and "lower-case" in messages[0], messages
    assert failures([view(REPOSITORY, {"displayName": "frregistry/mirror/vllm"})], "oci-names") == []


def test_rejects_an_over_long_display_name_and_a_missing_one() -> None:
    assert "256 characters" in failures([view(VAULT, {"displayName": "v" * 256})], "oci-names")[0]
    assert "displayName is not set" in failures([view(VAULT, {})], "oci-names")[0]


def test_an_unknown_oci_type_fails_naming_the_fix() -> None:
    messages = failures([view("oci:Dns/zone:Zone", {"name": "z"})], "oci-names")
    assert len(messages) == 1 and "add a row" in messages[0] and "oci:Dns/zone:Zone" in messages[0]


def test_every_planned_oci_type_has_a_row_and_passes(plans: dict[str, dict[str, Any]]) -> None:
    for stack, plan in plans.items():
        if plan["cloud"] != "oci":
            continue
        types = {r["type"] for r in plan["resources"] if r["type"].startswith("oci:") and r["custom"]}
        assert types <= RULES.keys() | UNNAMED_TYPES, (stack, sorted(types - RULES.keys() - UNNAMED_TYPES))
        checks = [c for c in plan["checks"] if c["policy"] == "oci-names"]
        assert checks and all(c["status"] == "pass" for c in checks), (stack, checks)
