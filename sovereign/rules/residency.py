"""Where geo-redundant copies go, written once: the config invariant and the ``no-cross-border-replication``
plan policy both ask this function whether a region's geo pair keeps the data in the country."""

from __future__ import annotations

from dataclasses import dataclass

from sovereign.catalogue import Region, find_region
from sovereign.types import Cloud

__all__ = ["GeoPair", "geo_pair_of"]


@dataclass(frozen=True)
class GeoPair:
    region: Region
    pair: Region | None
    """The region geo-redundant storage copies to (None: the region has no pair)."""
    country: str

    @property
    def stays_in_country(self) -> bool:
        return self.pair is not None and self.pair.country == self.country

    def refusal(self) -> str:
        """Why geo redundancy is refused here (only meaningful when not ``stays_in_country``)."""
        if self.pair is None:
            return f"'{self.region.name}' has no geo-replication pair (allowed: local, zone)"
        return (
            f"geo redundancy replicates '{self.region.name}' to its pair '{self.pair.name}', which lies in "
            f"'{self.pair.country}', outside '{self.country}' (allowed: local, zone)"
        )


def geo_pair_of(cloud: Cloud, region_name: str, country: str) -> GeoPair | None:
    """The geo pair of ``region_name`` judged for ``country``; None for a region the catalogue lacks."""
    region = find_region(cloud, region_name)
    if region is None:
        return None
    pair = find_region(cloud, region.geo_pair) if region.geo_pair else None
    return GeoPair(region, pair, country)
