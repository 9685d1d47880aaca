"""Rule 'scaled-object-metrics-planned': a ScaledObject's metrics exist, and in the cluster (finding K11).

The defect: the inference autoscaler scaled on CPU while nothing scraped vLLM and the monitoring namespace could
not reach it; the plan passed. Each test below removes one link of the chain the rule checks (scale target,
in-cluster Prometheus, no remote write, a scrape job for the target's pods) and sees the rule fail; the shipped
stacks pass and fail once their Prometheus or its vLLM job is taken out.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from sovereign.plan.runner import plan_stacks
from sovereign.plan.stackfiles import default_stacks_dir, find_stacks
from sovereign.policies import ALL_RULES, ResourceView, evaluate
from tests.config.helpers import AS_OF, CONFIG_DIR
from tests.plan.test_plan import _context, _views
from tests.policies.test_rules import ctx, view

RULE = "scaled-object-metrics-planned"
SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
RELEASE = "kubernetes:helm.sh/v3:Release"
ADDRESS = "http://prometheus-server.monitoring.svc.cluster.local:80"
VLLM_LABELS = {"app.kubernetes.io/name": "vllm", "app.kubernetes.io/instance": "assistant"}


def failures(resources: list[ResourceView]) -> list[str]:
    checks = evaluate([r for r in ALL_RULES if r.id == RULE], ctx(), resources)
    return [c["message"] for c in checks if c["status"] == "fail"]


def scaled_object(address: str = ADDRESS, target: str = "assistant") -> ResourceView:
    trigger = {
        "type": "prometheus",
        "metadata": {"serverAddress": address, "query": "sum(x)", "threshold": "4"},
    }
    spec = {"scaleTargetRef": {"kind": "Deployment", "name": target}, "triggers": [trigger]}
    return view(
        SCALED_OBJECT, {"metadata": {"name": "assistant", "namespace": "assistant"}, "spec": spec}, name="so"
    )


def deployment(labels: dict[str, str] | None = None) -> ResourceView:
    template = {"metadata": {"labels": labels or VLLM_LABELS}}
    props = {"metadata": {"name": "assistant", "namespace": "assistant"}, "spec": {"template": template}}
    return view(DEPLOYMENT, props, name="deployment")


def prometheus(**server: Any) -> ResourceView:
    job = {
        "kubernetes_sd_configs": [
            {
                "role": "pod",
                "namespaces": {"names": ["assistant"]},
                "selectors": [{"role": "pod", "label": "app.kubernetes.io/name=vllm"}],
            }
        ]
    }
    values = {
        "server": {"fullnameOverride": "prometheus-server", "remoteWrite": [], **server},
        "scrapeConfigs": {"kubernetes-pods": {"enabled": False}, "vllm": job},
    }
    props = {
        "chart": "oci://desovereignregistry.azurecr.io/helm/prometheus",
        "namespace": "monitoring",
        "values": values,
    }
    return view(RELEASE, props, name="prometheus")


def test_a_scaled_object_on_the_planned_prometheus_passes() -> None:
    assert failures([scaled_object(), deployment(), prometheus()]) == []


def test_a_missing_scale_target_fails() -> None:
    [message] = failures([scaled_object(target="gone"), deployment(), prometheus()])
    assert "its scale target Deployment 'assistant/gone' is not in the plan" in message


@pytest.mark.parametrize(
    "address",
    ["https://de-amw.germanywestcentral.prometheus.monitor.azure.com", "http://10.0.0.5:9090"],
)
def test_a_prometheus_outside_the_cluster_fails(address: str) -> None:
    [message] = failures([scaled_object(address), deployment(), prometheus()])
    assert "is not a Service in the cluster" in message


@pytest.mark.parametrize(
    "address",
    [
        "http://prometheus-server.observability.svc.cluster.local:80",  # wrong namespace
        "http://prometheus.monitoring.svc.cluster.local:80",  # wrong service
    ],
)
def test_an_address_no_planned_prometheus_serves_fails(address: str) -> None:
    [message] = failures([scaled_object(address), deployment(), prometheus()])
    assert "names no planned Prometheus" in message


def test_a_prometheus_chart_from_outside_the_country_does_not_count() -> None:
    foreign = prometheus()
    foreign = ResourceView(
        foreign.urn, foreign.type, foreign.name, {**foreign.props, "chart": "prometheus-community/prometheus"}
    )
    [message] = failures([scaled_object(), deployment(), foreign])
    assert "names no planned Prometheus" in message


def test_remote_write_fails() -> None:
    remote = prometheus(remoteWrite=[{"url": "https://metrics.example.com/api/v1/write"}])
    [message] = failures([scaled_object(), deployment(), remote])
    assert "writes its samples elsewhere (server.remoteWrite)" in message


def test_a_prometheus_that_does_not_scrape_the_target_fails() -> None:
    [message] = failures([scaled_object(), deployment({"app.kubernetes.io/name": "sglang"}), prometheus()])
    assert "has no scrape job discovering the pods of 'assistant/assistant'" in message
    disabled = prometheus()
    values = copy.deepcopy(disabled.props["values"])
    values["scrapeConfigs"]["vllm"]["enabled"] = False
    disabled = ResourceView(disabled.urn, disabled.type, disabled.name, {**disabled.props, "values": values})
    assert failures([scaled_object(), deployment(), disabled]) != []


# --- the real stacks ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def plans() -> dict[str, dict[str, Any]]:
    names = ("fr-prod", "de-prod")
    stacks = [s for s in find_stacks(default_stacks_dir()) if s.name in names]
    return {d["stack"]: d for d in plan_stacks(stacks, as_of=AS_OF, config_dir=CONFIG_DIR)}


def _run(document: dict[str, Any], views: list[ResourceView]) -> list[dict[str, Any]]:
    checks = evaluate([r for r in ALL_RULES if r.id == RULE], _context(document), views)
    return [c for c in checks if c["status"] == "fail"]


@pytest.mark.parametrize("stack", ["fr-prod", "de-prod"])
def test_the_shipped_stacks_scale_on_their_in_cluster_prometheus(plans, stack: str) -> None:
    document = plans[stack]
    views = _views(document)
    scaled = sorted(v.urn for v in views if v.type == SCALED_OBJECT)
    assert scaled
    assert _run(document, views) == []
    without = [v for v in views if not (v.type == RELEASE and v.get("chart", "").endswith("/prometheus"))]
    assert sorted({c["urn"] for c in _run(document, without)}) == scaled  # one finding per trigger


def test_fr_prod_fails_when_the_vllm_job_is_dropped(plans) -> None:
    document = plans["fr-prod"]
    views = []
    for v in _views(document):
        if v.type == RELEASE and v.get("chart", "").endswith("/prometheus"):
            values = copy.deepcopy(v.props["values"])
            values["scrapeConfigs"].pop("vllm")
            views.append(ResourceView(v.urn, v.type, v.name, {**v.props, "values": values}))
            continue
        views.append(v)
    assert [c["message"] for c in _run(document, views)] != []
