"""Rule 'no-image-policy-break-glass' (OCI check line: the image policy's break-glass annotation not blocked)."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import pytest

from components.kubernetes.admission import POLICY_NAME
from sovereign.plan.runner import plan_stacks
from sovereign.plan.stackfiles import default_stacks_dir, find_stacks
from sovereign.policies import ALL_RULES, PolicyContext, ResourceView, evaluate
from tests.config.helpers import AS_OF, CONFIG_DIR
from tests.plan.test_plan import _context, _views

RULE = "no-image-policy-break-glass"
BINDING = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding"
POLICY = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy"


@pytest.fixture(scope="module")
def plans() -> dict[str, dict[str, Any]]:
    stacks = [s for s in find_stacks(default_stacks_dir()) if s.name in ("de-prod", "fr-prod")]
    return {d["stack"]: d for d in plan_stacks(stacks, as_of=AS_OF, config_dir=CONFIG_DIR)}


def fails(ctx: PolicyContext, views: list[ResourceView]) -> list[str]:
    checks = evaluate([r for r in ALL_RULES if r.id == RULE], ctx, views)
    return [c["message"] for c in checks if c["status"] == "fail"]


@pytest.mark.parametrize("stack", ["de-prod", "fr-prod"])
def test_the_shipped_stacks_deny_the_annotation(plans, stack: str) -> None:
    document = plans[stack]
    views = _views(document)
    [policy] = [v for v in views if v.type == POLICY]
    assert policy.get("metadata.name") == POLICY_NAME
    assert "image-policy.k8s.io/break-glass" in policy.get("spec.validations")[0]["expression"]
    assert fails(_context(document), views) == []


def test_without_the_bound_policy_the_plan_fails(plans) -> None:
    document = plans["fr-prod"]
    views = [v for v in _views(document) if v.type != BINDING]
    [message] = fails(_context(document), views)
    assert "break-glass" in message


def test_a_workload_carrying_the_annotation_fails(plans) -> None:
    document = plans["de-prod"]
    views = []
    for view in _views(document):
        edited = view
        if view.type == "kubernetes:apps/v1:Deployment":
            props = copy.deepcopy(dict(view.props))
            props["spec"]["template"]["metadata"].setdefault("annotations", {})[
                "alpha.image-policy.k8s.io/break-glass"
            ] = "true"
            edited = dataclasses.replace(view, props=props)
        views.append(edited)
    found = fails(_context(document), views)
    assert found and all("alpha.image-policy.k8s.io/break-glass" in m for m in found), found
