"""Cloud regions, the ISO country each lies in, Azure geo-replication pairs and OCI realms.

Last checked 2026-12-02 against:

- Azure: MicrosoftDocs/reliability-docs at e92155a (2026-08-20), articles/reliability/regions-list.md (every
  public region, its zone support, pair, location and programmatic name; the "restricted" icon marks regions
  that need an access request) and includes/paired-regions-include.md. Zone-enabled regions have three zones:
  "a minimum of three separate availability zones are present in all availability zone-enabled regions"
  (learn.microsoft.com/azure/reliability/availability-zones-overview) and AKS offers zones 1, 2 and 3.
- OCI: oracle/oci-python-sdk 2.182.1 (2026-07-21), src/oci/regions_definitions.py: REGIONS_SHORT_NAMES
  (region key), REGION_REALMS (realm) and REALMS (service domain). Display names and availability domains:
  docs.oracle.com/iaas/Content/General/Concepts/regions.htm ("we've chosen to launch regions in new
  geographies with one availability domain"); only Ashburn, Phoenix, Frankfurt and London are counted with
  three here. A region's count is never raised without a source: fewer ADs than exist only narrows spreading,
  more would place nodes in an AD that does not exist.

A region missing here is refused by validation (with the list of the country's known regions), never guessed;
add it here with its source. Regions of OCI realms this toolkit does not deploy to (government and dedicated
realms) are in ``OCI_OTHER_REALM_REGIONS``, so ``new-country`` can say why it refuses them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sovereign.types import Cloud

__all__ = [
    "AZURE_ASYMMETRIC_PAIRS",
    "AZURE_REGION_ACCESS_REQUEST",
    "DEPLOYABLE_OCI_REALMS",
    "OCI_OTHER_REALM_REGIONS",
    "OCI_REALMS",
    "OCI_REALM_KINDS",
    "REGIONS",
    "Region",
    "find_region",
    "region_country",
    "regions_in_country",
    "restricted_access_note",
]

_AZURE_SOURCE = (
    "MicrosoftDocs/reliability-docs@e92155a articles/reliability/regions-list.md (checked 2026-12-02)"
)
_OCI_SOURCE = "oracle/oci-python-sdk 2.182.1 src/oci/regions_definitions.py (checked 2026-12-02)"

AZURE_REGION_ACCESS_REQUEST = "https://learn.microsoft.com/troubleshoot/azure/general/region-access-request-process#reserved-access-regions"
"""Where Azure says how to ask for a restricted region: a support request of quota type 'Other Requests'."""


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
    restricted: bool = False
    """Not open to every subscription or tenancy: Azure's restricted-access regions need an access request;
    OCI's government and dedicated realms need eligibility or a contract."""
    source: str = ""
    """Where this row was checked, and when."""


OCI_REALMS: dict[str, str] = {
    "oc1": "oraclecloud.com",
    "oc2": "oraclegovcloud.com",
    "oc3": "oraclegovcloud.com",
    "oc4": "oraclegovcloud.uk",
    "oc8": "oraclecloud8.com",
    "oc9": "oraclecloud9.com",
    "oc10": "oraclecloud10.com",
    "oc14": "oraclecloud14.com",
    "oc15": "oraclecloud15.com",
    "oc19": "oraclecloud.eu",
    "oc20": "oraclecloud20.com",
    "oc21": "oraclecloud21.com",
    "oc23": "oraclecloud23.com",
    "oc24": "oraclecloud24.com",
    "oc26": "oraclecloud26.com",
    "oc29": "oraclecloud29.com",
    "oc35": "oraclecloud35.com",
    "oc42": "oraclecloud42.com",
    "oc51": "oraclecloud51.com",
    "oc52": "oraclecloud52.com",
}
"""OCI realm -> its service domain (endpoints are ``<service>.<region>.oci.<domain>``), as REALMS in the SDK."""

_DEDICATED = "dedicated realm (one government or customer; not open for sign-up)"
OCI_REALM_KINDS: dict[str, str] = {
    "oc1": "commercial",
    "oc2": "US government realm",
    "oc3": "US government realm",
    "oc4": "UK government realm",
    "oc19": "EU Sovereign Cloud",
    **{r: _DEDICATED for r in OCI_REALMS if r not in {"oc1", "oc2", "oc3", "oc4", "oc19"}},
}
"""What each realm is, for messages. Government realms serve eligible public-sector tenancies only."""

DEPLOYABLE_OCI_REALMS: tuple[str, ...] = ("oc1", "oc19")
"""The realms a country file may name (``OciSettings.realm``; a test keeps the two equal)."""

# One-way pairs: the four regions-paired.md lists under "Asymmetrically paired regions", and Brazil Southeast,
# which the pairs table shows pairing with Brazil South while Brazil South pairs with South Central US. Every
# other pair is symmetric, and the catalogue test holds both to that.
AZURE_ASYMMETRIC_PAIRS: frozenset[str] = frozenset(
    {"brazilsouth", "brazilsoutheast", "westindia", "indiasouthcentral", "westus3"}
)


def _az(
    name: str,
    country: str,
    display: str,
    zones: int,
    pair: str | None,
    *,
    restricted: bool = False,
    note: str = "",
) -> Region:
    source = f"{_AZURE_SOURCE}; {note}" if note else _AZURE_SOURCE
    return Region(
        Cloud.AZURE, name, country, display, zones, geo_pair=pair, restricted=restricted, source=source
    )


def _oci(
    name: str, key: str, country: str, display: str, ads: int = 1, realm: str = "oc1", note: str = ""
) -> Region:
    source = f"{_OCI_SOURCE}; {note}" if note else _OCI_SOURCE
    restricted = realm not in DEPLOYABLE_OCI_REALMS
    return Region(
        Cloud.OCI, name, country, display, ads, realm=realm, key=key, restricted=restricted, source=source
    )


_R = True  # restricted-access icon in regions-list.md

_AZURE = [
    _az("australiaeast", "au", "Australia East", 3, "australiasoutheast"),
    _az("australiasoutheast", "au", "Australia Southeast", 0, "australiaeast"),
    _az("australiacentral", "au", "Australia Central", 0, "australiacentral2"),
    _az("australiacentral2", "au", "Australia Central 2", 0, "australiacentral", restricted=_R),
    _az("austriaeast", "at", "Austria East", 3, None),
    _az("belgiumcentral", "be", "Belgium Central", 3, None),
    # Brazil South's geo pair is in the United States: geo-redundant storage there leaves the country.
    _az("brazilsouth", "br", "Brazil South", 3, "southcentralus"),
    _az("brazilsoutheast", "br", "Brazil Southeast", 0, "brazilsouth", restricted=_R),
    _az("canadacentral", "ca", "Canada Central", 3, "canadaeast"),
    _az("canadaeast", "ca", "Canada East", 0, "canadacentral"),
    _az("chilecentral", "cl", "Chile Central", 3, None),
    _az("denmarkeast", "dk", "Denmark East", 3, None),
    # East Asia is in Hong Kong, Southeast Asia in Singapore: Azure's "Asia Pacific" geography, two codes.
    _az("eastasia", "hk", "East Asia", 3, "southeastasia"),
    _az("southeastasia", "sg", "Southeast Asia", 3, "eastasia"),
    _az("francecentral", "fr", "France Central", 3, "francesouth"),
    _az("francesouth", "fr", "France South", 0, "francecentral", restricted=_R),
    _az("germanywestcentral", "de", "Germany West Central", 3, "germanynorth"),
    _az("germanynorth", "de", "Germany North", 0, "germanywestcentral", restricted=_R),
    _az("centralindia", "in", "Central India", 3, "southindia"),
    _az("southindia", "in", "South India", 0, "centralindia"),
    _az("westindia", "in", "West India", 0, "southindia"),
    _az("indiasouthcentral", "in", "India South Central", 3, "centralindia"),
    _az("indonesiacentral", "id", "Indonesia Central", 3, None),
    _az("israelcentral", "il", "Israel Central", 3, None),
    _az("italynorth", "it", "Italy North", 3, None),
    _az("japaneast", "jp", "Japan East", 3, "japanwest"),
    _az("japanwest", "jp", "Japan West", 3, "japaneast"),
    # Korea South carried the restricted icon in azure-docs regions-list.md of 2025-03-21; the 2026 list does not.
    _az("koreacentral", "kr", "Korea Central", 3, "koreasouth"),
    _az("koreasouth", "kr", "Korea South", 0, "koreacentral"),
    _az("malaysiawest", "my", "Malaysia West", 3, None),
    _az("mexicocentral", "mx", "Mexico Central", 3, None),
    _az("newzealandnorth", "nz", "New Zealand North", 3, None),
    # West Europe (Netherlands) pairs with North Europe (Ireland): another cross-border pair.
    _az("westeurope", "nl", "West Europe", 3, "northeurope"),
    _az("northeurope", "ie", "North Europe", 3, "westeurope"),
    _az("norwayeast", "no", "Norway East", 3, "norwaywest"),
    _az("norwaywest", "no", "Norway West", 0, "norwayeast", restricted=_R),
    _az("polandcentral", "pl", "Poland Central", 3, None),
    _az("qatarcentral", "qa", "Qatar Central", 3, None),
    _az("southafricanorth", "za", "South Africa North", 3, "southafricawest"),
    _az("southafricawest", "za", "South Africa West", 0, "southafricanorth", restricted=_R),
    _az("spaincentral", "es", "Spain Central", 3, None),
    _az("swedencentral", "se", "Sweden Central", 3, "swedensouth"),
    _az(
        "swedensouth",
        "se",
        "Sweden South",
        0,
        "swedencentral",
        restricted=_R,
        note="no row of its own: named (restricted) only as Sweden Central's pair; its pair back and zone "
        "count are not documented (taken as symmetric, and no zones claimed)",
    ),
    _az("switzerlandnorth", "ch", "Switzerland North", 3, "switzerlandwest"),
    _az("switzerlandwest", "ch", "Switzerland West", 0, "switzerlandnorth", restricted=_R),
    _az("uaenorth", "ae", "UAE North", 3, "uaecentral"),
    _az("uaecentral", "ae", "UAE Central", 0, "uaenorth", restricted=_R),
    _az("uksouth", "gb", "UK South", 3, "ukwest"),
    _az("ukwest", "gb", "UK West", 0, "uksouth"),
    _az("eastus", "us", "East US", 3, "westus"),
    _az("westus", "us", "West US", 0, "eastus"),
    _az("eastus2", "us", "East US 2", 3, "centralus"),
    _az("centralus", "us", "Central US", 3, "eastus2"),
    _az("southcentralus", "us", "South Central US", 3, "northcentralus"),
    _az("northcentralus", "us", "North Central US", 0, "southcentralus"),
    _az("westus2", "us", "West US 2", 3, "westcentralus"),
    _az("westcentralus", "us", "West Central US", 0, "westus2"),
    _az("westus3", "us", "West US 3", 3, "eastus"),
]

# Display names: docs.oracle.com IAM policy reference ("request.region ... AMS - use for Netherlands Northwest
# (Amsterdam)", ...) and the region launch release notes (e.g. "Italy North (Turin) ... eu-turin-1 ... NRQ",
# 2025-11-11). The SDK-only regions (no public name found) carry their city.
_SDK_ONLY = "in the SDK's oc1 realm; not in the published region-key list checked, name from its city"
_OCI = [
    _oci("af-johannesburg-1", "JNB", "za", "South Africa Central (Johannesburg)"),
    _oci("af-casablanca-1", "LEJ", "ma", "Casablanca", note=_SDK_ONLY),
    _oci("ap-sydney-1", "SYD", "au", "Australia East (Sydney)"),
    _oci("ap-melbourne-1", "MEL", "au", "Australia Southeast (Melbourne)"),
    _oci("ap-mumbai-1", "BOM", "in", "India West (Mumbai)"),
    _oci("ap-hyderabad-1", "HYD", "in", "India South (Hyderabad)"),
    _oci("ap-delhi-1", "ONM", "in", "Delhi", note=_SDK_ONLY),
    _oci("ap-batam-1", "HSG", "id", "Indonesia North (Batam)", note=_SDK_ONLY),
    _oci("ap-tokyo-1", "NRT", "jp", "Japan East (Tokyo)"),
    _oci("ap-osaka-1", "KIX", "jp", "Japan Central (Osaka)"),
    _oci("ap-kulai-2", "JBP", "my", "Malaysia West 2 (Kulai)", note=_SDK_ONLY),
    _oci("ap-singapore-1", "SIN", "sg", "Singapore (Singapore)"),
    _oci("ap-singapore-2", "XSP", "sg", "Singapore West (Singapore)"),
    _oci("ap-seoul-1", "ICN", "kr", "South Korea Central (Seoul)"),
    _oci("ap-chuncheon-1", "YNY", "kr", "South Korea North (Chuncheon)"),
    _oci("sa-saopaulo-1", "GRU", "br", "Brazil East (Sao Paulo)"),
    _oci("sa-vinhedo-1", "VCP", "br", "Brazil Southeast (Vinhedo)"),
    _oci("sa-santiago-1", "SCL", "cl", "Chile Central (Santiago)"),
    _oci("sa-valparaiso-1", "VAP", "cl", "Chile West (Valparaiso)"),
    _oci("sa-bogota-1", "BOG", "co", "Colombia Central (Bogota)"),
    _oci("ca-toronto-1", "YYZ", "ca", "Canada Southeast (Toronto)"),
    _oci("ca-montreal-1", "YUL", "ca", "Canada Southeast (Montreal)"),
    _oci("mx-queretaro-1", "QRO", "mx", "Mexico Central (Queretaro)"),
    _oci("mx-monterrey-1", "MTY", "mx", "Mexico Northeast (Monterrey)"),
    _oci("me-dubai-1", "DXB", "ae", "UAE East (Dubai)"),
    _oci("me-abudhabi-1", "AUH", "ae", "UAE Central (Abu Dhabi)"),
    _oci("me-jeddah-1", "JED", "sa", "Saudi Arabia West (Jeddah)"),
    _oci("me-riyadh-1", "RUH", "sa", "Saudi Arabia Central (Riyadh)"),
    _oci("il-jerusalem-1", "MTZ", "il", "Israel Central (Jerusalem)"),
    _oci("eu-frankfurt-1", "FRA", "de", "Germany Central (Frankfurt)", 3),
    _oci("eu-paris-1", "CDG", "fr", "France Central (Paris)"),
    _oci("eu-marseille-1", "MRS", "fr", "France South (Marseille)"),
    _oci("eu-milan-1", "LIN", "it", "Italy Northwest (Milan)"),
    _oci("eu-turin-1", "NRQ", "it", "Italy North (Turin)"),
    _oci("eu-madrid-1", "MAD", "es", "Spain Central (Madrid)"),
    _oci("eu-madrid-3", "ORF", "es", "Spain Central 2 (Madrid)", note=_SDK_ONLY),
    _oci("eu-amsterdam-1", "AMS", "nl", "Netherlands Northwest (Amsterdam)"),
    _oci("eu-zurich-1", "ZRH", "ch", "Switzerland North (Zurich)"),
    _oci("eu-stockholm-1", "ARN", "se", "Sweden Central (Stockholm)"),
    _oci("uk-london-1", "LHR", "gb", "UK South (London)", 3),
    _oci("uk-cardiff-1", "CWL", "gb", "UK West (Newport)"),
    _oci("us-ashburn-1", "IAD", "us", "US East (Ashburn)", 3),
    _oci("us-phoenix-1", "PHX", "us", "US West (Phoenix)", 3),
    _oci("us-sanjose-1", "SJC", "us", "US West (San Jose)"),
    _oci(
        "us-chicago-1", "ORD", "us", "US Midwest (Chicago)", note="ADs not confirmed this session: 1 claimed"
    ),
    _oci("us-saltlake-2", "AGA", "us", "Salt Lake City", note=_SDK_ONLY),
    # EU Sovereign Cloud: a separate realm, operated in the EU, sharing nothing with oc1.
    _oci("eu-frankfurt-2", "STR", "de", "EU Sovereign Central (Frankfurt)", realm="oc19"),
    _oci("eu-madrid-2", "VLL", "es", "EU Sovereign South (Madrid)", realm="oc19"),
]

# Government and dedicated realms (REGION_REALMS). Left out: oc23 (us-somerset-1, us-thames-1), whose
# country no source at hand states. Countries follow the region's city and key (DUS/DTM: Ratingen, Germany).
_OCI_OTHER = [
    _oci("us-langley-1", "LFI", "us", "Langley", realm="oc2"),
    _oci("us-luke-1", "LUF", "us", "Luke", realm="oc2"),
    _oci("us-gov-ashburn-1", "RIC", "us", "Ashburn", realm="oc3"),
    _oci("us-gov-chicago-1", "PIA", "us", "Chicago", realm="oc3"),
    _oci("us-gov-phoenix-1", "TUS", "us", "Phoenix", realm="oc3"),
    _oci("uk-gov-london-1", "LTN", "gb", "UK Gov South (London)", realm="oc4"),
    _oci("uk-gov-cardiff-1", "BRS", "gb", "Cardiff", realm="oc4"),
    _oci("ap-chiyoda-1", "NJA", "jp", "Chiyoda", realm="oc8"),
    _oci("ap-ibaraki-1", "UKB", "jp", "Ibaraki", realm="oc8"),
    _oci("me-dcc-muscat-1", "MCT", "om", "Muscat", realm="oc9"),
    _oci("me-ibri-1", "IBR", "om", "Ibri", realm="oc9"),
    _oci("ap-dcc-canberra-1", "WGA", "au", "Canberra", realm="oc10"),
    _oci("eu-dcc-milan-1", "BGY", "it", "Milan", realm="oc14"),
    _oci("eu-dcc-milan-2", "MXP", "it", "Milan 2", realm="oc14"),
    _oci("eu-dcc-dublin-1", "ORK", "ie", "Dublin", realm="oc14"),
    _oci("eu-dcc-dublin-2", "SNN", "ie", "Dublin 2", realm="oc14"),
    _oci("eu-dcc-rating-1", "DUS", "de", "Ratingen", realm="oc14"),
    _oci("eu-dcc-rating-2", "DTM", "de", "Ratingen 2", realm="oc14"),
    _oci("ap-dcc-gazipur-1", "DAC", "bd", "Gazipur", realm="oc15"),
    _oci("eu-jovanovac-1", "BEG", "rs", "Serbia Central (Jovanovac)", realm="oc20"),
    _oci("me-dcc-doha-1", "DOH", "qa", "Doha", realm="oc21"),
    _oci("me-alrayyan-1", "VVE", "qa", "Al Rayyan", realm="oc21"),
    _oci("eu-dcc-zurich-1", "AVZ", "ch", "Zurich", realm="oc24"),
    _oci("eu-crissier-1", "AVF", "ch", "Crissier", realm="oc24"),
    _oci("me-abudhabi-3", "AHU", "ae", "Abu Dhabi 3", realm="oc26"),
    _oci("me-alain-1", "RBA", "ae", "Al Ain", realm="oc26"),
    _oci("me-abudhabi-2", "RKT", "ae", "Abu Dhabi 2", realm="oc29"),
    _oci("me-abudhabi-4", "SHJ", "ae", "Abu Dhabi 4", realm="oc29"),
    _oci("ap-seoul-2", "DTZ", "kr", "Seoul 2", realm="oc35"),
    _oci("ap-suwon-1", "DLN", "kr", "Suwon", realm="oc35"),
    _oci("ap-chuncheon-2", "BNO", "kr", "Chuncheon 2", realm="oc35"),
    _oci("us-ashburn-2", "YXJ", "us", "Ashburn 2", realm="oc42"),
    _oci("us-newark-1", "PGC", "us", "Newark", realm="oc42"),
    _oci("eu-budapest-1", "JSK", "hu", "Budapest", realm="oc51"),
    _oci("sa-riodejaneiro-1", "HNW", "br", "Rio de Janeiro", realm="oc52"),
]

REGIONS: dict[tuple[Cloud, str], Region] = {(r.cloud, r.name): r for r in [*_AZURE, *_OCI]}
"""The regions a country file may name."""

OCI_OTHER_REALM_REGIONS: dict[str, Region] = {r.name: r for r in _OCI_OTHER}
"""OCI regions of realms outside ``DEPLOYABLE_OCI_REALMS``: known, so a refusal can name the realm."""


def find_region(cloud: Cloud, name: str) -> Region | None:
    return REGIONS.get((cloud, name))


def region_country(cloud: Cloud, name: str | None) -> str | None:
    """The ISO country ``name`` lies in; None for no region or one the catalogue lacks."""
    found = find_region(cloud, name) if name else None
    return found.country if found else None


def regions_in_country(cloud: Cloud, country: str, realm: str | None = None) -> list[Region]:
    """The catalogue's regions of one cloud in one country (and realm, for OCI when given)."""
    return [
        r
        for r in REGIONS.values()
        if r.cloud == cloud and r.country == country and (realm is None or r.realm == realm)
    ]


def restricted_access_note(region: Region) -> str | None:
    """What a user must do before deploying to a restricted region (None when it is open to all)."""
    if not region.restricted:
        return None
    if region.cloud == Cloud.AZURE:
        return (
            f"'{region.name}' ({region.display_name}) is a restricted-access Azure region: a subscription can "
            f"deploy there only after an access request (support request, quota type 'Other Requests'; "
            f"{AZURE_REGION_ACCESS_REQUEST})"
        )
    kind = OCI_REALM_KINDS.get(region.realm or "", "realm")
    return f"'{region.name}' is in OCI realm {region.realm} ({kind}): tenancies there need eligibility or a contract"
