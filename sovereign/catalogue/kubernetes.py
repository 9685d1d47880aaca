"""Kubernetes minor versions each managed service supports.

AKS: every minor of the AKS release calendar, with its support dates, in ``sovereign.catalogue.aks_versions``
(checked 2026-12-02); which minors an Azure country may use depends on the validation date. OKE: last checked
2026-11 against the OKE "Supported Versions of Kubernetes" page. Minor versions only: both services pick the
newest patch of a minor version (OKE through :data:`OKE_RELEASES`).

OKE stays undated (re-checked 2026-12-02, issue 13): OKE supports three minors for new clusters and keeps the
fourth-newest "for a minimum of 30 days after the announcement of support for a new Kubernetes version"
(https://docs.oracle.com/iaas/Content/ContEng/Concepts/contengaboutk8sversions.htm); the copy reachable then had
no end-of-life dates for 1.33-1.35, and "Cluster Add-on Supported Versions"
(https://docs.oracle.com/iaas/Content/ContEng/Tasks/contengconfiguringclusteraddons-supportedversions.htm)
lists add-ons for 1.31-1.34 (kube-proxy 1.34.2). 1.35 is not confirmed by either page: check
``oci ce cluster-options get --cluster-option-id all`` before moving a country to it.
"""

from __future__ import annotations

from sovereign.catalogue.aks_versions import AKS_VERSIONS
from sovereign.types import Cloud

__all__ = [
    "DATED_KUBERNETES_CLOUDS",
    "OKE_RELEASES",
    "SUPPORTED_KUBERNETES_VERSIONS",
    "kubernetes_versions",
    "oke_release",
]

SUPPORTED_KUBERNETES_VERSIONS: dict[Cloud, tuple[str, ...]] = {
    Cloud.AZURE: tuple(AKS_VERSIONS),
    Cloud.OCI: ("1.33", "1.34", "1.35"),
}
"""Every catalogued minor per cloud. For a cloud in :data:`DATED_KUBERNETES_CLOUDS` that includes minors past
their end of support: ask its dated catalogue which are supported on a given day."""

DATED_KUBERNETES_CLOUDS: frozenset[Cloud] = frozenset({Cloud.AZURE})
"""Clouds whose catalogue carries support dates; their own invariant checks the version on the validation date
(Azure: ``sovereign.clouds.azure.invariants.kubernetes_version_in_aks_support``)."""


OKE_RELEASES: dict[str, str] = {"1.33": "v1.33.1", "1.34": "v1.34.1", "1.35": "v1.35.0"}
"""OKE needs a full release; the newest patch of each supported minor version OKE offered when last checked
(``oci ce cluster-options get --cluster-option-id all`` lists the current ones)."""


def oke_release(minor: str) -> str:
    return OKE_RELEASES[minor]


def kubernetes_versions(cloud: Cloud) -> tuple[str, ...]:
    return SUPPORTED_KUBERNETES_VERSIONS[cloud]
