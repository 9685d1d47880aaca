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
``quay.io/calico/node:v3.32.1``), and quay.io was not reachable from here. The multi-architecture digests below
are the ones two public repositories pin for v3.32.1 in their fail-closed manifest rewrites (code index ids
59820719422 and 59753564212, the same three values); verify them with ``crane digest quay.io/calico/node:v3.32.1``
(and cni, kube-controllers) when mirroring. The chart joins ``<registry>/<image>:<version>`` and cannot carry a
digest, so the post-renderer (``components.kubernetes.calico_postrender``) appends each one to its image
(``<mirror>/node:v3.32.1@sha256:...``: the runtime then pulls by digest, the tag only documents) and refuses a
rendering with a Calico image it has no digest for. A wrong digest fails the pull loudly; it cannot pull a
different image.
"""

from __future__ import annotations

from sovereign.catalogue import mirror
from sovereign.catalogue.mirror import UpstreamImage

__all__ = [
    "CHART_NAME",
    "CHART_VERSION",
    "CNI",
    "KUBE_CONTROLLERS",
    "MIRRORED_IMAGES",
    "NODE",
    "RELEASE",
    "chart_url",
]

RELEASE = "v3.32.1"
"""projectcalico/calico release tag: the chart's ``version`` value, the tag of every image."""
CHART_NAME = "calico"
CHART_VERSION = "3.32.1"
"""The version the country packages the chart at (the upstream Chart.yaml says 0.1.0: it is never released)."""


def chart_url(registry_prefix: str) -> str:
    return mirror.chart_url(registry_prefix, CHART_NAME)


NODE = UpstreamImage(
    "quay.io/calico/node", RELEASE, "sha256:7f874b3f0b540c2b523aea9961ef5e2f43b0af9056a47874c916d6cf348168d3"
)
"""calico-node: Felix, which programs the policies on every node."""
CNI = UpstreamImage(
    "quay.io/calico/cni", RELEASE, "sha256:bb1567e3ed81e2e8414e9a68f186e1f7ffd4067a4871a9ae90896793af0190dd"
)
"""Only the install-cni init container uses it, which the OKE post-renderer removes; mirrored so a values
mistake pulls from the country, not from quay.io."""
KUBE_CONTROLLERS = UpstreamImage(
    "quay.io/calico/kube-controllers",
    RELEASE,
    "sha256:18008f781c869376dbbc4dfb1ffe3afb46f7897887d4f20e080c420ac44a6612",
)

MIRRORED_IMAGES: tuple[UpstreamImage, ...] = (NODE, CNI, KUBE_CONTROLLERS)
