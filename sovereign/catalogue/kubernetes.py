"""Kubernetes minor versions each managed service supports.

Last checked 2026-11 against the AKS Kubernetes release calendar and the OKE "Supported Versions of
Kubernetes" page. Minor versions only: both services pick the newest patch of a minor version.
"""

from __future__ import annotations

from sovereign.types import Cloud

__all__ = ["OKE_RELEASES", "SUPPORTED_KUBERNETES_VERSIONS", "kubernetes_versions", "oke_release"]

SUPPORTED_KUBERNETES_VERSIONS: dict[Cloud, tuple[str, ...]] = {
    Cloud.AZURE: ("1.33", "1.34", "1.35", "1.36"),
    Cloud.OCI: ("1.33", "1.34", "1.35"),
}


OKE_RELEASES: dict[str, str] = {"1.33": "v1.33.1", "1.34": "v1.34.1", "1.35": "v1.35.0"}
"""OKE needs a full release; the newest patch of each supported minor version OKE offered when last checked
(``oci ce cluster-options get --cluster-option-id all`` lists the current ones)."""


def oke_release(minor: str) -> str:
    return OKE_RELEASES[minor]


def kubernetes_versions(cloud: Cloud) -> tuple[str, ...]:
    return SUPPORTED_KUBERNETES_VERSIONS[cloud]
