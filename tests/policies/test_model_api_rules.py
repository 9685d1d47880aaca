"""Rule 'model-api-closed' and the config refusal of 'may_call_assistant' (REAL_PLATFORM_FINDINGS K15).

The defect: vLLM ran without an API key and its NetworkPolicy admitted every tenant namespace allowed to "call
the assistant", so tenants bypassed the national prompt on /v1/completions and could keep the GPUs busy. The
shipped stacks pass; each test below puts one part of the old defect back into a planned stack and fails.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import pytest

from sovereign.config.schema import COUNTRY_CONFIG
from sovereign.plan.runner import plan_stacks
from sovereign.plan.stackfiles import default_stacks_dir, find_stacks
from sovereign.policies import ALL_RULES, PolicyContext, ResourceView, evaluate
from tests.config.helpers import AS_OF, CONFIG_DIR, edit, merged
from tests.plan.test_plan import _context, _views

NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
RULE = "model-api-closed"


@pytest.fixture(scope="module")
def plans() -> dict[str, dict[str, Any]]:
    names = ("de-prod", "fr-prod")
    stacks = [s for s in find_stacks(default_stacks_dir()) if s.name in names]
    return {d["stack"]: d for d in plan_stacks(stacks, as_of=AS_OF, config_dir=CONFIG_DIR)}


def fails(ctx: PolicyContext, views: list[ResourceView]) -> list[str]:
    checks = evaluate([r for r in ALL_RULES if r.id == RULE], ctx, views)
    return [c["message"] for c in checks if c["status"] == "fail"]


def _edited(views: list[ResourceView], name: str, change) -> list[ResourceView]:
    out = []
    for v in views:
        if v.get("metadata.name") == name and v.type in (NETPOL, DEPLOYMENT):
            props = copy.deepcopy(dict(v.props))
            change(props)
            out.append(dataclasses.replace(v, props=props))
        else:
            out.append(v)
    return out


def _server(props: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in props["spec"]["template"]["spec"]["containers"] if c["name"] == "vllm")


@pytest.mark.parametrize("stack", ["de-prod", "fr-prod"])
def test_shipped_stacks_pass_and_the_rule_sees_the_model_servers(plans, stack: str) -> None:
    document = plans[stack]
    [check] = [c for c in document["checks"] if c["policy"] == RULE]
    assert check["status"] == "pass", check
    servers = [v for v in _views(document) if v.type == DEPLOYMENT and v.get("metadata.name") == "assistant"]
    assert servers, "no model server in the plan: the rule would pass on nothing"


def _deployment_names(document: dict[str, Any]) -> list[str]:
    return [
        v.get("metadata.name")
        for v in _views(document)
        if v.type == DEPLOYMENT
        and "sovereign.ai/model-id" in (v.get("spec.template.metadata.annotations") or {})
    ]


@pytest.mark.parametrize(
    "peer",
    [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "tenant-medtech-berlin"}}},
        {"namespaceSelector": {}},
        {"namespaceSelector": {"matchLabels": {"sovereign.ai/purpose": "tenant"}}},
        {"ipBlock": {"cidr": "10.0.0.0/8"}},
        {"podSelector": {}},
    ],
)
def test_an_inference_policy_admitting_more_than_the_front_end_fails(plans, peer: dict[str, Any]) -> None:
    document = plans["de-prod"]
    [name] = _deployment_names(document)[:1]

    def admit(props: dict[str, Any]) -> None:
        props["spec"]["ingress"].append({"from": [peer], "ports": [{"protocol": "TCP", "port": 8000}]})

    messages = fails(_context(document), _edited(_views(document), f"{name}-allow-clients", admit))
    assert len(messages) == 1 and f"{name}-allow-clients" in messages[0], messages
    if "tenant-medtech-berlin" in str(peer):
        assert "tenant namespace 'tenant-medtech-berlin'" in messages[0] and "tenant gateway" in messages[0]


def test_an_ingress_rule_without_from_fails(plans) -> None:
    document = plans["fr-prod"]
    [name] = _deployment_names(document)[:1]

    def open_all(props: dict[str, Any]) -> None:
        props["spec"]["ingress"].append({"ports": [{"protocol": "TCP", "port": 8000}]})

    messages = fails(_context(document), _edited(_views(document), f"{name}-allow-clients", open_all))
    assert len(messages) == 1 and "has no 'from'" in messages[0], messages


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # K15: the server ran with no key at all.
        (lambda s: s.update(command=["vllm", "serve"]), "never sets VLLM_API_KEY from a key file"),
        (
            lambda s: s.update(env=[*s["env"], {"name": "VLLM_API_KEY", "value": "k"}]),
            "sets VLLM_API_KEY in the pod",
        ),
        (
            lambda s: s.update(volumeMounts=[m for m in s["volumeMounts"] if m["name"] != "api-key"]),
            "no mounted Secret",
        ),
        (lambda s: s.update(args=[*s["args"], "--api-key", "k"]), "--api-key on the command line"),
    ],
)
def test_a_model_server_without_its_key_from_a_secret_fails(plans, change, expected: str) -> None:
    document = plans["de-prod"]
    [name] = _deployment_names(document)[:1]
    messages = fails(_context(document), _edited(_views(document), name, lambda p: change(_server(p))))
    assert len(messages) == 1 and expected in messages[0], messages


def test_may_call_assistant_is_refused_with_where_the_access_went() -> None:
    data = edit(merged("de"), {"tenants.0.may_call_assistant": True})
    with pytest.raises(Exception, match="tenant API gateway"):
        COUNTRY_CONFIG.validate_python(data)


def test_a_secret_in_any_other_environment_fails(plans) -> None:
    document = plans["de-prod"]
    ctx = _context(document)
    checks = evaluate([r for r in ALL_RULES if r.id == "secrets-as-files"], ctx, _views(document))
    assert [c["status"] for c in checks] == ["pass"], checks

    def leak(props: dict[str, Any]) -> None:
        server = next(c for c in props["spec"]["template"]["spec"]["containers"] if c["name"] == "open-webui")
        server["env"].append(
            {
                "name": "OAUTH_CLIENT_SECRET",
                "valueFrom": {"secretKeyRef": {"name": "chat-credentials", "key": "x"}},
            }
        )

    views = _edited(_views(document), "chat", leak)
    checks = evaluate([r for r in ALL_RULES if r.id == "secrets-as-files"], ctx, views)
    failed = [c["message"] for c in checks if c["status"] == "fail"]
    assert len(failed) == 1 and "OAUTH_CLIENT_SECRET" in failed[0] and "file" in failed[0], failed
