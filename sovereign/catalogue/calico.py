"""The Calico release the toolkit installs on OKE (policy only), and every image it deploys, pinned in one place.

Data only (STYLE rule 14). OKE's CNI plugins do not enforce NetworkPolicies; Oracle documents installing
Calico's policy-only manifest "alongside the OCI VCN-Native Pod Networking CNI plugin" (docs.oracle.com/en-us/
iaas/Content/ContEng/Tasks/contengsettingupcalico.htm). That manifest is generated from the ``calico`` chart of
projectcalico/calico (``charts/calico``, values ``charts/values/calico-policy-only.yaml``; the chart's README:
"The templates in this directory are used for generating the contents of the manifests/ directory"), so each
country packages that chart at the release tag and mirrors it with the images:

    git -C calico checkout v3.32.1
    helm package calico/charts/calico --version 3.32.1 --app-version v3.32.1
    helm push calico-3.32.1.tgz oci://<registry>/helm
    crane copy quay.io/calico/node:v3.32.1 <registry>/mirror/calico/node:v3.32.1   (and cni, kube-controllers)

Version: Oracle's compatibility table lists Calico versions it tested up to 3.28.2 on Kubernetes 1.31 (page
updated 2025-01); OKE clusters here run 1.33 to 1.35 (``sovereign.catalogue.kubernetes``), beyond any tested
pair. 3.32.1 (projectcalico/calico tag v3.32.1, 2026-06-24) builds and tests against Kubernetes 1.35
(``metadata.mk``: ``K8S_VERSION=v1.35.6``), and Calico's e2e runs on "stable, stable-1 and stable-2"
(projectcalico discussion #11717). Re-check Oracle's table when it lists a newer pair.

Digests: Calico publishes none in its release manifests (``manifests/calico-policy-only.yaml`` at v3.32.1 names
``quay.io/calico/node:v3.32.1``), and no authoritative digest list was reachable, so these images are pinned by
tag: record each digest when mirroring (``crane digest``) and keep the mirror's tags immutable.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CHART_NAME",
    "CHART_REPOSITORY_PATH",
    "CHART_VERSION",
    "CNI",
    "KUBE_CONTROLLERS",
    "MIRRORED_IMAGES",
    "NODE",
    "RELEASE",
    "TaggedImage",
    "chart_url",
]

RELEASE = "v3.32.1"
"""projectcalico/calico release tag: the chart's ``version`` value, the tag of every image."""
CHART_NAME = "calico"
CHART_VERSION = "3.32.1"
"""The version the country packages the chart at (the upstream Chart.yaml says 0.1.0: it is never released)."""
CHART_REPOSITORY_PATH = "helm"
MIRROR_DIRECTORY = "mirror/calico"
"""Images live under ``<registry>/mirror/calico/`` (``node``, ``cni``, ``kube-controllers``)."""


def chart_url(registry_prefix: str) -> str:
    return f"oci://{registry_prefix}/{CHART_REPOSITORY_PATH}/{CHART_NAME}"


@dataclass(frozen=True)
class TaggedImage:
    """One upstream image pinned by its release tag (see the module docstring: no published digest)."""

    upstream: str
    tag: str

    @property
    def name(self) -> str:
        return self.upstream.rsplit("/", 1)[-1]

    def mirror_registry(self, registry_prefix: str) -> str:
        """The chart joins ``<registry>/<image>:<version>`` (``templates/calico-node.yaml``)."""
        return f"{registry_prefix}/{MIRROR_DIRECTORY}"


NODE = TaggedImage("quay.io/calico/node", RELEASE)
"""calico-node: Felix, which programs the policies on every node."""
CNI = TaggedImage("quay.io/calico/cni", RELEASE)
"""Only the install-cni init container uses it, which the OKE post-renderer removes; mirrored so a values
mistake pulls from the country, not from quay.io."""
KUBE_CONTROLLERS = TaggedImage("quay.io/calico/kube-controllers", RELEASE)

MIRRORED_IMAGES: tuple[TaggedImage, ...] = (NODE, CNI, KUBE_CONTROLLERS)
