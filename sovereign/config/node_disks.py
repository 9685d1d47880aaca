"""GPU node disks hold the images their replicas run: the weights image, the serving image, and the node's own.

The inference pods read the weights straight from the weights image on the node (the modelcar,
``components/kubernetes/model_loading.py``), so the image, not a volume claim, must fit the node's disk: the
Azure pool's managed OS disk (``os_disk_gib``) or the OKE boot volume (``boot_volume_gib``). What one node holds
at once, per GPU pool:

- the weights of the replicas that fit on its GPUs together, largest first; two versions of a deployment when
  two of its replicas fit (a rolling update runs the old and the new digest side by side), else one. Unused
  images of earlier versions do not count: the kubelet deletes them before it evicts pods;
- each weights image twice, because containerd keeps the pulled layers next to the unpacked snapshot (CRI
  ``discard_unpacked_layers`` is off by default) and safetensors do not compress;
- the vLLM image per weights image in use at once, at most two versions of it: 28.6 GB unpacked
  ("Size of official out-of-the-box vllm-openai:latest docker image: 28.6 GB", vllm-project/vllm PR #22377,
  2025-12, vLLM 0.12) and about 12 GB of pulled layers ("the image is around 12 GB", vllm issue #27154);
- the node image itself ("the minimum size for AKS images is 30 GB", MicrosoftDocs/azure-aks-docs
  ``articles/aks/create-node-pools.md`` at fb060ab) plus the system DaemonSets' images and logs.

All of that must stay within 85 % of the disk: the kubelet's default hard eviction threshold is
``imagefs.available<15%`` (kubernetes.io/docs/concepts/scheduling-eviction/node-pressure-eviction), and AKS
starts image garbage collection at "imageGcHighThreshold ... The default is 85%" (AKS KubeletConfig). Tenant
GPU workloads bring their own images and are not counted; non-goals: sizing the system and user pools.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass

from sovereign.catalogue import machine_size
from sovereign.config.errors import Violation
from sovereign.config.schema import CountryConfig, ModelRegister

__all__ = [
    "NODE_SYSTEM_GIB",
    "SERVING_IMAGE_LAYERS_GIB",
    "SERVING_IMAGE_UNPACKED_GIB",
    "USABLE_DISK_FRACTION",
    "NodeImages",
    "node_images",
    "weights_fit_node_disks",
]

SERVING_IMAGE_UNPACKED_GIB = 27
"""The vLLM image unpacked: 28.6 GB = 26.6 GiB, rounded up."""
SERVING_IMAGE_LAYERS_GIB = 12
"""Its pulled (compressed) layers, which containerd keeps: about 12 GB = 11.2 GiB, rounded up."""
NODE_SYSTEM_GIB = 40
"""The node image (30 GB on AKS) plus the system DaemonSets' images (GPU operator, CNI, CSI) and logs."""
USABLE_DISK_FRACTION = 0.85
"""Below the kubelet's default hard eviction threshold, imagefs.available<15%."""


@dataclass(frozen=True)
class NodeImages:
    """What one node of a GPU pool may hold at once, in GiB."""

    weights: tuple[tuple[str, int], ...]
    """(deployment, weights_size_gib) of every weights image in use at once, a deployment twice when two of
    its versions can run side by side."""
    serving_copies: int

    @property
    def need_gib(self) -> int:
        serving = self.serving_copies * (SERVING_IMAGE_UNPACKED_GIB + SERVING_IMAGE_LAYERS_GIB)
        return NODE_SYSTEM_GIB + sum(2 * size for _, size in self.weights) + serving

    def describe(self) -> str:
        weights = " + ".join(f"2 x {size} ({name})" for name, size in self.weights)
        serving = (
            f"{self.serving_copies} x ({SERVING_IMAGE_UNPACKED_GIB} + {SERVING_IMAGE_LAYERS_GIB}) (vLLM)"
        )
        return f"{NODE_SYSTEM_GIB} (node) + {weights} + {serving} = {self.need_gib} GiB"


def node_images(gpus_per_node: int, deployments: list[tuple[str, int, int, str]]) -> NodeImages | None:
    """The images a node with ``gpus_per_node`` GPUs holds at worst, for deployments given as
    (name, gpus_per_replica, weights_size_gib, serving image); None when no replica fits on it."""
    candidates = [
        (size, gpus, name, image)
        for name, gpus, size, image in deployments
        if gpus <= gpus_per_node
        for _ in range(min(2, gpus_per_node // gpus))
    ]
    chosen: list[tuple[int, int, str, str]] = []
    free = gpus_per_node
    for size, gpus, name, image in sorted(candidates, key=lambda c: (-c[0], c[2])):
        if gpus <= free:
            chosen.append((size, gpus, name, image))
            free -= gpus
    if not chosen:
        return None
    serving_versions = 2 * len({image for *_, image in chosen})
    return NodeImages(
        weights=tuple((name, size) for size, _, name, _ in chosen),
        serving_copies=min(len(chosen), serving_versions),
    )


def weights_fit_node_disks(c: CountryConfig, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Every GPU pool's node disk holds the weights and serving images its replicas run at once, with the
    15 % the kubelet keeps free; otherwise a scale-out stalls in disk-pressure evictions mid-pull."""
    deployments = []
    for d in c.assistant.deployments if c.assistant else []:
        record = register.find(d.model)
        if record is not None:  # an unknown model is models_are_approved's finding
            deployments.append((d.name, d.gpus_per_replica, record.weights_size_gib, d.image))
    for i, pool in enumerate(c.cluster.gpu_pools):
        size = machine_size(c.cloud, pool.vm_size)
        disk = pool.node_disk
        if size is None or disk is None or not deployments:
            continue
        images = node_images(size.gpus, deployments)
        if images is None:
            continue
        setting, gib = disk
        usable = math.floor(gib * USABLE_DISK_FRACTION)
        if images.need_gib > usable:
            least = math.ceil(images.need_gib / USABLE_DISK_FRACTION)
            yield Violation(
                ("cluster", "gpu_pools", i, setting),
                f"{gib} GiB is too small for the images a {pool.vm_size} node holds at once: "
                f"{images.describe()}, more than the {usable} GiB usable before the kubelet evicts pods "
                f"({round(USABLE_DISK_FRACTION * 100)} % of {gib}; each weights image counts twice, layers and "
                "unpacked snapshot)",
                f"set {setting} to at least {least}"
                + (
                    " (AKS cannot resize an OS disk: this creates the pool anew)"
                    if setting == "os_disk_gib"
                    else ""
                ),
            )
