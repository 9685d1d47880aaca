"""Catalogues: facts about the clouds that the country config is checked against.

Data only, pinned in one place (STYLE rule 14): regions and the country each lies in, Azure storage
geo-replication pairs, OCI realms, GPU and CPU machine sizes, supported Kubernetes versions. Sources are the
providers' public documentation; each table says when it was last checked. Updating a fact is editing one
row here, and the catalogue tests say which rows every shipped country relies on.
"""

from sovereign.catalogue.kubernetes import SUPPORTED_KUBERNETES_VERSIONS, kubernetes_versions
from sovereign.catalogue.machines import MACHINE_SIZES, MachineSize, machine_size
from sovereign.catalogue.regions import (
    OCI_OTHER_REALM_REGIONS,
    OCI_REALMS,
    REGIONS,
    Region,
    find_region,
    region_country,
    regions_in_country,
    restricted_access_note,
)

__all__ = [
    "MACHINE_SIZES",
    "OCI_OTHER_REALM_REGIONS",
    "OCI_REALMS",
    "REGIONS",
    "SUPPORTED_KUBERNETES_VERSIONS",
    "MachineSize",
    "Region",
    "find_region",
    "kubernetes_versions",
    "machine_size",
    "region_country",
    "regions_in_country",
    "restricted_access_note",
]
