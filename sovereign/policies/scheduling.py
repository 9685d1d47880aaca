"""The ``pods-fit-a-pool`` rule: every planned workload can be scheduled on some planned AKS node pool.

Built from finding A5: the only pools were the system pool (``CriticalAddonsOnly=true:NoSchedule``) and GPU
pools (``nvidia.com/gpu=present:NoSchedule``), so the chat Deployment, tolerating neither, stayed Pending
forever while the plan passed. A pod fits a pool when it tolerates every ``NoSchedule``/``NoExecute`` taint of
the pool and the pool's labels satisfy its ``nodeSelector`` and required node affinity ``In``/``Exists`` terms
(Kubernetes "Taints and Tolerations" and "Assigning Pods to Nodes"; labels AKS adds itself, such as
``kubernetes.azure.com/agentpool``, are not modelled, so a selector on them is reported, not guessed).

Scope: clusters whose pools the plan declares as AKS resources (the inline pools of a ``ManagedCluster`` and
``AgentPool`` resources). Non-goals: capacity (tests/plan checks GPU counts), DaemonSets (one pod per node by
design), OKE pools (their taints live in kubelet arguments the plan does not model).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sovereign.policies.model import Finding, PolicyContext, ResourceView, Rule

__all__ = ["SCHEDULING_RULES", "NodePool", "fits"]

_WORKLOADS = {
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:batch/v1:Job",
}


@dataclass(frozen=True)
class NodePool:
    name: str
    taints: tuple[tuple[str, str, str], ...]
    """(key, value, effect) of each taint."""
    labels: Mapping[str, str]


def _taint(text: str) -> tuple[str, str, str]:
    """AKS writes taints as ``key=value:Effect`` (or ``key:Effect``)."""
    key_value, _, effect = text.partition(":")
    key, _, value = key_value.partition("=")
    return key, value, effect


def _pools(resources: list[ResourceView]) -> list[NodePool]:
    pools: list[NodePool] = []
    for r in resources:
        if r.type == "azure-native:containerservice:ManagedCluster":
            profiles = r.get("agentPoolProfiles") or []
        elif r.type == "azure-native:containerservice:AgentPool":
            profiles = [{**r.props, "name": r.get("agentPoolName") or r.name}]
        else:
            continue
        for p in profiles:
            pools.append(
                NodePool(
                    str(p.get("name")),
                    tuple(_taint(t) for t in p.get("nodeTaints") or ()),
                    dict(p.get("nodeLabels") or {}),
                )
            )
    return pools


def _tolerates(tolerations: Sequence[Mapping[str, Any]], taint: tuple[str, str, str]) -> bool:
    key, value, effect = taint
    if effect not in ("NoSchedule", "NoExecute"):
        return True  # PreferNoSchedule only steers
    for t in tolerations:
        if t.get("effect") not in (None, "", effect):
            continue
        if t.get("operator") == "Exists":
            if not t.get("key") or t.get("key") == key:
                return True
        elif t.get("key") == key and (t.get("value") or "") == value:
            return True
    return False


def _required_terms(pod: Mapping[str, Any]) -> list[list[Mapping[str, Any]]]:
    required = ((pod.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    ) or {}
    return [list(term.get("matchExpressions") or ()) for term in required.get("nodeSelectorTerms") or ()]


def _matches(expression: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    key, op, values = expression.get("key"), expression.get("operator"), expression.get("values") or ()
    if op == "In":
        return labels.get(str(key)) in values
    if op == "Exists":
        return key in labels
    if op == "NotIn":
        return labels.get(str(key)) not in values
    if op == "DoesNotExist":
        return key not in labels
    return False  # Gt/Lt on pool labels: not used here, so not guessed


def fits(pod: Mapping[str, Any], pool: NodePool) -> bool:
    """Whether the pod spec can schedule on a node of the pool (taints, nodeSelector, required affinity)."""
    tolerations = pod.get("tolerations") or ()
    if not all(_tolerates(tolerations, taint) for taint in pool.taints):
        return False
    selector = pod.get("nodeSelector") or {}
    if any(pool.labels.get(k) != v for k, v in selector.items()):
        return False
    terms = _required_terms(pod)
    return not terms or any(all(_matches(e, pool.labels) for e in term) for term in terms)


def _pods_fit(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    pools = _pools(resources)
    if not pools:
        return
    for r in resources:
        if r.type not in _WORKLOADS:
            continue
        pod = r.get("spec.template.spec") or {}
        if any(fits(pod, pool) for pool in pools):
            continue
        described = "; ".join(
            f"{p.name} (taints {[f'{k}={v}:{e}' for k, v, e in p.taints] or 'none'})" for p in pools
        )
        yield Finding(
            f"no planned node pool accepts this workload's pods (pools: {described}): it would stay Pending; "
            "give it the tolerations and selector of a pool, or add an untainted pool (Azure: cluster.user_pool)",
            r.urn,
        )


SCHEDULING_RULES: tuple[Rule, ...] = (
    Rule(
        "pods-fit-a-pool",
        "Every Deployment, StatefulSet and Job tolerates the taints and matches the labels of a planned pool.",
        _pods_fit,
        lambda r: (
            r.type in _WORKLOADS
            or r.type
            in ("azure-native:containerservice:ManagedCluster", "azure-native:containerservice:AgentPool")
        ),
        sovereignty=False,
        reads=(
            "inputs.spec.template.spec.tolerations*",
            "inputs.spec.template.spec.nodeSelector*",
            "inputs.spec.template.spec.affinity*",
            "inputs.agentPoolProfiles*",
            "inputs.nodeTaints*",
            "inputs.nodeLabels*",
        ),
    ),
)
