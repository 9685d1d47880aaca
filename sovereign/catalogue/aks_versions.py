"""AKS Kubernetes minor versions with the dates AKS supports each one.

Source: Microsoft Learn, "Supported Kubernetes versions in Azure Kubernetes Service (AKS)", section "AKS
Kubernetes release calendar and upcoming versions" (https://learn.microsoft.com/azure/aks/supported-kubernetes-versions),
read from MicrosoftDocs/azure-aks-docs ``articles/aks/supported-kubernetes-versions.md`` at commit
fb060abe6a8fef960d4c487b543bf7b1e97808fe (2026-08-21; page ms.date 08/05/2026). Last checked 2026-12-02.

How the rows read the calendar:

- ``end_of_life`` is the calendar's "End of life" column (AKS community support). The page: "Unless an explicit
  date is provided, the End of Life (EOL) date is the last day of the specified month. For example, 'Mar 2026'
  indicates March 31, 2026." Explicit dates (1.30 "Aug 22, 2025", 1.31 "Nov 1, 2025") are taken as given; the
  end-of-life day is the last supported day. Past it a minor is in *platform support* (N-3), where the page's
  support table says "Cluster creation | ... | Not supported": a stack on it cannot create its cluster.
- ``ga`` is the "AKS GA" month. A release "might take up to 10 business days ... to be available in all
  regions" (same page), so a minor counts as generally available from the last day of its GA month.
- Long-term support is not modelled: "Enabling LTS requires moving your cluster to the Premium tier and
  explicitly selecting the LTS support plan" (``articles/aks/long-term-support.md``, same commit); the stack
  does neither, so the "LTS End of life" column never applies. Rows 1.29-1.31 come from the LTS table's
  "End of life" column (their community support), so that an old minor is refused with its date.

The AKS API accepts the minor alone: ManagedCluster ``kubernetesVersion`` and AgentPool ``orchestratorVersion``
take "<major.minor> (e.g. 1.20) ... When <major.minor> is specified, the latest supported GA patch version is
chosen automatically" (pulumi_azure_native 3.29.0 ``containerservice/managed_cluster.py`` and ``agent_pool.py``
docstrings; the page's "Alias minor version in AKS" section says the same).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

__all__ = ["AKS_VERSIONS", "AksVersion", "aks_version", "aks_versions_supported_on"]


@dataclass(frozen=True)
class AksVersion:
    """One Kubernetes minor version on AKS and its community-support window (both days included)."""

    minor: str
    ga: dt.date
    end_of_life: dt.date

    def supported_on(self, day: dt.date) -> bool:
        return self.ga <= day <= self.end_of_life


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _row(minor: str, ga: tuple[int, int], end_of_life: dt.date | tuple[int, int]) -> AksVersion:
    eol = end_of_life if isinstance(end_of_life, dt.date) else _month_end(*end_of_life)
    return AksVersion(minor, _month_end(*ga), eol)


AKS_VERSIONS: dict[str, AksVersion] = {
    v.minor: v
    for v in (
        #    minor   AKS GA       End of life (the calendar's columns, as read above)
        _row("1.29", (2024, 3), (2025, 3)),
        _row("1.30", (2024, 7), dt.date(2025, 8, 22)),
        _row("1.31", (2024, 11), dt.date(2025, 11, 1)),
        _row("1.32", (2025, 4), (2026, 3)),
        _row("1.33", (2025, 6), (2026, 7)),
        _row("1.34", (2025, 11), (2026, 11)),
        _row("1.35", (2026, 3), (2027, 3)),
        _row("1.36", (2026, 6), (2027, 6)),
        _row("1.37", (2026, 10), (2027, 10)),
    )
}
"""Minor -> its AKS support window, oldest first."""


def aks_version(minor: str) -> AksVersion | None:
    return AKS_VERSIONS.get(minor)


def aks_versions_supported_on(day: dt.date) -> tuple[str, ...]:
    """The minors in AKS community support on ``day``, oldest first (empty once the catalogue is out of date)."""
    return tuple(v.minor for v in AKS_VERSIONS.values() if v.supported_on(day))
