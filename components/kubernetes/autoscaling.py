"""Scaling and disruption rules of the inference service: a KEDA ScaledObject on vLLM's own load signals, and
a PodDisruptionBudget spec.

Pure builders (no resources), used by ``inference.py``. CPU says nothing about a vLLM replica's load (the GPU
does the work, the CPU idles while requests queue), so the service scales on what vLLM reports on
``/metrics`` (vllm 0.33.0 ``vllm/v1/metrics/loggers.py``): ``vllm:num_requests_waiting`` ("Number of requests
waiting to be processed") and ``vllm:kv_cache_usage_perc`` ("KV-cache usage. 1 means 100 percent usage."),
both gauges labelled ``model_name`` and ``engine``. Prometheus scrapes them (``monitoring.py``); KEDA's
Prometheus scaler queries it and feeds the HorizontalPodAutoscaler KEDA creates (so no HPA of our own: AKS
"It's not recommended to combine KEDA's ScaledObject with a Horizontal Pod Autoscaler (HPA) to scale the same
workload", MicrosoftDocs/azure-aks-docs ``articles/aks/keda-about.md``).

Fields are those of ``keda.sh/v1alpha1`` ScaledObject in KEDA 2.17.2 (the AKS add-on on Kubernetes 1.35,
``articles/aks/supported-kubernetes-versions.md`` "keda 2.17.2-3") through 2.20 (OKE): kedacore/keda
``apis/keda/v1alpha1/scaledobject_types.go`` (``minReplicaCount``, ``maxReplicaCount``,
``advanced.horizontalPodAutoscalerConfig.behavior``) and ``pkg/scalers/prometheus_scaler.go``
(``serverAddress``, ``query``, ``threshold``, ``ignoreNullValues``).
"""

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.netpol import PeerSelector

__all__ = [
    "HPA_TRANSFER_ANNOTATION",
    "KV_CACHE_METRIC",
    "SCALED_OBJECT_API_VERSION",
    "SCALE_DOWN_WINDOW_SECONDS",
    "WAITING_REQUESTS_METRIC",
    "MetricsSource",
    "QueueDepthScaling",
    "disruption_budget_spec",
    "scaled_object_spec",
]

SCALE_DOWN_WINDOW_SECONDS = 600
"""A replica takes minutes to come back: do not remove one on a short lull."""
SCALED_OBJECT_API_VERSION = "keda.sh/v1alpha1"
WAITING_REQUESTS_METRIC = "vllm:num_requests_waiting"
KV_CACHE_METRIC = "vllm:kv_cache_usage_perc"
HPA_TRANSFER_ANNOTATION = {"scaledobject.keda.sh/transfer-hpa-ownership": "true"}
"""Stacks planned before KEDA have a plain HPA of the Deployment's name; Pulumi creates the ScaledObject
before it deletes that HPA, and KEDA's webhook refuses a ScaledObject whose workload an HPA it does not own
scales ("the workload ... is already managed by the hpa"), unless this annotation names that HPA in
``advanced.horizontalPodAutoscalerConfig.name``: KEDA then takes it over (kedacore/keda v2.17.2
``apis/keda/v1alpha1/scaledobject_webhook.go``, ``scaledobject_types.go``). When Pulumi then deletes the old
object, KEDA's controller recreates the HPA it owns."""


@dataclass(frozen=True)
class MetricsSource:
    """The in-cluster Prometheus: where KEDA queries, and which pods scrape ``/metrics``."""

    server_address: str
    """Base URL KEDA's Prometheus scaler queries, such as
    'http://prometheus-server.monitoring.svc.cluster.local:80'."""
    scraper: PeerSelector
    """The Prometheus pods; the inference NetworkPolicy admits them on the vLLM port."""

    def __post_init__(self) -> None:
        if not self.server_address.startswith("http://") or ".svc" not in self.server_address:
            raise ValueError(
                f"server_address {self.server_address!r}: must be an in-cluster Service URL "
                "(http://<service>.<namespace>.svc...): the metrics stay in the cluster"
            )


@dataclass(frozen=True)
class QueueDepthScaling:
    """Scale on requests queued per replica, and on KV-cache use where given (the larger wins)."""

    source: MetricsSource
    waiting_requests_per_replica: int = 4
    """Target of ``sum(vllm:num_requests_waiting)`` per replica: above it, add replicas."""
    kv_cache_usage_percent: int | None = 85
    """Target mean KV-cache use of the replicas, in percent; None: queue depth only."""

    def __post_init__(self) -> None:
        if not 1 <= self.waiting_requests_per_replica <= 1000:
            raise ValueError(
                f"waiting_requests_per_replica must be from 1 to 1000 (got {self.waiting_requests_per_replica})"
            )
        if self.kv_cache_usage_percent is not None and not 10 <= self.kv_cache_usage_percent <= 100:
            raise ValueError(
                f"kv_cache_usage_percent must be from 10 to 100 (got {self.kv_cache_usage_percent})"
            )


def _query(function: str, metric: str, namespace: pulumi.Input[str], model_name: str) -> pulumi.Output[str]:
    # Prometheus' kubernetes_sd relabelling (monitoring.py) adds `namespace`; vLLM adds `model_name`.
    return pulumi.Output.concat(
        f'{function}({metric}{{namespace="', namespace, f'",model_name="{model_name}"}})'
    )


def _trigger(
    server_address: str, query: pulumi.Output[str], threshold: str, metric_type: str
) -> dict[str, Any]:
    return {
        "type": "prometheus",
        "metricType": metric_type,
        "metadata": {
            "serverAddress": server_address,
            "query": query,
            "threshold": threshold,
            # No series is a broken scrape, not an idle model: fail (the HPA keeps its count) rather than
            # read 0 and scale down (KEDA's default ignoreNullValues=true, kedacore/keda issue 3065).
            "ignoreNullValues": "false",
        },
    }


def scaled_object_spec(
    deployment_name: pulumi.Input[str],
    *,
    namespace: pulumi.Input[str],
    served_model_name: str,
    replicas: tuple[int, int],
    scaling: QueueDepthScaling,
    hpa_name: str,
) -> dict[str, Any]:
    replicas_min, replicas_max = replicas
    address = scaling.source.server_address
    # AverageValue: the HPA divides the query's value by the replica count (KEDA's default for triggers).
    triggers = [
        _trigger(
            address,
            _query("sum", WAITING_REQUESTS_METRIC, namespace, served_model_name),
            str(scaling.waiting_requests_per_replica),
            "AverageValue",
        )
    ]
    if scaling.kv_cache_usage_percent is not None:
        # Value: the mean over replicas is compared as is (1 = 100 %).
        triggers.append(
            _trigger(
                address,
                _query("avg", KV_CACHE_METRIC, namespace, served_model_name),
                f"{scaling.kv_cache_usage_percent / 100:.2f}",
                "Value",
            )
        )
    return {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": deployment_name},
        # Never to zero: a cold replica needs minutes to load the weights.
        "minReplicaCount": replicas_min,
        "maxReplicaCount": replicas_max,
        "pollingInterval": 15,
        "advanced": {
            "horizontalPodAutoscalerConfig": {
                "name": hpa_name,
                "behavior": {"scaleDown": {"stabilizationWindowSeconds": SCALE_DOWN_WINDOW_SECONDS}},
            }
        },
        "triggers": triggers,
    }


def disruption_budget_spec(selector: dict[str, str]) -> k8s.policy.v1.PodDisruptionBudgetSpecArgs:
    return k8s.policy.v1.PodDisruptionBudgetSpecArgs(
        # One at a time, and never blocking node drains forever (minAvailable would, with one replica).
        max_unavailable=1,
        selector=k8s.meta.v1.LabelSelectorArgs(match_labels=selector),
        # A crash-looping replica must not hold a drain hostage.
        unhealthy_pod_eviction_policy="AlwaysAllow",
    )
