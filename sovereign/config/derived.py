"""Values derived from a validated country config, shared by the invariants, the stack and the policies.

Pure functions, no resources: what the country's allowed regions are, where its registry lives, how many
GPUs its pools can hold. Deriving them in one place keeps the config check and the plan check identical.
"""

from __future__ import annotations

from sovereign.catalogue import OCI_REALMS, find_region, machine_size, regions_in_country
from sovereign.config.schema import CountryConfig
from sovereign.types import Cloud

__all__ = [
    "allowed_regions",
    "gpu_capacity",
    "oci_registry_host",
    "registry_prefix",
    "used_regions",
]


def allowed_regions(config: CountryConfig) -> list[str]:
    """Every catalogue region of the config's cloud that lies in the country (and realm, on OCI)."""
    realm = config.oci.realm if config.cloud == Cloud.OCI and config.oci else None
    return [r.name for r in regions_in_country(config.cloud, config.country, realm)]


def used_regions(config: CountryConfig) -> dict[tuple[str, ...], str]:
    """Each place the config names a region: path -> region. Keys, storage and registry use the primary."""
    used: dict[tuple[str, ...], str] = {("regions", "primary"): config.regions.primary}
    if config.regions.secondary:
        used["regions", "secondary"] = config.regions.secondary
    if config.audit_logging.region:
        used["audit_logging", "region"] = config.audit_logging.region
    if config.oci and config.oci.home_region:
        used["oci", "home_region"] = config.oci.home_region
    return used


def registry_prefix(config: CountryConfig) -> str:
    """The only image prefix the country's clusters may pull from.

    Azure: ``<name>.azurecr.io`` (resolved to the private endpoint inside the network). OCI: the primary
    region's registry host (``<key>.ocir.io`` in oc1, ``artifacts.<region>.oci.<realm domain>`` in other
    realms), then ``/<tenancy namespace>/<name>``.
    """
    if config.cloud == Cloud.AZURE:
        return f"{config.registry.name}.azurecr.io"
    assert config.oci is not None  # the invariants require it on OCI
    return (
        f"{oci_registry_host(config.regions.primary)}/{config.oci.tenancy_namespace}/{config.registry.name}"
    )


def oci_registry_host(region_name: str) -> str:
    region = find_region(Cloud.OCI, region_name)
    if region is None or region.key is None or region.realm is None:
        return f"unknown-region.{region_name}"  # the residency invariant reports the region itself
    if region.realm == "oc1":
        return f"{region.key.lower()}.ocir.io"
    return f"artifacts.{region.name}.oci.{OCI_REALMS[region.realm]}"


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
