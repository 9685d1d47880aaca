"""Kubernetes minor versions each managed service supports, with the dates it supports them.

AKS: the AKS release calendar, in ``sovereign.catalogue.aks_versions``. OKE: Oracle's "Supported Versions of
Kubernetes" calendar and rule, in ``sovereign.catalogue.oke_versions`` (checked 2026-12-02). Which minors a
country may use depends on the validation date on both clouds; ``new-country`` writes the newest one supported
on the day it runs. Minor versions only: AKS picks the newest patch of a minor, OKE gets the full release the
OKE catalogue names (:func:`oke_release`).
"""

from __future__ import annotations

import datetime as dt

from sovereign.catalogue.aks_versions import AKS_VERSIONS, aks_versions_supported_on
from sovereign.catalogue.oke_versions import OKE_VERSIONS, oke_versions_supported_on
from sovereign.types import Cloud

__all__ = [
    "DATED_KUBERNETES_CLOUDS",
    "OKE_RELEASES",
    "SUPPORTED_KUBERNETES_VERSIONS",
    "kubernetes_versions",
    "kubernetes_versions_supported_on",
    "newest_supported_version",
    "oke_release",
]

SUPPORTED_KUBERNETES_VERSIONS: dict[Cloud, tuple[str, ...]] = {
    Cloud.AZURE: tuple(AKS_VERSIONS),
    Cloud.OCI: tuple(OKE_VERSIONS),
}
"""Every catalogued minor per cloud, including minors past their end of support: ask
:func:`kubernetes_versions_supported_on` which are supported on a given day."""

DATED_KUBERNETES_CLOUDS: frozenset[Cloud] = frozenset({Cloud.AZURE})
"""Clouds whose own invariant checks the version on the validation date (Azure:
``sovereign.clouds.azure.invariants.kubernetes_version_in_aks_support``); the common invariant
``kubernetes_version_supported`` checks the others against their dated catalogue."""

OKE_RELEASES: dict[str, str] = {minor: v.release for minor, v in OKE_VERSIONS.items()}
"""OKE needs a full release: the newest patch of each minor OKE offered when last checked."""


def oke_release(minor: str) -> str:
    return OKE_RELEASES[minor]


def kubernetes_versions(cloud: Cloud) -> tuple[str, ...]:
    return SUPPORTED_KUBERNETES_VERSIONS[cloud]


def kubernetes_versions_supported_on(cloud: Cloud, day: dt.date) -> tuple[str, ...]:
    """The minors the cloud's managed service supports on ``day``, oldest first."""
    return aks_versions_supported_on(day) if cloud == Cloud.AZURE else oke_versions_supported_on(day)


def newest_supported_version(cloud: Cloud, day: dt.date) -> str:
    """The newest minor supported on ``day``: what a new country starts on (the longest time before an upgrade)."""
    supported = kubernetes_versions_supported_on(cloud, day)
    if not supported:
        raise ValueError(
            f"no {cloud} Kubernetes version in the catalogue is supported on {day}: add the current minors to "
            f"sovereign/catalogue/{'aks' if cloud == Cloud.AZURE else 'oke'}_versions.py from the provider's calendar"
        )
    return supported[-1]
