"""Rules ``pods-fit-a-pool`` and ``rollout-fits``: every planned workload can be scheduled, and rolled.

``pods-fit-a-pool``, built from finding A5 (the chat Deployment tolerated neither the system pool's
``CriticalAddonsOnly`` taint nor the GPU taint and stayed Pending while the plan passed): a pod fits a pool when
it tolerates every ``NoSchedule``/``NoExecute`` taint of the pool, the pool's labels satisfy its
``nodeSelector`` and required node affinity (Kubernetes "Taints and Tolerations", "Assigning Pods to Nodes"),
and its requests (``pod_requests``: init containers as the scheduler counts them) fit what ONE node of the pool
offers (``sovereign.catalogue.allocatable``): CPU, memory, ephemeral storage, and ``nvidia.com/gpu`` only where
a device plugin advertises it (``node_pools``). Labels the clouds add themselves (such as
``kubernetes.azure.com/agentpool``) are not modelled, so a selector on them is reported, not guessed.

``rollout-fits``, built from finding K7 (fr: one 8-GPU node, 4 replicas x 2 GPUs, ``maxSurge: 1``: at maximum
replicas the surge pod needs GPUs that do not exist and the rollout never finishes): for every Deployment
requesting GPUs, ``replicas_max`` (its autoscaler's ``maxReplicas``) plus the surge of its rolling update
(``maxSurge``, an integer or a percentage rounded up, default 25 %; ``Recreate``: none; Kubernetes
"Deployments", "Max Surge") must fit, pod by pod, on the nodes of the pools it fits at their maximum node count.

Scope: AKS and OKE pools (``node_pools``); Deployments, StatefulSets and Jobs. Non-goals: DaemonSets (one pod per
node by design); what other workloads already use on a node (tenant quotas are counted by the config invariant
``capacity_fits``); deployments sharing GPU pools are checked one at a time here and summed there.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from sovereign.contracts import GPU_RESOURCE
from sovereign.policies.model import Finding, PolicyContext, ResourceView, Rule
from sovereign.policies.node_pools import POOL_TYPES, NodePool, node_pools, placement_problem
from sovereign.policies.pod_requests import effective_requests

__all__ = ["SCHEDULING_RULES", "NodePool", "fits"]

_WORKLOADS = {
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:batch/v1:Job",
}
_DEPLOYMENT = "kubernetes:apps/v1:Deployment"
_HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
_SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject"
"""KEDA's ScaledObject: its ``maxReplicaCount`` becomes the maxReplicas of the HPA KEDA creates."""
_MAX_REPLICAS = {_HPA: "spec.maxReplicas", _SCALED_OBJECT: "spec.maxReplicaCount"}


def _shown(resource: str, amount: float) -> str:
    if resource == "cpu":
        return f"{amount:.0f}m CPU"
    if resource in ("memory", "ephemeral-storage"):
        return f"{amount / 1024**3:.1f}Gi {resource}"
    return f"{amount:g} {resource}"


def _shortfall(requests: Mapping[str, float], pool: NodePool) -> str | None:
    if pool.allocatable is None:
        return None  # machine not in the catalogue: validation refuses it; nothing to compare here
    short = [
        f"{_shown(k, v)} requested, a node offers {_shown(k, pool.allocatable.get(k, 0.0))}"
        for k, v in sorted(requests.items())
        if (k in pool.allocatable or k == GPU_RESOURCE) and v > pool.allocatable.get(k, 0.0)
    ]
    if not short:
        return None
    if requests.get(GPU_RESOURCE) and not pool.allocatable.get(GPU_RESOURCE):
        short.append(f"nothing advertises {GPU_RESOURCE} on {pool.machine} nodes (see gpu-device-plugin)")
    return "; ".join(short)


def _problem(pod: Mapping[str, Any], requests: Mapping[str, float], pool: NodePool) -> str | None:
    return placement_problem(pod, pool) or _shortfall(requests, pool)


def fits(pod: Mapping[str, Any], pool: NodePool) -> bool:
    """Whether the pod spec can schedule on a node of the pool (taints, selector, affinity, requests)."""
    return _problem(pod, effective_requests(pod), pool) is None


def _requests(r: ResourceView) -> tuple[dict[str, Any], dict[str, float] | None, str | None]:
    pod = r.get("spec.template.spec") or {}
    try:
        return pod, effective_requests(pod), None
    except ValueError as e:
        return pod, None, str(e)


def _pods_fit(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    pools = node_pools(ctx, resources)
    if not pools:
        return
    for r in resources:
        if r.type not in _WORKLOADS:
            continue
        pod, requests, error = _requests(r)
        if requests is None:
            yield Finding(f"resource requests cannot be read: {error}", r.urn)
            continue
        problems = {p.name: _problem(pod, requests, p) for p in pools}
        if any(problem is None for problem in problems.values()):
            continue
        described = "; ".join(f"{name}: {problem}" for name, problem in problems.items())
        yield Finding(
            f"no planned node pool accepts this workload's pods ({described}): they would stay Pending; give "
            "them the tolerations and selector of a pool and requests one node can hold, or add a pool that "
            "takes them (Azure: cluster.user_pool; a larger vm_size; GPUs: the GPU operator)",
            r.urn,
        )


def _replicas_max(deployment: ResourceView, resources: list[ResourceView]) -> tuple[int, str]:
    name = deployment.get("metadata.name")
    namespace = deployment.get("metadata.namespace")
    for r in resources:
        ref = r.get("spec.scaleTargetRef") or {}
        if (
            r.type in _MAX_REPLICAS
            and ref.get("kind", "Deployment") == "Deployment"  # a ScaledObject's kind defaults to Deployment
            and ref.get("name") == name
            and r.get("metadata.namespace") == namespace
        ):
            field = _MAX_REPLICAS[r.type]
            return int(float(r.get(field) or 1)), f"autoscaler {field.rsplit('.', 1)[-1]} {r.get(field)}"
    replicas = deployment.get("spec.replicas")
    return int(float(replicas if replicas is not None else 1)), "spec.replicas"


def _surge(deployment: ResourceView, replicas: int) -> int:
    strategy = deployment.get("spec.strategy") or {}
    if strategy.get("type") == "Recreate":
        return 0
    surge = (strategy.get("rollingUpdate") or {}).get("maxSurge", "25%")
    if isinstance(surge, str) and surge.endswith("%"):
        return math.ceil(float(surge[:-1]) * replicas / 100)  # Kubernetes rounds maxSurge up
    return int(float(surge))


def _slots(requests: Mapping[str, float], pool: NodePool) -> int:
    """Pods of these requests that fit on the pool at its maximum node count."""
    assert pool.allocatable is not None
    per_node = min(
        int(pool.allocatable.get(k, 0.0) // v)
        for k, v in requests.items()
        if v > 0 and (k in pool.allocatable or k == GPU_RESOURCE)
    )
    return per_node * pool.max_nodes


def _rollout_fits(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    pools = node_pools(ctx, resources)
    if not pools:
        return
    for r in resources:
        if r.type != _DEPLOYMENT:
            continue
        pod, requests, _ = _requests(r)
        if not requests or not requests.get(GPU_RESOURCE):
            continue  # unreadable requests are pods-fit-a-pool's finding
        replicas, source = _replicas_max(r, resources)
        surge = _surge(r, replicas)
        usable = [p for p in pools if p.allocatable is not None and _problem(pod, requests, p) is None]
        offered = {p.name: _slots(requests, p) for p in usable}
        if replicas + surge <= sum(offered.values()):
            continue
        shown = ", ".join(f"{name}: {n}" for name, n in offered.items()) or "no pool fits one pod"
        yield Finding(
            f"at its maximum of {replicas} replicas ({source}) a rollout adds {surge} surge pod(s): "
            f"{replicas + surge} pods of {requests[GPU_RESOURCE]:g} {GPU_RESOURCE} each, but its pools hold "
            f"{sum(offered.values())} at their maximum node count ({shown}), so the new pod stays Pending and "
            "the rollout never completes: lower replicas_max, raise the GPU pool's node_count_max, or roll "
            "without surge",
            r.urn,
        )


def _applies(r: ResourceView) -> bool:
    return (
        r.type in _WORKLOADS
        or r.type in POOL_TYPES
        or r.type in _MAX_REPLICAS
        or r.type.endswith(":DaemonSet")
    )


_POOL_READS = (
    "inputs.agentPoolProfiles*",
    "inputs.nodeTaints*",
    "inputs.nodeLabels*",
    "inputs.vmSize",
    "inputs.count",
    "inputs.maxCount",
    "inputs.enableAutoScaling",
    "inputs.osDiskSizeGB",
    "inputs.maxPods",
    "inputs.nodeShape",
    "inputs.nodeShapeConfig*",
    "inputs.nodeSourceDetails.bootVolumeSizeInGbs",
    "inputs.nodeMetadata.user_data",
    "inputs.initialNodeLabels*",
    "inputs.nodeConfigDetails.size",
    "inputs.spec.template.spec.tolerations*",
    "inputs.spec.template.spec.nodeSelector*",
    "inputs.spec.template.spec.affinity*",
    "inputs.spec.template.spec.*resources*",
    "inputs.spec.template.spec.overhead*",
)

SCHEDULING_RULES: tuple[Rule, ...] = (
    Rule(
        "pods-fit-a-pool",
        "Every Deployment, StatefulSet and Job tolerates the taints and matches the labels of a planned pool "
        "whose nodes can hold its requests (CPU, memory, ephemeral storage, advertised GPUs).",
        _pods_fit,
        _applies,
        sovereignty=False,
        reads=_POOL_READS,
    ),
    Rule(
        "rollout-fits",
        "Every Deployment requesting GPUs fits its maximum replicas plus its rolling update's surge pods on "
        "its pools at their maximum node count.",
        _rollout_fits,
        _applies,
        sovereignty=False,
        reads=(
            *_POOL_READS,
            "inputs.spec.strategy*",
            "inputs.spec.maxReplicas",
            "inputs.spec.maxReplicaCount",
            "inputs.spec.replicas",
        ),
    ),
)
