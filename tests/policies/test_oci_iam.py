"""The OCI IAM rules (sovereign/policies/oci_iam.py) on the shipped OCI plans: each passes on what the stack
declares, and fails on the defect the review found (REAL_PLATFORM_FINDINGS O1, O2, O3, O13, O17), rebuilt from
that plan (a provider swapped back, a dependency removed, a statement dropped)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from sovereign.config.loader import load_country, load_register
from sovereign.plan.runner import plan_stack
from sovereign.plan.stackfiles import default_stacks_dir, find_stacks
from sovereign.policies import ResourceView, evaluate, view_of_plan_resource
from sovereign.policies.model import PolicyContext
from sovereign.policies.oci_iam import OCI_IAM_RULES
from tests.config.helpers import AS_OF, CONFIG_DIR

OCI_STACKS = ("fr-prod", "fr-staging", "jp-prod", "au-prod", "ae-prod")
RULES = tuple(r.id for r in OCI_IAM_RULES)


def _views(document: dict[str, Any]) -> list[ResourceView]:
    return [view_of_plan_resource(r) for r in document["resources"]]


@pytest.fixture(scope="module")
def planned() -> dict[str, list[ResourceView]]:
    stacks = {s.name: s for s in find_stacks(default_stacks_dir())}
    return {name: _views(plan_stack(stacks[name], as_of=AS_OF, config_dir=CONFIG_DIR)) for name in OCI_STACKS}


def _ctx(stack: str = "fr-prod", **oci: Any) -> PolicyContext:
    register, _ = load_register(CONFIG_DIR)
    assert register is not None
    code, env = stack.split("-")
    config = load_country(code, env, config_dir=CONFIG_DIR, as_of=AS_OF)
    if oci:
        config = config.model_copy(update={"oci": config.oci.model_copy(update=oci)})  # type: ignore[union-attr]
    return PolicyContext.of(config, register, AS_OF)


def failures(resources: list[ResourceView], policy: str, ctx: PolicyContext | None = None) -> list[str]:
    [rule] = [r for r in OCI_IAM_RULES if r.id == policy]
    return [c["message"] for c in evaluate([rule], ctx or _ctx(), resources) if c["status"] == "fail"]


def _one(resources: list[ResourceView], type_: str, name: str) -> ResourceView:
    [found] = [r for r in resources if r.type == type_ and r.name == name]
    return found


def _replace(resources: list[ResourceView], target: ResourceView, **changes: Any) -> list[ResourceView]:
    return [dataclasses.replace(r, **changes) if r.urn == target.urn else r for r in resources]


def _drop_deps(
    resources: list[ResourceView], target: ResourceView, drop: Callable[[str], bool]
) -> list[ResourceView]:
    return _replace(resources, target, dependencies=tuple(d for d in target.dependencies if not drop(d)))


@pytest.mark.parametrize("stack", OCI_STACKS)
@pytest.mark.parametrize("policy", RULES)
def test_shipped_plans_pass(planned: dict[str, list[ResourceView]], stack: str, policy: str) -> None:
    assert failures(planned[stack], policy, _ctx(stack)) == []


# O1: IAM writes through the home region ------------------------------------------------------------------------


def test_compartment_through_the_in_country_provider_fails_when_home_differs(
    planned: dict[str, list[ResourceView]],
) -> None:
    """The finding: with home_region set, the compartment still went through the primary-region provider."""
    fr = planned["fr-prod"]
    [in_country] = [r for r in fr if r.type == "pulumi:providers:oci" and r.name == "fr-prod-oci"]
    compartment = _one(fr, "oci:Identity/compartment:Compartment", "fr-prod-compartment")
    moved = _replace(fr, compartment, provider=f"{in_country.urn}::{in_country.name}-id")
    # Same region as home (Paris): accepted. Home elsewhere (Marseille): refused.
    assert failures(moved, "oci-iam-in-home-region") == []
    found = failures(moved, "oci-iam-in-home-region", _ctx(home_region="eu-marseille-1"))
    assert any("fr-prod-compartment" in m and "'eu-marseille-1'" in m for m in found), found


def test_home_provider_in_another_region_fails(planned: dict[str, list[ResourceView]]) -> None:
    fr = planned["fr-prod"]
    home = _one(fr, "pulumi:providers:oci", "fr-prod-oci-home")
    wrong = _replace(fr, home, props={**home.props, "region": "eu-marseille-1"})
    found = failures(wrong, "oci-iam-in-home-region")
    iam = [r for r in fr if r.type.startswith(("oci:Identity/", "oci:Limits/"))]
    assert len(found) == len(iam) >= 6, found


def test_iam_through_no_provider_fails(planned: dict[str, list[ResourceView]]) -> None:
    fr = planned["fr-prod"]
    quota = _one(fr, "oci:Limits/quota:Quota", "fr-prod-fences-quota")
    assert failures(_replace(fr, quota, provider=None), "oci-iam-in-home-region") == [
        "IAM write fr-prod-fences-quota goes through no explicit provider, but OCI accepts IAM writes only in "
        "the tenancy's home region 'eu-paris-1' (oci.home_region, or the primary region): pass the home-region "
        "provider (identity_provider)"
    ]


# O2: statements naming by name wait for what they name -----------------------------------------------------------


def test_quota_without_compartment_dependency_fails(planned: dict[str, list[ResourceView]]) -> None:
    """The finding: the quota named the compartment by a literal path and did not depend on it."""
    fr = planned["fr-prod"]
    quota = _one(fr, "oci:Limits/quota:Quota", "fr-prod-fences-quota")
    assert quota.dependencies, "the quota waits for the compartment's wait"
    found = failures(_drop_deps(fr, quota, lambda d: True), "oci-named-iam-after-target")
    assert found == [
        "fr-prod-fences-quota names compartment 'sovereign-fr-prod' by name but does not depend on it "
        "(fr-prod-compartment): OCI rejects a statement naming a compartment it cannot find yet; add depends_on"
    ]


def test_policy_naming_a_dynamic_group_without_dependency_fails(
    planned: dict[str, list[ResourceView]],
) -> None:
    fr = planned["fr-prod"]
    policy = _one(fr, "oci:Identity/policy:Policy", "fr-prod-keys-access-keys")
    found = failures(_drop_deps(fr, policy, lambda d: "DynamicGroup" in d), "oci-named-iam-after-target")
    assert sorted(m.split(" by name")[0] for m in found) == [
        "fr-prod-keys-access-keys names dynamic group 'fr-prod-keys-access-clusters'",
        "fr-prod-keys-access-keys names dynamic group 'fr-prod-keys-access-workers'",
    ]


# O3, O13, O17: key consumers after their key policy and its propagation wait ------------------------------------


def _without_waits(resources: list[ResourceView], target: ResourceView) -> list[ResourceView]:
    """``target`` depending on nothing of the key custody (no policy, no wait): only on its network."""
    return _drop_deps(resources, target, lambda d: "KeyAccessPolicies" in d or "KeyCustody" in d)


def test_bucket_created_before_its_key_policy_fails(planned: dict[str, list[ResourceView]]) -> None:
    """The finding (terraform-provider-oci#1514): the bucket did not depend on the objectstorage key policy."""
    fr = planned["fr-prod"]
    bucket = _one(fr, "oci:ObjectStorage/bucket:Bucket", "fr-prod-storage-weights")
    found = failures(_without_waits(fr, bucket), "oci-cmk-after-key-policy")
    assert len(found) == 1 and "service objectstorage-eu-paris-1 use of the key" in found[0], found


def test_bucket_without_the_propagation_wait_fails(planned: dict[str, list[ResourceView]]) -> None:
    fr = planned["fr-prod"]
    bucket = _one(fr, "oci:ObjectStorage/bucket:Bucket", "fr-prod-storage-weights")
    only_policy = _drop_deps(fr, bucket, lambda d: d.endswith("-propagation"))
    sleep = _one(fr, "time:index/sleep:Sleep", "fr-prod-keys-access-propagation")
    policy = _one(fr, "oci:Identity/policy:Policy", "fr-prod-keys-access-keys")
    only_policy = _replace(
        only_policy,
        _one(only_policy, bucket.type, bucket.name),
        dependencies=(*_one(only_policy, bucket.type, bucket.name).dependencies, policy.urn),
    )
    assert sleep.urn not in _one(only_policy, bucket.type, bucket.name).dependencies
    found = failures(only_policy, "oci-cmk-after-key-policy")
    assert found == [
        "fr-prod-storage-weights waits for policy fr-prod-keys-access-keys but not for IAM propagation after it "
        "(a time Sleep depending on the policy: components/oci/key_access.py)"
    ]


def test_node_pool_without_the_nodepool_key_delegate_fails(planned: dict[str, list[ResourceView]]) -> None:
    """The finding (O13): boot volumes need the key delegated to request.principal.type 'nodepool'."""
    fr = planned["fr-prod"]
    policy = _one(fr, "oci:Identity/policy:Policy", "fr-prod-keys-access-keys")
    statements = [s for s in policy.props["statements"] if "'nodepool'" not in s]
    found = failures(
        _replace(fr, policy, props={**policy.props, "statements": statements}), "oci-cmk-after-key-policy"
    )
    assert found and all("delegated to node pools" in m for m in found), found
    assert len(found) == 2  # the system pool and the GPU pool


def test_storage_class_without_the_cluster_key_delegate_fails(planned: dict[str, list[ResourceView]]) -> None:
    fr = planned["fr-prod"]
    policy = _one(fr, "oci:Identity/policy:Policy", "fr-prod-keys-access-keys")
    statements = [s for s in policy.props["statements"] if "'cluster'" not in s]
    found = failures(
        _replace(fr, policy, props={**policy.props, "statements": statements}), "oci-cmk-after-key-policy"
    )
    assert len(found) == 1 and "delegated to the cluster" in found[0], found


def test_storage_class_waits_through_its_provider(planned: dict[str, list[ResourceView]]) -> None:
    """The storage class waits for the key policy through the Kubernetes provider (cluster_ready)."""
    fr = planned["fr-prod"]
    provider = _one(fr, "pulumi:providers:kubernetes", "fr-prod-k8s")
    cut = _drop_deps(fr, provider, lambda d: d.endswith("-propagation") or "Cluster" in d or "NodePool" in d)
    found = failures(cut, "oci-cmk-after-key-policy")
    assert len(found) == 2 and all("sovereign-encrypted" in m or "storage-class" in m for m in found), found


def test_cluster_before_its_key_policy_fails(planned: dict[str, list[ResourceView]]) -> None:
    fr = planned["fr-prod"]
    cluster = _one(fr, "oci:ContainerEngine/cluster:Cluster", "fr-prod-cluster")
    found = failures(_without_waits(fr, cluster), "oci-cmk-after-key-policy")
    # The secrets key and the image-signing key.
    assert len(found) == 2 and all(m.startswith("fr-prod-cluster is created with key") for m in found), found
