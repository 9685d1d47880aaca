"""GPU scheduling: the taint GPU pools carry, the label that identifies them, and zone spreading.

Pure helpers (no resources). The cluster components put a taint and a label on every GPU node pool; the
inference pods tolerate exactly that taint and require exactly that label, so they land on GPU nodes only and
nothing else lands there by accident. Non-goals: the NVIDIA device plugin or GPU operator (the cluster's).
"""

import re
from dataclasses import dataclass

import pulumi_kubernetes as k8s

from sovereign.contracts import GPU_NODE_LABEL, GPU_RESOURCE, GPU_TAINT

__all__ = [
    "DEFAULT_GPU_NODE_LABEL",
    "DEFAULT_GPU_TAINT",
    "GPU_RESOURCE",
    "NodeLabel",
    "Taint",
    "gpu_node_affinity",
    "gpu_tolerations",
    "spread_across_zones",
]

DEFAULT_GPU_TAINT = GPU_TAINT
DEFAULT_GPU_NODE_LABEL = GPU_NODE_LABEL

_KEY = r"([a-z0-9]([a-z0-9.-]*[a-z0-9])?/)?[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?"
_VALUE = r"([A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?)?"
_TAINT = re.compile(
    rf"(?P<key>{_KEY})(=(?P<value>{_VALUE}))?:(?P<effect>NoSchedule|PreferNoSchedule|NoExecute)"
)
_LABEL = re.compile(rf"(?P<key>{_KEY})=(?P<value>{_VALUE})")


@dataclass(frozen=True)
class Taint:
    key: str
    value: str
    effect: str

    @classmethod
    def parse(cls, text: str) -> "Taint":
        """Parse kubectl's ``key[=value]:Effect`` form, such as ``nvidia.com/gpu=present:NoSchedule``."""
        match = _TAINT.fullmatch(text)
        if match is None:
            raise ValueError(
                f"GPU taint must be 'key[=value]:Effect' (got {text!r}; allowed effects: NoSchedule, "
                f"PreferNoSchedule, NoExecute), for example {DEFAULT_GPU_TAINT!r}"
            )
        return cls(match["key"], match["value"] or "", match["effect"])


@dataclass(frozen=True)
class NodeLabel:
    key: str
    value: str

    @classmethod
    def parse(cls, text: str) -> "NodeLabel":
        """Parse ``key=value``, such as ``sovereign.ai/gpu=true``."""
        match = _LABEL.fullmatch(text)
        if match is None:
            raise ValueError(
                f"GPU node label must be 'key=value' (got {text!r}), for example {DEFAULT_GPU_NODE_LABEL!r}"
            )
        return cls(match["key"], match["value"])


def gpu_tolerations(taint: Taint) -> list[k8s.core.v1.TolerationArgs]:
    return [
        k8s.core.v1.TolerationArgs(
            key=taint.key,
            operator="Equal" if taint.value else "Exists",
            value=taint.value or None,
            effect=taint.effect,
        )
    ]


def gpu_node_affinity(label: NodeLabel) -> k8s.core.v1.AffinityArgs:
    # Required, not preferred: a GPU pod on a CPU node would only sit Pending, or worse, fall back to CPU.
    return k8s.core.v1.AffinityArgs(
        node_affinity=k8s.core.v1.NodeAffinityArgs(
            required_during_scheduling_ignored_during_execution=k8s.core.v1.NodeSelectorArgs(
                node_selector_terms=[
                    k8s.core.v1.NodeSelectorTermArgs(
                        match_expressions=[
                            k8s.core.v1.NodeSelectorRequirementArgs(
                                key=label.key, operator="In", values=[label.value]
                            )
                        ]
                    )
                ]
            )
        )
    )


def spread_across_zones(selector: dict[str, str]) -> list[k8s.core.v1.TopologySpreadConstraintArgs]:
    """Spread replicas over zones, then nodes. ScheduleAnyway: GPU pools are often in one zone only, and a
    replica in the same zone beats no replica at all."""
    return [
        k8s.core.v1.TopologySpreadConstraintArgs(
            max_skew=1,
            topology_key=topology_key,
            when_unsatisfiable="ScheduleAnyway",
            label_selector=k8s.meta.v1.LabelSelectorArgs(match_labels=selector),
        )
        for topology_key in ("topology.kubernetes.io/zone", "kubernetes.io/hostname")
    ]
