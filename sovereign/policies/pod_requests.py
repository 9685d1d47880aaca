"""A pod's resource requests as the scheduler adds them up, from a planned pod spec.

Kubernetes "Resource sharing within containers" (kubernetes.io/docs/concepts/workloads/pods/init-containers/):
"The highest of any particular resource request or limit defined on all init containers is the effective
init request/limit"; "The Pod's effective request/limit for a resource is the higher of: the sum of all app
containers request/limit for a resource, the effective init request/limit for a resource". Sidecars (init
containers with ``restartPolicy: Always``, kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/) keep
running, so they add to the app containers and to every init container started after them. ``overhead`` (set
by a RuntimeClass) is added on top. A container that sets only a limit gets a request equal to it
("If you specify a limit for a resource, but do not specify any request, ... Kubernetes copies the limit",
kubernetes.io/docs/concepts/configuration/manage-resources-containers/).

What the scheduler does not count, and neither does this: ``emptyDir`` volumes and their ``sizeLimit`` (the
kubelet measures them and evicts, kubernetes.io/docs/concepts/storage/ephemeral-storage/: "The scheduler
ensures that the sum of the resource requests of the scheduled containers is less than the capacity of the
node"; memory-backed ``emptyDir`` counts against the container's memory limit, not the node), and generic
ephemeral volumes (PersistentVolumeClaims, bound by the volume binder, not node storage).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["SCHEDULED_RESOURCES", "effective_requests", "parse_quantity"]

SCHEDULED_RESOURCES = ("cpu", "memory", "ephemeral-storage", "nvidia.com/gpu")
"""cpu in millicores, memory and ephemeral-storage in bytes, GPUs as a count."""

_QUANTITY = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$")
_SUFFIX = {
    "": 1.0,
    "m": 1e-3,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "P": 1e15,
    "E": 1e18,
    "Ki": 2.0**10,
    "Mi": 2.0**20,
    "Gi": 2.0**30,
    "Ti": 2.0**40,
    "Pi": 2.0**50,
    "Ei": 2.0**60,
}


def parse_quantity(value: Any) -> float:
    """A Kubernetes quantity ('500m', '64Gi', 2, '1e3') as a float in base units; ValueError if malformed."""
    if isinstance(value, bool):
        raise ValueError(f"not a quantity: {value!r}")
    if isinstance(value, int | float):
        return float(value)
    match = _QUANTITY.match(str(value).strip())
    if not match or match.group(2) not in _SUFFIX:
        raise ValueError(f"not a Kubernetes quantity: {value!r}")
    return float(match.group(1)) * _SUFFIX[match.group(2)]


def _container_requests(container: Mapping[str, Any]) -> dict[str, float]:
    resources = container.get("resources") or {}
    requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
    out: dict[str, float] = {}
    for name in SCHEDULED_RESOURCES:
        raw = requests.get(name, limits.get(name))
        if raw is None:
            continue
        amount = parse_quantity(raw)
        out[name] = amount * 1000 if name == "cpu" else amount
    return out


def _add(a: Mapping[str, float], b: Mapping[str, float]) -> dict[str, float]:
    return {k: a.get(k, 0.0) + b.get(k, 0.0) for k in {*a, *b}}


def _max(a: Mapping[str, float], b: Mapping[str, float]) -> dict[str, float]:
    return {k: max(a.get(k, 0.0), b.get(k, 0.0)) for k in {*a, *b}}


def effective_requests(pod: Mapping[str, Any]) -> dict[str, float]:
    """What the scheduler reserves on a node for one pod of this spec."""
    sidecars: dict[str, float] = {}
    init: dict[str, float] = {}
    for c in pod.get("initContainers") or ():
        own = _container_requests(c)
        if c.get("restartPolicy") == "Always":
            sidecars = _add(sidecars, own)
            init = _max(init, sidecars)
        else:
            init = _max(init, _add(sidecars, own))
    app: dict[str, float] = dict(sidecars)
    for c in pod.get("containers") or ():
        app = _add(app, _container_requests(c))
    overhead = {
        name: parse_quantity(v) * (1000 if name == "cpu" else 1)
        for name, v in (pod.get("overhead") or {}).items()
        if name in SCHEDULED_RESOURCES
    }
    return {k: v for k, v in _add(_max(init, app), overhead).items() if v > 0}
