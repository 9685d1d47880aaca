"""Values derived from a validated country config, shared by the invariants, the stack and the policies.

Pure functions, no resources: which regions the country may use, whether a store keeps versions, where its
registry lives, how many GPUs its pools can hold. Deriving them in one place keeps the config check and the
plan check identical. Cloud facts live with their cloud (``sovereign.clouds.<cloud>.facts``); the functions
here that need one dispatch to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sovereign.catalogue import find_region, machine_size
from sovereign.clouds import cloud_module
from sovereign.clouds.oci.settings import OciCountry
from sovereign.types import Cloud, StorePurpose

if TYPE_CHECKING:
    from sovereign.config.base import Store
    from sovereign.config.schema import CountryConfig

__all__ = [
    "allowed_regions",
    "geo_pair",
    "gpu_capacity",
    "oci_registry_host",
    "registry_prefix",
    "store_versioning",
    "used_regions",
]


def geo_pair(config: CountryConfig) -> str | None:
    """Azure: the region geo-redundant storage of the primary replicates to (None if unpaired or on OCI)."""
    if config.cloud != Cloud.AZURE:
        return None
    region = find_region(config.cloud, config.regions.primary)
    return region.geo_pair if region else None


def allowed_regions(config: CountryConfig) -> list[str]:
    """The regions the country's resources may use: the primary, the secondary if set, and on Azure the
    primary's geo pair when some store is geo-redundant (the residency invariant checks that it is in-country)."""
    regions = [config.regions.primary]
    if config.regions.secondary and config.regions.secondary not in regions:
        regions.append(config.regions.secondary)
    pair = geo_pair(config)
    if pair and pair not in regions and any(s.redundancy.is_geo for s in config.storage.stores):
        regions.append(pair)
    return regions


def used_regions(config: CountryConfig) -> dict[tuple[str, ...], str]:
    """Each place the config names a region: path -> region. Keys, storage, logs and registry use the primary."""
    used: dict[tuple[str, ...], str] = {("regions", "primary"): config.regions.primary}
    if config.regions.secondary:
        used["regions", "secondary"] = config.regions.secondary
    if isinstance(config, OciCountry) and config.oci.home_region:
        used["oci", "home_region"] = config.oci.home_region
    return used


def store_versioning(config: CountryConfig, store: Store) -> bool:
    """Whether ``store`` keeps previous object versions: ``enable_versioning`` when set; omitted, on, except
    for OCI audit-log stores (OCI refuses retention rules on versioned buckets)."""
    if store.enable_versioning is not None:
        return store.enable_versioning
    return not (config.cloud == Cloud.OCI and store.purpose == StorePurpose.AUDIT_LOGS)


def registry_prefix(config: CountryConfig) -> str:
    """The only image prefix the country's clusters may pull from (see the cloud's ``facts.registry_prefix``)."""
    return cloud_module(config.cloud, "facts").registry_prefix(config)


def oci_registry_host(region_name: str) -> str:
    """Kept for callers of the old path; the fact lives in ``sovereign.clouds.oci.facts``."""
    return cloud_module(Cloud.OCI, "facts").oci_registry_host(region_name)


def gpu_capacity(config: CountryConfig) -> tuple[int, int]:
    """(GPUs at the pools' maximum size, most GPUs on one node) for the config's GPU pools."""
    total = 0
    per_node = 0
    for pool in config.cluster.gpu_pools:
        size = machine_size(config.cloud, pool.vm_size)
        if size is None:
            continue
        total += size.gpus * pool.node_count_max
        per_node = max(per_node, size.gpus)
    return total, per_node
