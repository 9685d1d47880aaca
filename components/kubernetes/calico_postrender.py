"""Helm post-renderer: Oracle's edits that make Calico's policy-only rendering run beside OKE's VCN-native CNI.

Oracle, "Installing Calico alongside the OCI VCN-Native Pod Networking CNI plugin"
(docs.oracle.com/en-us/iaas/Content/ContEng/Tasks/contengsettingupcalico.htm): in the ``calico-node`` DaemonSet
"Remove the initContainers section" (install-cni would write a Calico CNI configuration over OKE's), remove the
Typha variable (the chart renders none with ``typha.enabled: false``), "Remove the following envFrom section",
remove the volumes ``cni-bin-dir``, ``cni-net-dir``, ``cni-log-dir`` and the mounts ``cni-net-dir`` and
``cni-log-dir``. The environment variables Oracle adds (``FELIX_INTERFACEPREFIX=oci`` ...) are chart values
(``node.env``, ``components/kubernetes/calico.py``). Since 3.32 the init containers also use the volumes
``sys-fs`` and ``nodeproc`` (the eBPF bootstrap): they go with them.

It also pins every Calico image by digest: the chart can only render ``<registry>/<image>:<version>``, so each
image gets the digest of its tag appended from the catalogue (``sovereign.catalogue.calico``), and an image under
``mirror/calico/`` the catalogue does not know fails the rendering (fail closed: no Calico image runs by tag).

Helm runs it with the rendered manifests on stdin and applies what it prints (helm.sh/docs/topics/advanced,
"Post Rendering"); pulumi-kubernetes' ``helm.v3.Release`` passes ``postrender`` to Helm's
``postrender.NewExec`` (provider/pkg/provider/helm_release.go), which finds the command on ``PATH``: the
project installs it as ``sovereign-calico-oke-postrender`` (pyproject ``[project.scripts]``), so run Pulumi
from the project's environment (``uv run pulumi up``).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable
from typing import Any

from ruamel.yaml import YAML

from sovereign.catalogue import calico as catalogue
from sovereign.catalogue.mirror import MIRROR_PATH

__all__ = ["COMMAND", "REMOVED_MOUNTS", "REMOVED_VOLUMES", "adapt", "adapt_stream", "main", "pin_digest"]

COMMAND = "sovereign-calico-oke-postrender"
REMOVED_VOLUMES = frozenset({"cni-bin-dir", "cni-net-dir", "cni-log-dir", "sys-fs", "nodeproc"})
REMOVED_MOUNTS = frozenset({"cni-net-dir", "cni-log-dir"})
_NODE_DAEMONSET = "calico-node"


def _is_node_daemonset(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and doc.get("kind") == "DaemonSet"
        and (doc.get("metadata") or {}).get("name") == _NODE_DAEMONSET
    )


_DIGESTS = {f"{ref.name}:{ref.tag}": ref.digest for ref in catalogue.MIRRORED_IMAGES}
_MIRROR = f"/{MIRROR_PATH}/calico/"


def pin_digest(image: str) -> str:
    """``<mirror>/calico/node:v3.32.1`` -> ``...:v3.32.1@sha256:<digest>``; other images unchanged."""
    if _MIRROR not in image or "@" in image:
        return image
    digest = _DIGESTS.get(image.rsplit("/", 1)[-1])
    if digest is None:
        raise ValueError(f"no digest is known for the Calico image {image!r} (sovereign/catalogue/calico.py)")
    return f"{image}@{digest}"


def _pod_specs(doc: Any) -> list[dict[str, Any]]:
    spec = ((doc.get("spec") or {}).get("template") or {}).get("spec") if isinstance(doc, dict) else None
    return [spec] if isinstance(spec, dict) else []


def adapt(docs: Iterable[Any]) -> list[Any]:
    """The documents with Oracle's edits applied to the calico-node DaemonSet; refuses a rendering without it."""
    out = [d for d in docs if d is not None]
    nodes = [d for d in out if _is_node_daemonset(d)]
    if len(nodes) != 1:
        raise ValueError(
            f"expected one DaemonSet '{_NODE_DAEMONSET}' in the rendered chart, found {len(nodes)}"
        )
    spec = nodes[0]["spec"]["template"]["spec"]
    spec.pop("initContainers", None)
    spec["volumes"] = [v for v in spec.get("volumes") or [] if v.get("name") not in REMOVED_VOLUMES]
    for container in spec.get("containers") or []:
        container.pop("envFrom", None)
        container["env"] = [
            e for e in container.get("env") or [] if e.get("name") != "FELIX_TYPHAK8SSERVICENAME"
        ]
        mounts = [m for m in container.get("volumeMounts") or [] if m.get("name") not in REMOVED_MOUNTS]
        container["volumeMounts"] = mounts
    for pod in (p for d in out for p in _pod_specs(d)):
        for container in [*(pod.get("initContainers") or []), *(pod.get("containers") or [])]:
            if isinstance(container.get("image"), str):
                container["image"] = pin_digest(container["image"])
    return out


def adapt_stream(text: str) -> str:
    yaml = YAML(typ="safe")
    docs = adapt(yaml.load_all(text))
    buffer = io.StringIO()
    YAML(typ="safe", pure=True).dump_all(docs, buffer)
    return buffer.getvalue()


def main() -> None:
    try:
        sys.stdout.write(adapt_stream(sys.stdin.read()))
    except ValueError as exc:
        sys.stderr.write(f"{COMMAND}: {exc}\n")
        raise SystemExit(1) from None
