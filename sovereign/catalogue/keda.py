"""The KEDA release the toolkit installs on OKE, and every image it deploys, pinned in one place.

Data only (STYLE rule 14). AKS runs KEDA as a managed add-on (ManagedCluster
``workloadAutoScalerProfile.keda.enabled``: MicrosoftDocs/azure-aks-docs ``articles/aks/keda-deploy-add-on-arm.md``;
the cluster's Kubernetes version picks the KEDA version, ``articles/aks/keda-about.md``: Kubernetes 1.35 runs
"keda 2.17.2-3", 1.36 "keda 2.19.0-6", ``articles/aks/supported-kubernetes-versions.md`` at commit
fb060abe6a8fef960d4c487b543bf7b1e97808fe). OKE has no KEDA add-on, so each OCI country mirrors the upstream
chart and images:

    helm pull oci://ghcr.io/kedacore/charts/keda --version 2.20.2    (or --repo https://kedacore.github.io/charts)
    helm push keda-2.20.2.tgz oci://<registry>/helm
    crane copy ghcr.io/kedacore/keda:2.20.2 <registry>/mirror/kedacore/keda:2.20.2
        (and keda-metrics-apiserver, keda-admission-webhooks)

Version: kedacore/charts tag ``v2.20.2`` (``keda/Chart.yaml``: ``version: 2.20.2``, ``appVersion: 2.20.2``,
commit 1444d00d90d7668cf7f53f270777d039371d90d0 on main, 2026-08-13). KEDA's compatibility matrix tests v2.20
on "v1.33 - v1.35" (keda.sh/docs/2.20/operate/cluster); the OKE stacks run 1.34.

Digests: neither the chart nor a release manifest reachable here names image digests (the chart joins
``<registry>/<repository>:<tag>``, ``keda/templates/manager/deployment.yaml``), so the images are pinned by
tag: record each digest when mirroring (``crane digest``) and keep the mirror's tags immutable.
"""

from __future__ import annotations

from sovereign.catalogue import mirror
from sovereign.catalogue.mirror import UpstreamImage

__all__ = [
    "ADMISSION_WEBHOOKS",
    "CHART_NAME",
    "CHART_VERSION",
    "METRICS_API_SERVER",
    "MIRRORED_IMAGES",
    "OPERATOR",
    "chart_url",
]

CHART_NAME = "keda"
CHART_VERSION = "2.20.2"


def chart_url(registry_prefix: str) -> str:
    return mirror.chart_url(registry_prefix, CHART_NAME)


OPERATOR = UpstreamImage("ghcr.io/kedacore/keda", CHART_VERSION)
METRICS_API_SERVER = UpstreamImage("ghcr.io/kedacore/keda-metrics-apiserver", CHART_VERSION)
ADMISSION_WEBHOOKS = UpstreamImage("ghcr.io/kedacore/keda-admission-webhooks", CHART_VERSION)

MIRRORED_IMAGES: tuple[UpstreamImage, ...] = (OPERATOR, METRICS_API_SERVER, ADMISSION_WEBHOOKS)
