"""Scaling and disruption rules of the inference service: a HorizontalPodAutoscaler spec and a
PodDisruptionBudget spec.

Pure builders (no resources), used by ``inference.py``. GPU replicas take minutes to start, so the autoscaler
scales down slowly, and the disruption budget lets node drains take one replica at a time without ever
blocking them. Non-goals: the metrics adapter a custom metric needs (Prometheus Adapter or KEDA, the
cluster's).
"""

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

__all__ = ["SCALE_DOWN_WINDOW_SECONDS", "PodsMetricTarget", "autoscaler_spec", "disruption_budget_spec"]

SCALE_DOWN_WINDOW_SECONDS = 600
"""A replica takes minutes to come back: do not remove one on a short lull."""


@dataclass(frozen=True)
class PodsMetricTarget:
    """Scale on a per-pod custom metric served by a metrics adapter (for example Prometheus Adapter)."""

    metric_name: str
    """Metric name in the custom metrics API, such as 'vllm_num_requests_waiting'."""
    average_value: str
    """Target average per pod, as a Kubernetes quantity, such as '4'."""


def _metric(
    cpu_utilization_percent: int, pods_metric: PodsMetricTarget | None
) -> k8s.autoscaling.v2.MetricSpecArgs:
    if pods_metric is not None:
        return k8s.autoscaling.v2.MetricSpecArgs(
            type="Pods",
            pods=k8s.autoscaling.v2.PodsMetricSourceArgs(
                metric=k8s.autoscaling.v2.MetricIdentifierArgs(name=pods_metric.metric_name),
                target=k8s.autoscaling.v2.MetricTargetArgs(
                    type="AverageValue", average_value=pods_metric.average_value
                ),
            ),
        )
    return k8s.autoscaling.v2.MetricSpecArgs(
        type="Resource",
        resource=k8s.autoscaling.v2.ResourceMetricSourceArgs(
            name="cpu",
            target=k8s.autoscaling.v2.MetricTargetArgs(
                type="Utilization", average_utilization=cpu_utilization_percent
            ),
        ),
    )


def autoscaler_spec(
    deployment_name: pulumi.Input[str],
    *,
    replicas: tuple[int, int],
    cpu_utilization_percent: int,
    pods_metric: PodsMetricTarget | None,
) -> k8s.autoscaling.v2.HorizontalPodAutoscalerSpecArgs:
    replicas_min, replicas_max = replicas
    return k8s.autoscaling.v2.HorizontalPodAutoscalerSpecArgs(
        scale_target_ref=k8s.autoscaling.v2.CrossVersionObjectReferenceArgs(
            api_version="apps/v1", kind="Deployment", name=deployment_name
        ),
        min_replicas=replicas_min,
        max_replicas=replicas_max,
        metrics=[_metric(cpu_utilization_percent, pods_metric)],
        behavior=k8s.autoscaling.v2.HorizontalPodAutoscalerBehaviorArgs(
            scale_down=k8s.autoscaling.v2.HPAScalingRulesArgs(
                stabilization_window_seconds=SCALE_DOWN_WINDOW_SECONDS
            )
        ),
    )


def disruption_budget_spec(selector: dict[str, str]) -> k8s.policy.v1.PodDisruptionBudgetSpecArgs:
    return k8s.policy.v1.PodDisruptionBudgetSpecArgs(
        # One at a time, and never blocking node drains forever (minAvailable would, with one replica).
        max_unavailable=1,
        selector=k8s.meta.v1.LabelSelectorArgs(match_labels=selector),
        # A crash-looping replica must not hold a drain hostage.
        unhealthy_pod_eviction_policy="AlwaysAllow",
    )
