"""Kubernetes minor versions each managed service supports.

Last checked 2026-11 against the AKS Kubernetes release calendar and the OKE "Supported Versions of
Kubernetes" page. Minor versions only: both services pick the newest patch of a minor version.
"""

from __future__ import annotations

from sovereign.types import Cloud

__all__ = ["SUPPORTED_KUBERNETES_VERSIONS", "kubernetes_versions"]

SUPPORTED_KUBERNETES_VERSIONS: dict[Cloud, tuple[str, ...]] = {
    Cloud.AZURE: ("1.33", "1.34", "1.35", "1.36"),
    Cloud.OCI: ("1.33", "1.34", "1.35"),
}


def kubernetes_versions(cloud: Cloud) -> tuple[str, ...]:
    return SUPPORTED_KUBERNETES_VERSIONS[cloud]
