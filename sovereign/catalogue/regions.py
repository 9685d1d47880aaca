"""Cloud regions, the ISO country each lies in, Azure geo-replication pairs and OCI realms.

Last checked 2026-11 against learn.microsoft.com "Azure region pairs and nonpaired regions" and
docs.oracle.com "Regions and Availability Domains". A region missing here is refused by validation (with the
list of the country's known regions), never guessed; add it here with its source.
"""

from __future__ import annotations

from dataclasses import dataclass

from sovereign.types import Cloud

__all__ = ["OCI_REALMS", "REGIONS", "Region", "find_region", "regions_in_country"]


@dataclass(frozen=True)
class Region:
    cloud: Cloud
    name: str
    country: str
    """ISO 3166-1 alpha-2, lower case."""
    display_name: str
    availability_zones: int
    """Azure availability zones or OCI availability domains (0 = none)."""
    geo_pair: str | None = None
    """Azure only: the region that geo-redundant storage replicates to (None = nonpaired); Key Vault copies its
    vaults there too, except in the regions of ``sovereign.rules.residency.KEY_VAULT_REGIONS_WITHOUT_REPLICA``."""
    realm: str | None = None
    """OCI only: the realm (oc1 commercial, oc19 EU Sovereign Cloud, ...)."""
    key: str | None = None
    """OCI only: the three-letter region key used in IAM conditions and registry hosts ('CDG')."""


OCI_REALMS: dict[str, str] = {
    "oc1": "oraclecloud.com",
    "oc19": "oraclecloud.eu",
}
"""OCI realm -> its service domain (endpoints are ``<service>.<region>.oci.<domain>``)."""


def _az(name: str, country: str, display: str, zones: int, pair: str | None) -> Region:
    return Region(Cloud.AZURE, name, country, display, zones, geo_pair=pair)


def _oci(name: str, key: str, country: str, display: str, ads: int, realm: str = "oc1") -> Region:
    return Region(Cloud.OCI, name, country, display, ads, realm=realm, key=key)


_AZURE = [
    _az("germanywestcentral", "de", "Germany West Central", 3, "germanynorth"),
    _az("germanynorth", "de", "Germany North", 0, "germanywestcentral"),
    _az("norwayeast", "no", "Norway East", 3, "norwaywest"),
    _az("norwaywest", "no", "Norway West", 0, "norwayeast"),
    _az("uksouth", "gb", "UK South", 3, "ukwest"),
    _az("ukwest", "gb", "UK West", 0, "uksouth"),
    _az("francecentral", "fr", "France Central", 3, "francesouth"),
    _az("francesouth", "fr", "France South", 0, "francecentral"),
    _az("centralindia", "in", "Central India", 3, "southindia"),
    _az("southindia", "in", "South India", 0, "centralindia"),
    _az("westindia", "in", "West India", 0, "southindia"),
    _az("koreacentral", "kr", "Korea Central", 3, "koreasouth"),
    _az("koreasouth", "kr", "Korea South", 0, "koreacentral"),
    _az("japaneast", "jp", "Japan East", 3, "japanwest"),
    _az("japanwest", "jp", "Japan West", 3, "japaneast"),
    _az("australiaeast", "au", "Australia East", 3, "australiasoutheast"),
    _az("australiasoutheast", "au", "Australia Southeast", 0, "australiaeast"),
    _az("canadacentral", "ca", "Canada Central", 3, "canadaeast"),
    _az("canadaeast", "ca", "Canada East", 0, "canadacentral"),
    _az("uaenorth", "ae", "UAE North", 3, "uaecentral"),
    _az("uaecentral", "ae", "UAE Central", 0, "uaenorth"),
    _az("switzerlandnorth", "ch", "Switzerland North", 3, "switzerlandwest"),
    _az("switzerlandwest", "ch", "Switzerland West", 0, "switzerlandnorth"),
    _az("swedencentral", "se", "Sweden Central", 3, "swedensouth"),
    _az("swedensouth", "se", "Sweden South", 0, "swedencentral"),
    # Brazil South's geo pair is in the United States: geo-redundant storage there leaves the country.
    _az("brazilsouth", "br", "Brazil South", 3, "southcentralus"),
    _az("brazilsoutheast", "br", "Brazil Southeast", 0, "brazilsouth"),
    _az("italynorth", "it", "Italy North", 3, None),
    _az("spaincentral", "es", "Spain Central", 3, None),
    _az("polandcentral", "pl", "Poland Central", 3, None),
    _az("southcentralus", "us", "South Central US", 3, "northcentralus"),
    _az("northcentralus", "us", "North Central US", 0, "southcentralus"),
    _az("eastus", "us", "East US", 3, "westus"),
    _az("westus", "us", "West US", 0, "eastus"),
    # West Europe (Netherlands) pairs with North Europe (Ireland): another cross-border pair.
    _az("westeurope", "nl", "West Europe", 3, "northeurope"),
    _az("northeurope", "ie", "North Europe", 3, "westeurope"),
]

_OCI = [
    _oci("eu-frankfurt-1", "FRA", "de", "Germany Central (Frankfurt)", 3),
    _oci("eu-paris-1", "CDG", "fr", "France Central (Paris)", 1),
    _oci("eu-marseille-1", "MRS", "fr", "France South (Marseille)", 1),
    _oci("uk-london-1", "LHR", "gb", "UK South (London)", 3),
    _oci("uk-cardiff-1", "CWL", "gb", "UK West (Newport)", 1),
    _oci("ap-tokyo-1", "NRT", "jp", "Japan East (Tokyo)", 1),
    _oci("ap-osaka-1", "KIX", "jp", "Japan Central (Osaka)", 1),
    _oci("ap-sydney-1", "SYD", "au", "Australia East (Sydney)", 1),
    _oci("ap-melbourne-1", "MEL", "au", "Australia Southeast (Melbourne)", 1),
    _oci("ap-mumbai-1", "BOM", "in", "India West (Mumbai)", 1),
    _oci("ap-hyderabad-1", "HYD", "in", "India South (Hyderabad)", 1),
    _oci("ap-seoul-1", "ICN", "kr", "South Korea Central (Seoul)", 1),
    _oci("ap-chuncheon-1", "YNY", "kr", "South Korea North (Chuncheon)", 1),
    _oci("sa-saopaulo-1", "GRU", "br", "Brazil East (Sao Paulo)", 1),
    _oci("sa-vinhedo-1", "VCP", "br", "Brazil Southeast (Vinhedo)", 1),
    _oci("ca-toronto-1", "YYZ", "ca", "Canada Southeast (Toronto)", 1),
    _oci("ca-montreal-1", "YUL", "ca", "Canada Southeast (Montreal)", 1),
    _oci("me-dubai-1", "DXB", "ae", "UAE East (Dubai)", 1),
    _oci("me-abudhabi-1", "AUH", "ae", "UAE Central (Abu Dhabi)", 1),
    _oci("eu-zurich-1", "ZRH", "ch", "Switzerland North (Zurich)", 1),
    _oci("eu-stockholm-1", "ARN", "se", "Sweden Central (Stockholm)", 1),
    _oci("eu-milan-1", "LIN", "it", "Italy Northwest (Milan)", 1),
    _oci("eu-madrid-1", "MAD", "es", "Spain Central (Madrid)", 1),
    _oci("us-ashburn-1", "IAD", "us", "US East (Ashburn)", 3),
    _oci("us-phoenix-1", "PHX", "us", "US West (Phoenix)", 3),
    _oci("eu-amsterdam-1", "AMS", "nl", "Netherlands Northwest (Amsterdam)", 1),
    # EU Sovereign Cloud: a separate realm, operated in the EU, sharing nothing with oc1.
    _oci("eu-frankfurt-2", "STR", "de", "EU Sovereign Central (Frankfurt)", 1, realm="oc19"),
    _oci("eu-madrid-2", "VLL", "es", "EU Sovereign South (Madrid)", 1, realm="oc19"),
]

REGIONS: dict[tuple[Cloud, str], Region] = {(r.cloud, r.name): r for r in [*_AZURE, *_OCI]}


def find_region(cloud: Cloud, name: str) -> Region | None:
    return REGIONS.get((cloud, name))


def regions_in_country(cloud: Cloud, country: str, realm: str | None = None) -> list[Region]:
    """The catalogue's regions of one cloud in one country (and realm, for OCI when given)."""
    return [
        r
        for r in REGIONS.values()
        if r.cloud == cloud and r.country == country and (realm is None or r.realm == realm)
    ]
