"""The Prometheus release that feeds the inference autoscaler, and every image it deploys, pinned in one place.

Data only (STYLE rule 14). The ``prometheus`` chart of prometheus-community/helm-charts: one server with a
ConfigMap scrape configuration and a config reloader, the smallest maintained chart that scrapes pods by
Kubernetes service discovery without the Prometheus Operator and its CRDs (its four sub-charts, alertmanager,
kube-state-metrics, node-exporter and pushgateway, are switched off in ``monitoring.py``). Each country mirrors
the chart and images:

    helm pull prometheus --repo https://prometheus-community.github.io/helm-charts --version 29.27.0
    helm push prometheus-29.27.0.tgz oci://<registry>/helm
    crane copy quay.io/prometheus/prometheus:v3.14.0 <registry>/mirror/prometheus/prometheus:v3.14.0
    crane copy quay.io/prometheus-operator/prometheus-config-reloader:v0.93.1 \\
        <registry>/mirror/prometheus-operator/prometheus-config-reloader:v0.93.1

Version: prometheus-community/helm-charts tag ``prometheus-29.27.0`` (``charts/prometheus/Chart.yaml``:
``version: 29.27.0``, ``appVersion: v3.14.0``; ``values.yaml``: ``configmapReload.prometheus.image`` tag
``v0.93.1``; commit cf408a290aec489277a94450bb3511432477a53a, 2026-08-22).

Digests: the chart takes one (``server.image.digest``, "images will be pulled by digest"), but no source
reachable here publishes them, so the images are pinned by tag: record each digest when mirroring
(``crane digest``), set it in the catalogue, and keep the mirror's tags immutable.
"""

from __future__ import annotations

from sovereign.catalogue import mirror
from sovereign.catalogue.mirror import UpstreamImage

__all__ = [
    "CHART_NAME",
    "CHART_VERSION",
    "CONFIG_RELOADER",
    "MIRRORED_IMAGES",
    "SERVER",
    "chart_url",
]

CHART_NAME = "prometheus"
CHART_VERSION = "29.27.0"


def chart_url(registry_prefix: str) -> str:
    return mirror.chart_url(registry_prefix, CHART_NAME)


SERVER = UpstreamImage("quay.io/prometheus/prometheus", "v3.14.0")
CONFIG_RELOADER = UpstreamImage("quay.io/prometheus-operator/prometheus-config-reloader", "v0.93.1")

MIRRORED_IMAGES: tuple[UpstreamImage, ...] = (SERVER, CONFIG_RELOADER)
