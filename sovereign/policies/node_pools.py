"""The node pools a plan declares, as the scheduler will see their nodes: taints, labels, allocatable, size.

AKS: the inline pools of a ``ManagedCluster`` and ``AgentPool`` resources (``nodeTaints``, ``nodeLabels``,
``vmSize``, ``osDiskSizeGB``, ``maxPods``, ``count``/``maxCount``). OKE: ``NodePool`` resources, whose taints
live in the kubelet's ``--register-with-taints`` inside the cloud-init ``user_data`` the plan declares
(``components/oci/node_images.py``), labels in ``initialNodeLabels``, shape in ``nodeShape`` (flexible shapes:
``nodeShapeConfig``), disk in ``nodeSourceDetails.bootVolumeSizeInGbs``. An OKE pool's upper size is not in
the pool: the ClusterAutoscaler add-on names it by OCID, unknown until the pool exists, so the upper bound is
read from the country config's pool of the same ``sovereign.ai/pool`` label when the plan has that add-on.

``nvidia.com/gpu`` is allocatable only where something advertises it, per pool, by the checks the
``gpu-device-plugin`` rule makes (``kubernetes_rules``): OKE's ``NvidiaGpuPlugin`` add-on whose ``tolerations``
argument tolerates every taint of the pool, a GPU operator release those checks accept whose daemonsets tolerate
every taint of the pool, or a device-plugin DaemonSet whose pods fit the pool.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sovereign.catalogue.allocatable import NodeCapacity, allocatable
from sovereign.catalogue.machines import MachineSize, machine_size
from sovereign.contracts import POOL_LABEL_KEY
from sovereign.policies.kubernetes_rules import (
    _DEVICE_PLUGIN_IMAGE,
    _GPU_OPERATOR_CHART,
    _HELM_RELEASE,
    _chart_name,
    _containers,
    _kind,
    _operator_problems,
    oke_gpu_plugin_tolerations,
    pod_spec,
)
from sovereign.policies.model import PolicyContext, ResourceView
from sovereign.types import Cloud

__all__ = ["POOL_TYPES", "NodePool", "node_pools", "placement_problem", "tolerates"]

_AKS_CLUSTER = "azure-native:containerservice:ManagedCluster"
_AKS_POOL = "azure-native:containerservice:AgentPool"
_OKE_POOL = "oci:ContainerEngine/nodePool:NodePool"
_OKE_ADDON = "oci:ContainerEngine/addon:Addon"
POOL_TYPES = frozenset({_AKS_CLUSTER, _AKS_POOL, _OKE_POOL, _OKE_ADDON, _HELM_RELEASE})
_AKS_DEFAULT_MAX_PODS = 250  # the most AKS allows; more pods reserve more memory, so unknown errs safe
_OKE_DEFAULT_MAX_PODS = 31  # OCI_VCN_IP_NATIVE default (pulumi-oci NodePool maxPodsPerNode)
_REGISTER_TAINTS = re.compile(r"--register-with-taints=([^\s\"']+)")


@dataclass(frozen=True)
class NodePool:
    name: str
    taints: tuple[tuple[str, str, str], ...]
    """(key, value, effect) of each taint."""
    labels: Mapping[str, str]
    allocatable: Mapping[str, float] | None = None
    """Per node (``sovereign.catalogue.allocatable``); None when the machine is not in the catalogue."""
    max_nodes: int = 0
    machine: str = ""


def _taint(text: str) -> tuple[str, str, str]:
    """Taints are written ``key=value:Effect`` (or ``key:Effect``) on both clouds."""
    key_value, _, effect = text.partition(":")
    key, _, value = key_value.partition("=")
    return key, value, effect


def tolerates(tolerations: Sequence[Mapping[str, Any]], taint: tuple[str, str, str]) -> bool:
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


def _int(value: Any, default: int) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default


def _minor(version: Any) -> int | None:
    match = re.match(r"v?1\.(\d+)", str(version or ""))
    return int(match.group(1)) if match else None


def _capacity(
    cloud: Cloud,
    size: MachineSize | None,
    shape_config: Mapping[str, Any],
    disk: Any,
    pods: int,
    version: Any,
) -> NodeCapacity | None:
    if size is None:
        return None
    vcpus: float | None = size.vcpus
    memory: float | None = size.memory_gib
    if vcpus is None:  # OCI flexible shape: per pool; an x86 OCPU is two vCPUs
        ocpus = _float(shape_config.get("ocpus"))
        vcpus = ocpus * 2 if ocpus else None
        memory = _float(shape_config.get("memoryInGbs"))
    if not vcpus or not memory:
        return None
    return NodeCapacity(cloud, vcpus, memory, _float(disk), pods, size.gpus, _minor(version))


def _float(value: Any) -> float | None:
    """A number the plan declares; None when absent or not yet known (a preview's unknown value)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _aks_pools(r: ResourceView) -> list[tuple[NodePool, MachineSize | None, NodeCapacity | None]]:
    profiles = (r.get("agentPoolProfiles") or []) if r.type == _AKS_CLUSTER else [r.props]
    out = []
    for p in profiles:
        size = machine_size(Cloud.AZURE, str(p.get("vmSize") or ""))
        on_os_disk = p.get("kubeletDiskType") in (None, "", "OS")
        capacity = _capacity(
            Cloud.AZURE,
            size,
            {},
            p.get("osDiskSizeGB") if on_os_disk else None,
            _int(p.get("maxPods"), _AKS_DEFAULT_MAX_PODS),
            p.get("orchestratorVersion"),
        )
        count = _int(p.get("count"), 0)
        most = max(count, _int(p.get("maxCount"), 0)) if p.get("enableAutoScaling") else count
        name = str(p.get("name") or p.get("agentPoolName") or r.name)
        pool = NodePool(
            name,
            tuple(_taint(t) for t in p.get("nodeTaints") or ()),
            dict(p.get("nodeLabels") or {}),
            max_nodes=most,
            machine=str(p.get("vmSize") or ""),
        )
        out.append((pool, size, capacity))
    return out


def _oke_taints(user_data: Any) -> tuple[tuple[str, str, str], ...]:
    try:
        script = base64.b64decode(str(user_data or ""), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return ()
    return tuple(_taint(t) for m in _REGISTER_TAINTS.finditer(script) for t in m.group(1).split(",") if t)


def _oke_pool(
    ctx: PolicyContext, r: ResourceView, autoscaled: bool
) -> tuple[NodePool, MachineSize | None, NodeCapacity | None]:
    labels = {str(x.get("key")): str(x.get("value")) for x in r.get("initialNodeLabels") or ()}
    shape = str(r.get("nodeShape") or "")
    size = machine_size(Cloud.OCI, shape)
    network = r.get("nodeConfigDetails.nodePoolPodNetworkOptionDetails") or {}
    capacity = _capacity(
        Cloud.OCI,
        size,
        r.get("nodeShapeConfig") or {},
        r.get("nodeSourceDetails.bootVolumeSizeInGbs"),
        _int(network.get("maxPodsPerNode"), _OKE_DEFAULT_MAX_PODS),
        r.get("kubernetesVersion"),
    )
    most = _int(r.get("nodeConfigDetails.size"), 0)
    configured = {p.name: p.node_count_max for p in ctx.config.cluster.gpu_pools}
    if autoscaled and labels.get(POOL_LABEL_KEY) in configured:
        most = max(most, configured[labels[POOL_LABEL_KEY]])
    taints = _oke_taints(r.get("nodeMetadata.user_data"))
    return NodePool(str(r.get("name") or r.name), taints, labels, None, most, shape), size, capacity


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


def placement_problem(pod: Mapping[str, Any], pool: NodePool) -> str | None:
    """Why the pod may not land on the pool's nodes (an untolerated taint, an unmatched selector), or None."""
    tolerations = pod.get("tolerations") or ()
    untolerated = [
        f"{k}={v}:{e}" if v else f"{k}:{e}"
        for k, v, e in pool.taints
        if not tolerates(tolerations, (k, v, e))
    ]
    if untolerated:
        return f"taint {', '.join(untolerated)} not tolerated"
    selector = pod.get("nodeSelector") or {}
    missing = {k: v for k, v in selector.items() if pool.labels.get(k) != v}
    if missing:
        return f"nodeSelector {missing} not among its labels"
    terms = _required_terms(pod)
    if terms and not any(all(_matches(e, pool.labels) for e in term) for term in terms):
        return "required node affinity not matched by its labels"
    return None


def _fits_labels_and_taints(pod: Mapping[str, Any], pool: NodePool) -> bool:
    return placement_problem(pod, pool) is None


def _advertises_gpus(ctx: PolicyContext, pool: NodePool, resources: list[ResourceView]) -> bool:
    if any(all(tolerates(t, taint) for taint in pool.taints) for t in oke_gpu_plugin_tolerations(resources)):
        return True
    for r in resources:
        if r.type == _HELM_RELEASE and _chart_name(r) == _GPU_OPERATOR_CHART:
            tolerations = r.get("values.daemonsets.tolerations") or []
            if not _operator_problems(ctx, r) and all(tolerates(tolerations, t) for t in pool.taints):
                return True
        elif _kind(r) == "DaemonSet":
            spec = pod_spec(r) or {}
            images = [str(c.get("image") or "").split("@", 1)[0].rsplit(":", 1)[0] for c in _containers(spec)]
            if any(i.endswith("/" + _DEVICE_PLUGIN_IMAGE) for i in images) and _fits_labels_and_taints(
                spec, pool
            ):
                return True
    return False


def node_pools(ctx: PolicyContext, resources: list[ResourceView]) -> list[NodePool]:
    """Every planned pool, with what one of its nodes offers pods and how many nodes it can grow to."""
    autoscaled = any(r.type == _OKE_ADDON and r.get("addonName") == "ClusterAutoscaler" for r in resources)
    found: list[tuple[NodePool, MachineSize | None, NodeCapacity | None]] = []
    for r in resources:
        if r.type in (_AKS_CLUSTER, _AKS_POOL):
            found += _aks_pools(r)
        elif r.type == _OKE_POOL:
            found.append(_oke_pool(ctx, r, autoscaled))
    pools = []
    for pool, size, capacity in found:
        node = capacity
        if node is not None and size is not None and size.gpus and not _advertises_gpus(ctx, pool, resources):
            node = dataclasses.replace(node, gpus=0)
        amounts = allocatable(node) if node is not None else None
        pools.append(dataclasses.replace(pool, allocatable=amounts))
    return pools
