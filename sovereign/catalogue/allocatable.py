"""What one node of a pool offers pods: its capacity minus the reservations of its cloud (node allocatable).

The scheduler places a pod only where the sum of the pod requests on a node stays within the node's
*allocatable* amount, which is ``capacity - kube-reserved - system-reserved - hard eviction threshold``
(kubernetes.io/docs/tasks/administer-cluster/reserve-compute-resources/, "Node Allocatable": "The scheduler does
not over-subscribe 'Allocatable'. 'CPU', 'memory' and 'ephemeral-storage' are supported").

Sources per cloud:

- AKS, MicrosoftDocs/azure-aks-docs ``articles/aks/node-resource-reservations.md`` (ms.date 06/11/2026, commit
  fb060abe): CPU "Kube-reserved CPU (millicores)" 60 / 100 / 140 / 180 / 260 / 420 / 740 for 1 / 2 / 4 / 8 / 16 /
  32 / 64 cores (from 4 cores on, exactly ``100 + 10 x cores``, which this module uses between the listed
  points); memory, AKS 1.29 and later: the "memory.available < 100 Mi eviction rule" plus "the lesser value of:
  20 MB * Max Pods supported on the Node + 50 MB or 25% of the total system memory"; before 1.29: 750 Mi
  eviction plus the regressive 25/20/10/6/2 % kube-reserved. The page adds that "the underlying node OS also
  reserves an amount", which no document quantifies: a pod within a few percent of the limit is not proven to
  fit.
- OKE: Oracle documents no default kube-reserved/system-reserved for managed nodes that could be confirmed (the
  kubelet's own defaults are none). Oracle's OKE engineering guide (oracle-devrel/technology-engineering
  ``app-dev/devops-and-containers/oke/oke-kube-reserved-cloud-init``, PR #919) recommends the tiered
  reservation used by GKE and AKS before 1.29 (memory 25 % of the first 4 GiB, 20 % of the next 4, 10 % of the
  next 8, 6 % up to 128 GiB, 2 % above; CPU 6 % of the first core, 1 % of the second, 0.5 % of cores 3-4,
  0.25 % above). It is applied here as a margin, per vCPU (more than per OCPU), so what passes here still fits
  if the nodes reserve like that.
- Both: the kubelet's default hard eviction thresholds "memory.available<100Mi", "nodefs.available<10%"
  (kubernetes.io/docs/concepts/scheduling-eviction/node-pressure-eviction/, "Hard eviction thresholds").
  Ephemeral storage is the node's root disk (AKS ``osDiskSizeGB`` with the kubelet on the OS disk; OKE the boot
  volume, grown to its size by ``oci-growfs`` in ``components/oci/node_images.py``) minus those 10 %.
"""

from __future__ import annotations

from dataclasses import dataclass

from sovereign.types import Cloud

__all__ = ["GIB", "MIB", "NodeCapacity", "allocatable"]

MIB = 1024**2
GIB = 1024**3
_AKS_CPU_RESERVED_MILLI = {1: 60, 2: 100, 4: 140, 8: 180, 16: 260, 32: 420, 64: 740}
_EVICTION_MEMORY = 100 * MIB
_EVICTION_NODEFS_FRACTION = 0.10


@dataclass(frozen=True)
class NodeCapacity:
    """One node of a pool as the plan declares it."""

    cloud: Cloud
    vcpus: float
    memory_gib: float
    disk_gib: float | None
    """Root disk the kubelet keeps ephemeral storage on; None when the plan does not say (not checked)."""
    max_pods: int
    gpus: int
    """GPUs a device plugin advertises on the node (0 where nothing does)."""
    kubernetes_minor: int | None = None
    """Minor Kubernetes version (AKS changed its memory reservation in 1.29); None: the current rule."""


def _aks_cpu_reserved(cores: int) -> int:
    if cores in _AKS_CPU_RESERVED_MILLI:
        return _AKS_CPU_RESERVED_MILLI[cores]
    return 140 if cores < 4 else 100 + 10 * cores


def _tiered(amount: float, tiers: tuple[tuple[float, float], ...], rest: float) -> float:
    """Reserve ``fraction`` of each successive ``size`` of ``amount``, and ``rest`` of what lies beyond."""
    reserved, left = 0.0, amount
    for size, fraction in tiers:
        part = min(left, size)
        reserved += part * fraction
        left -= part
    return reserved + max(left, 0.0) * rest


_MEMORY_TIERS = ((4.0, 0.25), (4.0, 0.20), (8.0, 0.10), (112.0, 0.06))
_CPU_TIERS = ((1.0, 0.06), (1.0, 0.01), (2.0, 0.005))


def _memory_reserved(node: NodeCapacity) -> float:
    memory = node.memory_gib * GIB
    if node.cloud == Cloud.AZURE and (node.kubernetes_minor is None or node.kubernetes_minor >= 29):
        return min(20 * MIB * node.max_pods + 50 * MIB, 0.25 * memory) + _EVICTION_MEMORY
    if node.cloud == Cloud.AZURE:
        return _tiered(node.memory_gib, _MEMORY_TIERS, 0.02) * GIB + 750 * MIB
    return _tiered(node.memory_gib, _MEMORY_TIERS, 0.02) * GIB + _EVICTION_MEMORY


def allocatable(node: NodeCapacity) -> dict[str, float]:
    """Allocatable ``cpu`` (millicores), ``memory`` and ``ephemeral-storage`` (bytes) and ``nvidia.com/gpu``."""
    if node.cloud == Cloud.AZURE:
        cpu_reserved = float(_aks_cpu_reserved(round(node.vcpus)))
    else:
        cpu_reserved = _tiered(node.vcpus, _CPU_TIERS, 0.0025) * 1000
    out = {
        "cpu": node.vcpus * 1000 - cpu_reserved,
        "memory": node.memory_gib * GIB - _memory_reserved(node),
        "nvidia.com/gpu": float(node.gpus),
    }
    if node.disk_gib is not None:
        out["ephemeral-storage"] = node.disk_gib * GIB * (1 - _EVICTION_NODEFS_FRACTION)
    return out
