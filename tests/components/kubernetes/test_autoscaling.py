"""K11: the inference service scales on vLLM's queue and KV cache through KEDA, on metrics scraped in the cluster.

Covers the ScaledObject (``autoscaling.py``, ``inference.py``), the in-cluster Prometheus (``monitoring.py``) and
KEDA on OKE (``keda.py``). The metric names are vLLM 0.33.0's (``vllm/v1/metrics/loggers.py``:
``name="vllm:num_requests_waiting"``, ``name="vllm:kv_cache_usage_perc"``, labels ``model_name``, ``engine``).
"""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pulumi
import pytest

from components.kubernetes import InferenceService, MetricsSource, PeerSelector, QueueDepthScaling
from components.kubernetes.autoscaling import KV_CACHE_METRIC, WAITING_REQUESTS_METRIC
from components.kubernetes.keda import Keda, KedaArgs, keda_values
from components.kubernetes.monitoring import (
    SERVER_POD_LABELS,
    Prometheus,
    PrometheusArgs,
    ScrapeTarget,
    prometheus_values,
)
from sovereign.catalogue import keda as keda_catalogue
from sovereign.catalogue import prometheus as prometheus_catalogue
from sovereign.engine.recorder import Recording, Registration
from sovereign.types import Environment
from tests.components.kubernetes.helpers import (
    DEPLOYMENT,
    NETWORK_POLICY,
    PROMETHEUS,
    REGISTRY,
    inference_args,
    record,
)
from tests.components.kubernetes.keda_schema import validate_scaled_object

SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
RELEASE = "kubernetes:helm.sh/v3:Release"
ADDRESS = "http://prometheus-server.monitoring.svc.cluster.local:80"
VLLM_TARGET = ScrapeTarget("vllm", "assistant", {"app.kubernetes.io/name": "vllm"}, 8000)
DCGM_TARGET = ScrapeTarget(
    "dcgm-exporter", "gpu-operator", {"app": "nvidia-dcgm-exporter"}, 9400, admit_here=True
)


@pytest.fixture(scope="module")
def recording() -> Recording:
    return record(lambda: InferenceService("de", inference_args()))


@pytest.fixture(scope="module")
def scaled_object(recording: Recording) -> Registration:
    return recording.one(SCALED_OBJECT, "de-autoscaler")


def _whole(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _whole(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole(v) for v in value]
    return int(value) if isinstance(value, float) and value.is_integer() else value


def test_keda_owns_the_autoscaler_within_the_replica_bounds(recording: Recording, scaled_object) -> None:
    assert not recording.of_type(HPA)  # KEDA creates the HPA; a second one would fight it (keda-about.md)
    spec = scaled_object.inputs["spec"]
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "assistant"}
    assert (spec["minReplicaCount"], spec["maxReplicaCount"]) == (2.0, 4.0), scaled_object.urn
    assert spec["advanced"]["horizontalPodAutoscalerConfig"] == {
        # The name of the plain HPA earlier plans created: KEDA takes that one over on upgrade.
        "name": "assistant",
        "behavior": {"scaleDown": {"stabilizationWindowSeconds": 600.0}},
    }
    assert scaled_object.get("metadata.annotations") == {
        "scaledobject.keda.sh/transfer-hpa-ownership": "true"
    }
    assert "idleReplicaCount" not in spec  # never to zero: a replica takes minutes to load
    # Under KEDA the Deployment carries no replica count (re-applying one would fight the HPA).
    assert "replicas" not in recording.one(DEPLOYMENT, "de-deployment").inputs["spec"]


def test_scales_on_queued_requests_per_replica_and_on_kv_cache_use(scaled_object) -> None:
    waiting, kv_cache = scaled_object.inputs["spec"]["triggers"]
    assert waiting == {
        "type": "prometheus",
        "metricType": "AverageValue",
        "metadata": {
            "serverAddress": ADDRESS,
            "query": f'sum({WAITING_REQUESTS_METRIC}{{namespace="assistant",model_name="mistral-small-3.1"}})',
            "threshold": "4",
            "ignoreNullValues": "false",
        },
    }
    assert kv_cache["metricType"] == "Value"
    assert kv_cache["metadata"]["query"] == (
        f'avg({KV_CACHE_METRIC}{{namespace="assistant",model_name="mistral-small-3.1"}})'
    )
    assert kv_cache["metadata"]["threshold"] == "0.85"  # vLLM reports the use as a fraction: 1 = 100 %
    assert (WAITING_REQUESTS_METRIC, KV_CACHE_METRIC) == (
        "vllm:num_requests_waiting",
        "vllm:kv_cache_usage_perc",
    )


def test_queue_depth_only_when_no_kv_cache_target() -> None:
    scaling = QueueDepthScaling(PROMETHEUS, waiting_requests_per_replica=8, kv_cache_usage_percent=None)
    so = record(lambda: InferenceService("de", inference_args(autoscaling=scaling))).one(
        SCALED_OBJECT, "de-autoscaler"
    )
    [trigger] = so.inputs["spec"]["triggers"]
    assert trigger["metadata"]["threshold"] == "8", so.urn


def test_without_autoscaling_the_count_is_fixed_at_the_minimum() -> None:
    recording = record(lambda: InferenceService("de", inference_args(autoscaling=None)))
    assert not recording.of_type(SCALED_OBJECT) and not recording.of_type(HPA)
    assert recording.one(DEPLOYMENT, "de-deployment").inputs["spec"]["replicas"] == 2.0


def test_the_scaled_object_waits_for_what_installs_keda() -> None:
    def program() -> None:
        crd = pulumi.CustomResource("test:index:KedaRelease", "keda-release")
        InferenceService("de", inference_args(scaled_object_depends_on=(crd,)))

    recording = record(program)
    [release] = recording.of_type("test:index:KedaRelease")
    so = recording.one(SCALED_OBJECT, "de-autoscaler")
    assert release.urn in so.dependencies, so.dependencies


def test_the_scaled_object_matches_kedas_crd_strictly(scaled_object) -> None:
    validate_scaled_object(_whole(scaled_object.inputs))


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda o: o["spec"].update(minReplicas=1), "minReplicas"),
        (lambda o: o["spec"]["triggers"][0]["metadata"].update(threshold=4), "is not of type 'string'"),
        (lambda o: o["spec"].pop("scaleTargetRef"), "'scaleTargetRef' is a required property"),
        (lambda o: o["spec"]["triggers"][0].update(metricType="Average"), "is not one of"),
    ],
)
def test_the_crd_check_would_catch_a_wrong_field(scaled_object, mutate, message: str) -> None:
    broken = copy.deepcopy(_whole(scaled_object.inputs))
    mutate(broken)
    with pytest.raises(jsonschema.ValidationError, match=message):
        validate_scaled_object(broken)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: MetricsSource("https://prometheus.example.com", PeerSelector("monitoring")),
            "in-cluster Service",
        ),
        (
            lambda: QueueDepthScaling(PROMETHEUS, waiting_requests_per_replica=0),
            "waiting_requests_per_replica",
        ),
        (lambda: QueueDepthScaling(PROMETHEUS, kv_cache_usage_percent=5), "kv_cache_usage_percent"),
    ],
)
def test_refuses_scaling_settings_that_cannot_work(build, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


def prometheus_args(**changes) -> PrometheusArgs:
    args = {
        "registry_prefix": REGISTRY,
        "country_code": "de",
        "environment": Environment.PROD,
        "api_server_cidrs": ("10.20.4.0/28",),
        "targets": (VLLM_TARGET, DCGM_TARGET),
        "query_clients": (PeerSelector("kube-system"),),
    }
    args.update(changes)
    return PrometheusArgs(**args)


def test_prometheus_keeps_its_samples_in_the_cluster_and_scrapes_only_the_targets() -> None:
    values = prometheus_values(prometheus_args(), "monitoring-prometheus-discovery")
    server = values["server"]
    assert server["remoteWrite"] == [] and server["remoteRead"] == []
    assert server["persistentVolume"] == {"enabled": False}
    assert server["image"] == {
        "repository": f"{REGISTRY}/mirror/prometheus/prometheus",
        "tag": prometheus_catalogue.SERVER.tag,
    }
    assert values["configmapReload"]["prometheus"]["image"]["repository"].startswith(f"{REGISTRY}/mirror/")
    assert all(values[sub] == {"enabled": False} for sub in ("alertmanager", "kube-state-metrics"))
    # Discovery bound in the targets' namespaces only, to the component's read-only role.
    assert server["namespaces"] == ["assistant", "gpu-operator"]
    assert server["useExistingClusterRoleName"] == "monitoring-prometheus-discovery"
    enabled = {job for job, cfg in values["scrapeConfigs"].items() if cfg.get("enabled", True)}
    assert enabled == {"vllm", "dcgm-exporter"}
    [sd] = values["scrapeConfigs"]["vllm"]["kubernetes_sd_configs"]
    assert sd == {
        "role": "pod",
        "namespaces": {"names": ["assistant"]},
        "selectors": [{"role": "pod", "label": "app.kubernetes.io/name=vllm"}],
    }
    keep = values["scrapeConfigs"]["dcgm-exporter"]["relabel_configs"][0]
    assert keep == {
        "source_labels": ["__meta_kubernetes_pod_container_port_number"],
        "action": "keep",
        "regex": "9400",
    }


@pytest.fixture(scope="module")
def monitoring() -> Recording:
    return record(lambda: Prometheus("de-prometheus", prometheus_args()))


def test_prometheus_egress_is_the_api_server_and_the_scrape_ports_only(monitoring: Recording) -> None:
    egress = monitoring.one(NETWORK_POLICY, "de-prometheus-egress")
    assert egress.get("spec.podSelector") == {"matchLabels": SERVER_POD_LABELS}
    rules = egress.get("spec.egress")
    assert rules[0] == {
        "to": [{"ipBlock": {"cidr": "10.20.4.0/28"}}],
        "ports": [{"protocol": "TCP", "port": 443.0}],
    }
    assert [(r["to"][0]["namespaceSelector"]["matchLabels"], r["ports"]) for r in rules[1:]] == [
        ({"kubernetes.io/metadata.name": "assistant"}, [{"protocol": "TCP", "port": 8000.0}]),
        ({"kubernetes.io/metadata.name": "gpu-operator"}, [{"protocol": "TCP", "port": 9400.0}]),
    ]
    # The namespace is restricted and default-deny (RestrictedNamespace) with DNS allowed.
    names = {p.get("metadata.name") for p in monitoring.of_type(NETWORK_POLICY)}
    assert {"default-deny-all", "allow-dns-egress"} <= names, names


def test_only_the_query_clients_reach_prometheus_and_the_dcgm_namespace_admits_it(
    monitoring: Recording,
) -> None:
    queries = monitoring.one(NETWORK_POLICY, "de-prometheus-allow-queries")
    assert queries.get("spec.ingress") == [
        {
            "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}],
            "ports": [{"protocol": "TCP", "port": 9090.0}],
        }
    ]
    admit = monitoring.one(NETWORK_POLICY, "de-prometheus-admit-dcgm-exporter")
    assert admit.get("metadata.namespace") == "gpu-operator"
    assert admit.get("spec.podSelector") == {"matchLabels": {"app": "nvidia-dcgm-exporter"}}
    assert admit.get("spec.ingress")[0]["from"][0]["podSelector"] == {"matchLabels": SERVER_POD_LABELS}
    # vLLM's own component admits the scraper: no policy here in the assistant namespace.
    assert not [p for p in monitoring.of_type(NETWORK_POLICY) if p.get("metadata.namespace") == "assistant"]
    [release] = monitoring.of_type(RELEASE)
    assert release.inputs["chart"] == f"oci://{REGISTRY}/helm/prometheus"
    assert release.inputs["version"] == prometheus_catalogue.CHART_VERSION


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"targets": ()}, "scrapes nothing"),
        ({"targets": (ScrapeTarget("all", "assistant", {}, 8000),)}, "would scrape every pod"),
        ({"api_server_cidrs": ("0.0.0.0/0",)}, "opens egress"),
    ],
)
def test_refuses_prometheus_settings_that_scrape_too_much_or_nothing(changes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        prometheus_args(**changes)


def keda_args(**changes) -> KedaArgs:
    args = {
        "registry_prefix": "fra.ocir.io/frns",
        "country_code": "fr",
        "environment": Environment.PROD,
        "api_server_cidrs": ("10.0.0.0/28",),
        "prometheus": PeerSelector("monitoring", SERVER_POD_LABELS),
    }
    args.update(changes)
    return KedaArgs(**args)


def test_keda_on_oke_comes_from_the_mirror_with_its_crds() -> None:
    values: dict[str, Any] = keda_values(keda_args())
    assert values["image"]["keda"] == {
        "registry": "fra.ocir.io/frns/mirror",
        "repository": "kedacore/keda",
        "tag": keda_catalogue.CHART_VERSION,
    }
    assert values["crds"] == {"install": True}
    recording = record(lambda: Keda("fr-keda", keda_args()))
    [release] = recording.of_type(RELEASE)
    assert release.inputs["chart"] == "oci://fra.ocir.io/frns/helm/keda"


def test_only_keda_s_operator_queries_prometheus_and_the_api_server_reaches_its_apis() -> None:
    recording = record(lambda: Keda("fr-keda", keda_args()))
    operator = recording.one(NETWORK_POLICY, "fr-keda-operator")
    assert operator.get("spec.podSelector") == {"matchLabels": {"app.kubernetes.io/name": "keda-operator"}}
    [to_prometheus] = operator.get("spec.egress")
    assert to_prometheus["ports"] == [{"protocol": "TCP", "port": 9090.0}]
    assert to_prometheus["to"][0]["podSelector"] == {"matchLabels": SERVER_POD_LABELS}
    metrics_api = recording.one(NETWORK_POLICY, "fr-keda-metrics-apiserver")
    assert metrics_api.get("spec.ingress") == [{"ports": [{"protocol": "TCP", "port": 6443.0}]}]
    assert {p.get("metadata.name") for p in recording.of_type(NETWORK_POLICY)} >= {"default-deny-all"}
