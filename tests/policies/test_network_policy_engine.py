"""Rules 'network-policy-engine' and 'hpa-metrics-source': objects that do nothing without what enforces them.

The defects (REAL_PLATFORM_FINDINGS O4, O9, K10): on OKE the default-deny and tenant isolation NetworkPolicies
were applied with no engine (OKE's CNI enforces none), and the assistant's HPA had no metrics-server, while the
plan reported pass. The real fr-prod plan now passes with Calico and the metrics add-on, and fails the moment
either is taken out; the Azure stacks pass on AKS's own engine.
"""

from __future__ import annotations

from typing import Any

import pytest

from sovereign.plan.runner import plan_stacks
from sovereign.plan.stackfiles import default_stacks_dir, find_stacks
from sovereign.policies import ALL_RULES, PolicyContext, ResourceView, evaluate
from tests.config.helpers import AS_OF, CONFIG_DIR
from tests.plan.test_plan import _context, _views
from tests.policies.test_rules import ctx, view

NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
RELEASE = "kubernetes:helm.sh/v3:Release"
CLUSTER = "azure-native:containerservice:ManagedCluster"
ADDON = "oci:ContainerEngine/addon:Addon"
SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject"


def failures(rule: str, resources: list[ResourceView], context: PolicyContext | None = None) -> list[str]:
    checks = evaluate([r for r in ALL_RULES if r.id == rule], context or ctx(), resources)
    return [c["message"] for c in checks if c["status"] == "fail"]


def deny_all() -> ResourceView:
    spec = {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    return view(
        NETPOL, {"metadata": {"name": "default-deny-all", "namespace": "assistant"}, "spec": spec}, name="np"
    )


def calico(chart: str = "oci://desovereignregistry.azurecr.io/helm/calico") -> ResourceView:
    return view(RELEASE, {"chart": chart, "version": "3.32.1"}, name="calico")


def hpa(*metrics: dict[str, Any]) -> ResourceView:
    spec: dict[str, Any] = {"scaleTargetRef": {"kind": "Deployment", "name": "assistant"}}
    if metrics:
        spec["metrics"] = list(metrics)
    return view(HPA, {"metadata": {"name": "assistant", "namespace": "assistant"}, "spec": spec}, name="hpa")


CPU = {
    "type": "Resource",
    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
}


# --- network-policy-engine ---------------------------------------------------------------------------------


def test_a_network_policy_without_an_engine_fails() -> None:
    [message] = failures("network-policy-engine", [deny_all()])
    assert "NetworkPolicy 'assistant/default-deny-all' is not enforced by anything" in message
    assert "oci://desovereignregistry.azurecr.io/helm/calico" in message  # how to fix


def test_a_calico_release_from_the_country_registry_enforces_them() -> None:
    assert failures("network-policy-engine", [deny_all(), calico()]) == []


def test_a_calico_chart_from_outside_the_country_does_not_count() -> None:
    [message] = failures("network-policy-engine", [deny_all(), calico("oci://quay.io/calico/calico")])
    assert "installs 'oci://quay.io/calico/calico', not a chart of the country's registry" in message


def test_a_calico_node_daemonset_counts() -> None:
    pod = {"containers": [{"name": "calico-node", "image": "reg.example/mirror/calico/node:v3.32.1"}]}
    daemonset = view(
        "kubernetes:apps/v1:DaemonSet", {"spec": {"template": {"spec": pod}}}, name="calico-node"
    )
    assert failures("network-policy-engine", [deny_all(), daemonset]) == []


@pytest.mark.parametrize(
    ("policy", "enforced"), [("cilium", True), ("calico", True), ("azure", True), ("none", False)]
)
def test_aks_counts_only_an_enforcing_network_policy(policy: str, enforced: bool) -> None:
    cluster = view(CLUSTER, {"networkProfile": {"networkPolicy": policy}}, name="aks")
    messages = failures("network-policy-engine", [deny_all(), cluster])
    assert (messages == []) is enforced, messages
    if not enforced:
        assert "ManagedCluster 'aks' has networkProfile.networkPolicy 'none'" in messages[0]


def test_no_network_policy_nothing_to_enforce() -> None:
    assert failures("network-policy-engine", [view(CLUSTER, {}, name="aks")]) == []


# --- hpa-metrics-source ------------------------------------------------------------------------------------


@pytest.mark.parametrize("autoscaler", [hpa(CPU), hpa()])  # omitted metrics: CPU
def test_an_hpa_without_metrics_server_fails(autoscaler: ResourceView) -> None:
    [message] = failures("hpa-metrics-source", [autoscaler])
    assert "HorizontalPodAutoscaler 'assistant/assistant' reads metrics.k8s.io but nothing" in message
    assert "KubernetesMetricsServer" in message


def test_the_oke_metrics_server_add_on_feeds_it() -> None:
    addon = view(
        ADDON, {"addonName": "KubernetesMetricsServer", "clusterId": "ocid1.cluster.oc1..x"}, name="ms"
    )
    other = view(ADDON, {"addonName": "CertManager", "clusterId": "ocid1.cluster.oc1..x"}, name="cm")
    assert failures("hpa-metrics-source", [hpa(CPU), other]) != []
    assert failures("hpa-metrics-source", [hpa(CPU), addon]) == []


def test_aks_runs_metrics_server_itself() -> None:
    assert failures("hpa-metrics-source", [hpa(CPU), view(CLUSTER, {}, name="aks")]) == []


def test_external_metrics_need_their_api_service() -> None:
    external = {"type": "External", "external": {"metric": {"name": "queue"}, "target": {"type": "Value"}}}
    addon = view(ADDON, {"addonName": "KubernetesMetricsServer"}, name="ms")
    [message] = failures("hpa-metrics-source", [hpa(external), addon])
    assert "reads external.metrics.k8s.io" in message
    service = view(
        "kubernetes:apiregistration.k8s.io/v1:APIService", {"spec": {"group": "external.metrics.k8s.io"}}
    )
    assert failures("hpa-metrics-source", [hpa(external), addon, service]) == []


def scaled_object() -> ResourceView:
    spec = {"scaleTargetRef": {"name": "assistant"}, "triggers": [{"type": "prometheus", "metadata": {}}]}
    return view(
        SCALED_OBJECT, {"metadata": {"name": "assistant", "namespace": "assistant"}, "spec": spec}, name="so"
    )


def test_a_scaled_object_without_keda_fails() -> None:
    [message] = failures("hpa-metrics-source", [scaled_object(), view(CLUSTER, {}, name="aks")])
    assert "ScaledObject 'assistant/assistant' needs KEDA, but the plan has none" in message


@pytest.mark.parametrize(
    "keda",
    [
        view(CLUSTER, {"workloadAutoScalerProfile": {"keda": {"enabled": True}}}, name="aks"),
        view(RELEASE, {"chart": "oci://desovereignregistry.azurecr.io/helm/keda"}, name="keda"),
    ],
)
def test_the_aks_add_on_or_the_mirrored_chart_serves_it(keda: ResourceView) -> None:
    assert failures("hpa-metrics-source", [scaled_object(), keda]) == []


def test_a_keda_chart_from_outside_the_country_does_not_count() -> None:
    foreign = view(RELEASE, {"chart": "oci://ghcr.io/kedacore/charts/keda"}, name="keda")
    assert failures("hpa-metrics-source", [scaled_object(), foreign]) != []


# --- the real stacks ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def plans() -> dict[str, dict[str, Any]]:
    names = ("fr-prod", "de-prod")
    stacks = [s for s in find_stacks(default_stacks_dir()) if s.name in names]
    return {d["stack"]: d for d in plan_stacks(stacks, as_of=AS_OF, config_dir=CONFIG_DIR)}


def _run(rule: str, document: dict[str, Any], views: list[ResourceView]) -> list[dict[str, Any]]:
    checks = evaluate([r for r in ALL_RULES if r.id == rule], _context(document), views)
    return [c for c in checks if c["status"] == "fail"]


def test_fr_prod_fails_without_calico_as_it_did_before(plans) -> None:
    """Finding O4: the fr-prod plan without the Calico release is the plan before this change."""
    document = plans["fr-prod"]
    views = _views(document)
    policies = sorted(v.urn for v in views if v.type == NETPOL)
    assert policies
    assert _run("network-policy-engine", document, views) == []
    without = [v for v in views if not (v.type == RELEASE and v.get("chart", "").endswith("/calico"))]
    assert sorted(c["urn"] for c in _run("network-policy-engine", document, without)) == policies


def test_fr_prod_scaled_objects_fail_without_keda(plans) -> None:
    """Finding K11: the inference autoscaler is a KEDA ScaledObject; on OKE only the KEDA release serves it."""
    document = plans["fr-prod"]
    views = _views(document)
    scaled = sorted(v.urn for v in views if v.type == SCALED_OBJECT)
    assert scaled and not [v for v in views if v.type == HPA]
    assert _run("hpa-metrics-source", document, views) == []
    without = [v for v in views if not (v.type == RELEASE and v.get("chart", "").endswith("/keda"))]
    assert sorted(c["urn"] for c in _run("hpa-metrics-source", document, without)) == scaled


def test_an_azure_stack_passes_on_its_own_engine(plans) -> None:
    document = plans["de-prod"]
    views = _views(document)
    assert any(v.type == NETPOL for v in views) and not any(
        v.type == RELEASE and "calico" in v.name for v in views
    )
    assert _run("network-policy-engine", document, views) == []
    assert _run("hpa-metrics-source", document, views) == []
    # The AKS KEDA add-on serves the ScaledObjects; without it they fail.
    keda_off = [
        ResourceView(v.urn, v.type, v.name, {**v.props, "workloadAutoScalerProfile": {}})
        if v.type == CLUSTER
        else v
        for v in views
    ]
    assert _run("hpa-metrics-source", document, keda_off) != []
