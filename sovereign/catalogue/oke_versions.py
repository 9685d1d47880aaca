"""OKE Kubernetes minor versions and the last day OKE supports each one.

Oracle's rule, "Supported Versions of Kubernetes" (https://docs.oracle.com/iaas/Content/ContEng/Concepts/
contengaboutk8sversions.htm, copy updated 2025-01-22 read from jacklty/oci_doc_crawler
``iaas/Content/ContEng/Concepts/contengaboutk8sversions.md``): "Kubernetes Engine supports three versions of
Kubernetes for new clusters. For a minimum of 30 days after the announcement of support for a new Kubernetes
version, Kubernetes Engine continues to support the fourth oldest available Kubernetes version. After that time,
the older Kubernetes version ceases to be supported." Its release calendar gives each row an "OKE Release Date"
and an "OKE End-of-life Date" that is either explicit (1.29.1: 2025-02-21, 1.28.10: 2025-01-27) or
"30 days after 1.3x OKE Release Date".

Which day a minor stops being supported, per row, in this order:

1. Oracle's explicit "OKE End-of-life Date", when the calendar gives one.
2. Else 30 days after OKE released the minor three newer (the rule above), when that release date is known.
3. Else no OKE copy reachable on 2026-12-02 dates it (the calendar rows for 1.33-1.35 were not in any copy the
   search tools hold; ``sovereign.catalogue.kubernetes`` notes the same for issue 13). The bound then is the
   upstream end of life (https://kubernetes.io/releases/1.3x, "End Of Life Date") plus the longest OKE has ever
   kept a minor past it in Oracle's own table: 1.28.10 upstream 2024-10-28, OKE 2025-01-27, 91 days (1.27.10: 60
   days; 1.29.1 and 1.28.2 ended before upstream). Past that bound OKE has never supported a minor, so a stack on
   it is refused rather than assumed fine; before it, it is accepted as the last check found it offered.

A minor is available from its OKE release date when Oracle gives one; the rows without one were offered when
last checked (``oci ce cluster-options get --cluster-option-id all`` lists the current ones).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

__all__ = [
    "OKE_GRACE_PAST_UPSTREAM",
    "OKE_VERSIONS",
    "OkeVersion",
    "oke_version",
    "oke_versions_supported_on",
]

OKE_GRACE_PAST_UPSTREAM = dt.timedelta(days=91)
"""The longest OKE kept a minor past its upstream end of life in Oracle's table (1.28.10: 2024-10-28 to
2025-01-27); used only for rows Oracle has not dated."""

_FOURTH_OLDEST_KEPT = dt.timedelta(days=30)


@dataclass(frozen=True)
class OkeVersion:
    """One Kubernetes minor on OKE: the release the stack asks for and its support window (days included)."""

    minor: str
    release: str
    """The full OKE release the node pools and cluster name (``v1.34.1``); OKE refuses a bare minor."""
    upstream_end_of_life: dt.date
    oke_release: dt.date | None = None
    """Oracle's "OKE Release Date"; None when no reachable copy dates it (then offered when last checked)."""
    oke_end_of_life: dt.date | None = None
    """Oracle's explicit "OKE End-of-life Date"; None when the calendar says '30 days after' or nothing."""

    def end_of_support(self) -> tuple[dt.date, str]:
        """The last supported day and which of the module docstring's three readings gave it."""
        if self.oke_end_of_life is not None:
            return self.oke_end_of_life, "Oracle's OKE end-of-life date"
        newer = OKE_VERSIONS.get(_minor_plus(self.minor, 3))
        if newer is not None and newer.oke_release is not None:
            return newer.oke_release + _FOURTH_OLDEST_KEPT, f"30 days after OKE released {newer.minor}"
        return (
            self.upstream_end_of_life + OKE_GRACE_PAST_UPSTREAM,
            f"upstream end of life {self.upstream_end_of_life} + the {OKE_GRACE_PAST_UPSTREAM.days} days OKE has "
            "at most kept a minor past it (Oracle has not dated this one)",
        )

    def supported_on(self, day: dt.date) -> bool:
        started = self.oke_release is None or self.oke_release <= day
        return started and day <= self.end_of_support()[0]


def _minor_plus(minor: str, n: int) -> str:
    major, rest = minor.split(".")
    return f"{major}.{int(rest) + n}"


OKE_VERSIONS: dict[str, OkeVersion] = {
    v.minor: v
    for v in (
        # Oracle's calendar (copy of 2025-01-22): the newest patch OKE offered, its minor's first "OKE Release
        # Date", and the table's "Upstream Minor Version End-of-life date"; each row's end of life reads "30 days
        # after 1.3x OKE Release Date", and those releases are undated here, so reading 3 applies.
        OkeVersion("1.29", "v1.29.10", dt.date(2025, 2, 28), dt.date(2024, 3, 28)),
        OkeVersion("1.30", "v1.30.1", dt.date(2025, 6, 28), dt.date(2024, 7, 23)),
        OkeVersion("1.31", "v1.31.1", dt.date(2025, 10, 28), dt.date(2024, 11, 25)),
        # Not dated by any reachable Oracle copy; offered when last checked (OKE_RELEASES of issue 13, the add-on
        # table https://docs.oracle.com/iaas/Content/ContEng/Tasks/contengconfiguringclusteraddons-
        # supportedversions.htm lists kube-proxy 1.33.1 and 1.34.2). Upstream end of life: kubernetes.io/releases.
        OkeVersion("1.33", "v1.33.1", dt.date(2026, 6, 28)),
        OkeVersion("1.34", "v1.34.1", dt.date(2026, 10, 27)),
        OkeVersion("1.35", "v1.35.0", dt.date(2027, 2, 28)),
    )
}
"""Minor -> its OKE support window, oldest first. 1.32 is absent (never offered to the toolkit, so a stack on it
gets 'not an OKE version in the catalogue'); 1.35 is in the catalogue as issue 13 left it, unconfirmed by the
add-on table: check cluster options before moving a country to it."""


def oke_version(minor: str) -> OkeVersion | None:
    return OKE_VERSIONS.get(minor)


def oke_versions_supported_on(day: dt.date) -> tuple[str, ...]:
    """The minors OKE supports on ``day``, oldest first (empty once the catalogue is out of date)."""
    return tuple(v.minor for v in OKE_VERSIONS.values() if v.supported_on(day))
