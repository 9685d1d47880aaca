"""Digest-pinned images are pulled once per node (finding K12).

A reference pinned by digest names immutable content, so the node's copy is the image. ``Always`` makes the
kubelet ask the registry on every container start ("Every time the kubelet launches a container, the kubelet
queries the container image registry to resolve the name to an image digest", Container.imagePullPolicy,
Kubernetes API core/v1): a restarted or rescheduled model server then waits on the registry, and a registry
outage stops restarts of pods whose 70 GB weights already sit on the node. ``Never`` fails on a fresh node.
An unset policy on a reference without ``:latest`` defaults to ``IfNotPresent`` (same field), so it passes.
checkov's "Image Pull Policy should be Always" (CKV_K8S_15) does not apply to digest-pinned images
(bridgecrewio/checkov#4781, "Don't require ImagePullPolicy when digest"), so the checkov skip list stays empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sovereign.policies.kubernetes_rules import is_workload, pod_spec
from sovereign.policies.model import Finding, PolicyContext, ResourceView, Rule

__all__ = ["IMAGE_PULL_RULES"]

_ONCE = "IfNotPresent"


def _pinned(image: Any) -> bool:
    return isinstance(image, str) and "@sha256:" in image


def _pull_policies(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    for r in resources:
        spec = pod_spec(r) or {}
        for key in ("initContainers", "containers"):
            for c in spec.get(key) or []:
                policy = (c.get("imagePullPolicy") or _ONCE) if isinstance(c, dict) else _ONCE
                if isinstance(c, dict) and _pinned(c.get("image")) and policy != _ONCE:
                    yield Finding(
                        f"container '{c.get('name')}' pulls its digest-pinned image with imagePullPolicy "
                        f"'{policy}': use 'IfNotPresent' (the digest is immutable; 'Always' asks the registry "
                        "on every start, 'Never' fails on a fresh node)",
                        r.urn,
                    )
        for volume in spec.get("volumes") or []:
            source = (volume.get("image") or {}) if isinstance(volume, dict) else {}
            policy = source.get("pullPolicy") or _ONCE
            if _pinned(source.get("reference")) and policy != _ONCE:
                yield Finding(
                    f"image volume '{volume.get('name')}' pulls its digest-pinned reference with pullPolicy "
                    f"'{policy}': use 'IfNotPresent'",
                    r.urn,
                )


IMAGE_PULL_RULES: tuple[Rule, ...] = (
    Rule(
        "digest-pinned-images-pulled-once",
        "Containers and image volumes whose image is pinned by digest use pull policy IfNotPresent, so a "
        "node pulls each image once and restarts do not depend on the registry.",
        _pull_policies,
        is_workload,
        sovereignty=False,
        reads=(
            "inputs.spec.*containers.image",
            "inputs.spec.*containers.imagePullPolicy",
            "inputs.spec.*volumes.image.*",
        ),
    ),
)
