"""How third-party charts and images are laid out in a country's registry: one convention for every release the
toolkit installs (Calico, KEDA, Prometheus; the GPU Operator's catalogue follows it too).

Data only (STYLE rule 14). Charts live at ``oci://<registry>/helm/<chart>`` (``helm push <tgz>
oci://<registry>/helm``), images at ``<registry>/mirror/<upstream path>`` with their tag (and digest: ``crane
copy`` keeps it), so ``quay.io/calico/node:v3.32.1`` becomes ``<registry>/mirror/calico/node:v3.32.1``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CHART_REPOSITORY_PATH", "MIRROR_PATH", "UpstreamImage", "chart_url", "release_repositories"]

CHART_REPOSITORY_PATH = "helm"
MIRROR_PATH = "mirror"


def chart_url(registry_prefix: str, chart_name: str) -> str:
    return f"oci://{registry_prefix}/{CHART_REPOSITORY_PATH}/{chart_name}"


def release_repositories(chart_name: str, images: tuple[UpstreamImage, ...]) -> list[str]:
    """The repositories one mirrored release occupies, as paths under the registry prefix: its chart
    (``helm push <tgz> oci://<registry>/helm`` stores chart ``<name>`` at ``<registry>/helm/<name>``; Helm
    "Registries": "The basename (chart name) of the registry reference is inferred from the chart's name") and
    every image at ``mirror/<upstream path>``.

    On OCI these must exist before the push, in the country's compartment: a push to a missing path creates the
    repository in the tenancy's root compartment when the tenancy allows it at all (terraform-provider-oci
    ``oci_artifacts_container_configuration``: "Repositories created in this way belong to the root
    compartment"), outside the country's read policy and key."""
    return [f"{CHART_REPOSITORY_PATH}/{chart_name}", *(f"{MIRROR_PATH}/{i.path}" for i in images)]


@dataclass(frozen=True)
class UpstreamImage:
    """One upstream image, pinned by its release tag and, where a source gives it, the digest of that tag."""

    upstream: str
    """Registry host and path, such as 'quay.io/calico/node'."""
    tag: str
    digest: str | None = None
    """'sha256:<hex>' of the (multi-architecture) index the tag names; None: no source gave it (pinned by tag)."""

    @property
    def name(self) -> str:
        """The last path component, such as 'node'."""
        return self.upstream.rsplit("/", 1)[-1]

    @property
    def path(self) -> str:
        """The path without the registry host, such as 'calico/node'."""
        return self.upstream.split("/", 1)[1]

    def mirror_registry(self, registry_prefix: str) -> str:
        """``<registry>/mirror``: what charts that join ``<registry>/<path>:<tag>`` take as their registry."""
        return f"{registry_prefix}/{MIRROR_PATH}"

    def mirror_repository(self, registry_prefix: str) -> str:
        """``<registry>/mirror/<path>``: the image in the country's registry, without tag."""
        return f"{self.mirror_registry(registry_prefix)}/{self.path}"
