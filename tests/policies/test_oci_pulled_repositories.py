"""Rule 'oci-pulled-repositories-planned': every image and chart an OKE stack pulls from the country's registry
is a repository the plan creates. Before it, an OCI country without an assistant planned no repository at all
and its Calico, KEDA and Prometheus mirrors had none (a push would create them in the root compartment)."""

from __future__ import annotations

from typing import Any

import pytest

from sovereign.policies import PolicyContext, ResourceView
from sovereign.policies.oci_platform_rules import REPOSITORY
from tests.plan.test_plan import _context, _views
from tests.policies.shipped import rule_failures, shipped_plans

RULE = "oci-pulled-repositories-planned"


@pytest.fixture(scope="module")
def plans() -> dict[str, dict[str, Any]]:
    return shipped_plans("fr-prod", "de-prod")


def fails(ctx: PolicyContext, views: list[ResourceView]) -> list[str]:
    return rule_failures(RULE, ctx, views)


def test_the_oci_stack_creates_every_repository_it_pulls_from(plans) -> None:
    document = plans["fr-prod"]
    views = _views(document)
    names = {v.get("displayName") for v in views if v.type == REPOSITORY}
    assert {
        "frsovereignregistry/helm/calico",
        "frsovereignregistry/mirror/calico/node",
        "frsovereignregistry/helm/keda",
        "frsovereignregistry/mirror/kedacore/keda",
        "frsovereignregistry/helm/prometheus",
        "frsovereignregistry/mirror/prometheus/prometheus",
        "frsovereignregistry/mirror/vllm/vllm-openai",
    } <= names
    assert fails(_context(document), views) == []


@pytest.mark.parametrize(
    ("removed", "puller"),
    [
        ("frsovereignregistry/mirror/calico/node", "fr-prod-calico-release"),  # {registry, image} values
        ("frsovereignregistry/mirror/kedacore/keda", "fr-prod-keda-release"),  # {registry, repository}
        ("frsovereignregistry/mirror/prometheus/prometheus", "fr-prod-prometheus-release"),  # full repository
        ("frsovereignregistry/helm/calico", "fr-prod-calico-release"),  # the chart itself
        (
            "frsovereignregistry/mirror/vllm/vllm-openai",
            "fr-prod-assistant-assistant-deployment",
        ),  # a workload's container image
    ],
)
def test_rejects_a_pulled_path_without_its_repository(plans, removed: str, puller: str) -> None:
    document = plans["fr-prod"]
    views = [v for v in _views(document) if not (v.type == REPOSITORY and v.get("displayName") == removed)]
    messages = fails(_context(document), views)
    assert messages and all(f"pulls '{removed}'" in m for m in messages)
    assert any(f"'{puller}'" in m for m in messages)


def test_azure_stacks_are_not_judged(plans) -> None:
    document = plans["de-prod"]
    views = [v for v in _views(document) if v.type != REPOSITORY]
    assert fails(_context(document), views) == []
