"""Where geo-redundant copies go, written once: the config invariants and the plan policies
(``no-cross-border-replication``, ``key-vault-replica-in-country``) ask these functions whether a region's geo
pair, and the copy Azure Key Vault keeps of every vault, stay in the country."""

from __future__ import annotations

from dataclasses import dataclass

from sovereign.catalogue import Region, find_region
from sovereign.types import Cloud

__all__ = [
    "KEY_VAULT_REGIONS_WITHOUT_REPLICA",
    "GeoPair",
    "KeyVaultReplica",
    "geo_pair_of",
    "key_vault_fix",
    "key_vault_replica_of",
    "key_vault_replication_region",
]

KEY_VAULT_REGIONS_WITHOUT_REPLICA = frozenset({"brazilsouth", "brazilsoutheast", "westus3"})
"""Paired Azure regions where Key Vault nevertheless keeps a vault's contents in the region (zone-redundant).

Microsoft Learn "Azure Key Vault availability and redundancy"
(https://learn.microsoft.com/azure/key-vault/general/disaster-recovery-guidance; MicrosoftDocs/azure-docs
articles/key-vault/general/disaster-recovery-guidance.md, "Data replication"): "For most Azure regions that are
paired with another region, the contents of your key vault are replicated both within the region and to the
paired region. [...] Two exceptions are the Brazil South region, which is paired to a region in another
geography, and the West US 3 region. When you create key vaults in Brazil South or West US 3, they aren't
replicated across regions." and "For Azure regions that don't have a pair, as well as the Brazil South and West
US 3 regions, Azure Key Vault uses zone redundant storage (ZRS) to replicate your data three times within the
region". Brazil Southeast: "Reliability in Azure Key Vault" (articles/reliability/reliability-key-vault.md,
"Exceptions to cross-region replication include: Brazil South region, Brazil Southeast region, West US 3
region")."""


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


def key_vault_replication_region(region: Region) -> str | None:
    """The region Azure Key Vault copies a vault in ``region`` to: the region's pair, or None where Key Vault
    keeps the copies inside the region (regions without a pair and ``KEY_VAULT_REGIONS_WITHOUT_REPLICA``)."""
    if region.cloud is not Cloud.AZURE or region.name in KEY_VAULT_REGIONS_WITHOUT_REPLICA:
        return None
    return region.geo_pair


@dataclass(frozen=True)
class KeyVaultReplica:
    region: Region
    """Where the vault is created."""
    replica: str | None
    """Where Key Vault copies its keys (None: nowhere outside ``region``)."""
    replica_country: str | None
    """The country of ``replica`` (None: no replica, or a region the catalogue does not know)."""
    country: str

    @property
    def stays_in_country(self) -> bool:
        return self.replica is None or self.replica_country == self.country

    def refusal(self) -> str:
        """Why a vault here keeps the country's keys abroad (only meaningful when not ``stays_in_country``)."""
        where = (
            f"'{self.replica_country}'" if self.replica_country else "a country the region catalogue lacks"
        )
        return (
            f"Azure Key Vault replicates every vault in '{self.region.name}' to its paired region "
            f"'{self.replica}', which lies in {where}, outside '{self.country}': the country's keys would be "
            "kept abroad"
        )


def key_vault_replica_of(region_name: str, country: str) -> KeyVaultReplica | None:
    """Where a Key Vault in Azure region ``region_name`` is copied, judged for ``country``; None for a region
    the catalogue lacks."""
    region = find_region(Cloud.AZURE, region_name)
    if region is None:
        return None
    replica = key_vault_replication_region(region)
    known = find_region(Cloud.AZURE, replica) if replica else None
    return KeyVaultReplica(region, replica, known.country if known else None, country)


def key_vault_fix(country: str) -> str:
    """What a country whose chosen Azure region copies Key Vault abroad can do: another of its Azure regions, or
    OCI (no OCI vault copies itself; a replica is declared and judged), or neither."""
    from sovereign.catalogue import regions_in_country

    fitting = [
        r.name
        for r in regions_in_country(Cloud.AZURE, country)
        if (kv := key_vault_replica_of(r.name, country)) is not None and kv.stays_in_country
    ]
    if fitting:
        return f"choose an in-country region whose pair is in the country ({', '.join(fitting)})"
    oci = [r.name for r in regions_in_country(Cloud.OCI, country)]
    if oci:
        return (
            "this country cannot hold its keys in Azure Key Vault in-country; use OCI "
            f"(OCI regions in '{country}': {', '.join(oci)})"
        )
    return "neither cloud in the catalogue can keep this country's keys in the country"
