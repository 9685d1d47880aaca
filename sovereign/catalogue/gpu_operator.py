"""The NVIDIA GPU Operator release the toolkit installs, and every image it deploys, pinned in one place.

Data only (STYLE rule 14). Each country mirrors the chart and these images into its own registry: the chart to
``oci://<registry>/helm/gpu-operator`` at :data:`CHART_VERSION`, each image to ``<registry>/mirror/<path>``
with its digest unchanged (``crane copy`` / ``oras copy`` keep the manifest, so the digest stays the same).

Sources, last checked 2026-12:
- Release and chart: NVIDIA/gpu-operator tag ``v26.7.0`` (commit 10ee5b3638b89e11e949412aafa5ba99279c3721),
  ``deployments/gpu-operator/values.yaml`` (component versions) and ``Chart.yaml`` / ``Chart.lock`` (bundled
  ``node-feature-discovery`` chart 0.19.0). NGC publishes the chart as version ``v26.7.0``
  (``helm pull nvidia/gpu-operator --version v26.7.0 --repo https://helm.ngc.nvidia.com/nvidia``).
- Digests: the released OLM bundle redhat-openshift-ecosystem/certified-operators
  ``operators/gpu-operator-certified/26.7.0/manifests/gpu-operator-certified.clusterserviceversion.yaml``
  (commit fd679ff2cdb987a43fe6ea0ea9e1be177434a118), ``spec.relatedImages``; the same digests, except the
  operator's own (``main-latest`` in the repository), are in NVIDIA/gpu-operator ``bundle/manifests/
  gpu-operator-certified.clusterserviceversion.yaml`` at v26.7.0.
- Node Feature Discovery: no authoritative digest was reachable (kubernetes/k8s.io
  ``registry.k8s.io/images/k8s-staging-nfd/images.yaml`` was only available up to v0.17.0). The digest below
  is the one a public offline-install script pins (code index id 59508982967); verify it with
  ``crane digest registry.k8s.io/nfd/node-feature-discovery:v0.19.0`` when mirroring. A wrong digest fails
  the pull loudly; it cannot pull a different image.
- Driver (only where the operator installs it, confidential GPU pools): no digest exists for the Ubuntu
  variants in either bundle (their ``driver-image`` digest is the OpenShift build). The operator appends the
  node's OS to a tag version (``595.91.07`` -> ``595.91.07-ubuntu24.04``, NVIDIA/gpu-operator
  ``api/nvidia/v1/clusterpolicy_types.go`` ``imagePath``; a ``sha256:`` version is used verbatim), so this one
  image is pinned by tag: mirror ``595.91.07-ubuntu22.04`` and ``-ubuntu24.04``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CHART_NAME",
    "CHART_REPOSITORY_PATH",
    "CHART_UPSTREAM",
    "CHART_VERSION",
    "DCGM_EXPORTER",
    "DEVICE_PLUGIN",
    "DRIVER",
    "DRIVER_MANAGER",
    "MIRRORED_IMAGES",
    "NODE_FEATURE_DISCOVERY",
    "OPERATOR",
    "TOOLKIT",
    "DriverImage",
    "MirroredImage",
    "chart_url",
]

CHART_NAME = "gpu-operator"
CHART_VERSION = "v26.7.0"
CHART_UPSTREAM = "https://helm.ngc.nvidia.com/nvidia"
CHART_REPOSITORY_PATH = "helm"
"""The chart lives at ``oci://<registry>/helm/gpu-operator`` (``helm push <tgz> oci://<registry>/helm``)."""

MIRROR_PATH = "mirror"
"""Images live under ``<registry>/mirror/``, as every other third-party image of the platform does."""


def chart_url(registry_prefix: str) -> str:
    return f"oci://{registry_prefix}/{CHART_REPOSITORY_PATH}/{CHART_NAME}"


@dataclass(frozen=True)
class MirroredImage:
    """One upstream image, pinned by the digest its publisher released."""

    upstream: str
    """Upstream repository, such as 'nvcr.io/nvidia/k8s-device-plugin'."""
    tag: str
    """Release tag, kept next to the digest so that a reader can see which release it is."""
    digest: str
    """'sha256:<64 hex>' of the release."""

    @property
    def path(self) -> str:
        """Repository path without the upstream registry host: 'nvidia/k8s-device-plugin'."""
        return self.upstream.split("/", 1)[1]

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    def mirror_directory(self, registry_prefix: str) -> str:
        """The mirror's repository without the last path element (the chart's ``repository`` value)."""
        return f"{registry_prefix}/{MIRROR_PATH}/{self.path.rsplit('/', 1)[0]}"

    def mirror_repository(self, registry_prefix: str) -> str:
        return f"{registry_prefix}/{MIRROR_PATH}/{self.path}"

    def mirror_ref(self, registry_prefix: str) -> str:
        return f"{self.mirror_repository(registry_prefix)}@{self.digest}"


@dataclass(frozen=True)
class DriverImage:
    """The driver container: pinned by version tag, the operator adds the node's OS (see module docstring)."""

    upstream: str
    version: str
    os_variants: tuple[str, ...]

    @property
    def path(self) -> str:
        return self.upstream.split("/", 1)[1]


OPERATOR = MirroredImage(
    "nvcr.io/nvidia/gpu-operator",
    "v26.7.0",
    "sha256:ddba086bb593713ad6f3b207fd0f9b16eb8910134bb656cb1a2e2ae1b5092400",
)
"""The operator; the chart also runs its validator and CRD upgrade hook from this image."""
DEVICE_PLUGIN = MirroredImage(
    "nvcr.io/nvidia/k8s-device-plugin",
    "v0.20.0",
    "sha256:a61ba9fd8efb82f3a79f877f7580e02c1e8e7593f62473644bc9c79e315c3312",
)
"""Advertises ``nvidia.com/gpu``; GPU Feature Discovery runs from the same image."""
TOOLKIT = MirroredImage(
    "nvcr.io/nvidia/k8s/container-toolkit",
    "v1.20.0",
    "sha256:f8c647d581f7c8b178efdb7e6c94f5fb6eb12ebc05e2157fa314d327560fcb7a",
)
DRIVER_MANAGER = MirroredImage(
    "nvcr.io/nvidia/cloud-native/k8s-driver-manager",
    "v0.12.0",
    "sha256:7d98d08a751cc528d1c8c8bdc2f9d9fcd59714b158a3985a5a0262f1620098e4",
)
DCGM_EXPORTER = MirroredImage(
    "nvcr.io/nvidia/k8s/dcgm-exporter",
    "4.6.0-4.8.3-distroless",
    "sha256:613ab03c11d442fd960ff515f547e9921537454a712d08160bc8f677f89f1c35",
)
NODE_FEATURE_DISCOVERY = MirroredImage(
    "registry.k8s.io/nfd/node-feature-discovery",
    "v0.19.0",
    "sha256:aa5be8691e4d5876d8a774063b37e1430c75e09468ba98d8bd07f6deec1f1756",
)
"""Bundled NFD chart 0.19.0 (master, worker, gc): the operator finds GPU nodes by its PCI labels."""
DRIVER = DriverImage("nvcr.io/nvidia/driver", "595.91.07", ("ubuntu22.04", "ubuntu24.04"))

MIRRORED_IMAGES: tuple[MirroredImage, ...] = (
    OPERATOR,
    DEVICE_PLUGIN,
    TOOLKIT,
    DRIVER_MANAGER,
    DCGM_EXPORTER,
    NODE_FEATURE_DISCOVERY,
)
"""Every digest-pinned image the release deploys (README lists what to mirror from here)."""
