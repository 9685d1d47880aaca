"""OCI region facts the components need: region keys, realms and realm domains.

Pure data and helpers (no Pulumi SDK, no resources). The table is copied from the region definitions of
Oracle's own Python SDK (``oci/regions_definitions.py``) for the commercial realm oc1 and the EU Sovereign
Cloud realm oc19. Two policy languages name regions differently, and mixing them up silently fences the
wrong thing:

- IAM policy conditions compare ``request.region`` with the three-letter region *key* ('FRA');
- compartment quota statements compare ``request.region`` with the region *identifier* ('eu-frankfurt-1').

Non-goals: no service availability per region (that is the config's region catalogue), no other realms.
"""

__all__ = [
    "REGION_KEYS",
    "REGION_REALMS",
    "realm_domain",
    "realm_of",
    "region_key",
    "registry_host",
    "registry_hosts",
    "require_region",
]

# region identifier -> region key (upper case, as the IAM documentation lists them)
REGION_KEYS: dict[str, str] = {
    "af-johannesburg-1": "JNB",
    "ap-chuncheon-1": "YNY",
    "ap-hyderabad-1": "HYD",
    "ap-melbourne-1": "MEL",
    "ap-mumbai-1": "BOM",
    "ap-osaka-1": "KIX",
    "ap-seoul-1": "ICN",
    "ap-singapore-1": "SIN",
    "ap-singapore-2": "XSP",
    "ap-sydney-1": "SYD",
    "ap-tokyo-1": "NRT",
    "ca-montreal-1": "YUL",
    "ca-toronto-1": "YYZ",
    "eu-amsterdam-1": "AMS",
    "eu-frankfurt-1": "FRA",
    "eu-madrid-1": "MAD",
    "eu-marseille-1": "MRS",
    "eu-milan-1": "LIN",
    "eu-paris-1": "CDG",
    "eu-stockholm-1": "ARN",
    "eu-zurich-1": "ZRH",
    "il-jerusalem-1": "MTZ",
    "me-abudhabi-1": "AUH",
    "me-dubai-1": "DXB",
    "me-jeddah-1": "JED",
    "me-riyadh-1": "RUH",
    "mx-monterrey-1": "MTY",
    "mx-queretaro-1": "QRO",
    "sa-bogota-1": "BOG",
    "sa-santiago-1": "SCL",
    "sa-saopaulo-1": "GRU",
    "sa-valparaiso-1": "VAP",
    "sa-vinhedo-1": "VCP",
    "uk-cardiff-1": "CWL",
    "uk-london-1": "LHR",
    "us-ashburn-1": "IAD",
    "us-chicago-1": "ORD",
    "us-phoenix-1": "PHX",
    "us-sanjose-1": "SJC",
    # EU Sovereign Cloud (realm oc19)
    "eu-frankfurt-2": "STR",
    "eu-madrid-2": "VLL",
}

REGION_REALMS: dict[str, str] = {
    region: ("oc19" if region in ("eu-frankfurt-2", "eu-madrid-2") else "oc1") for region in REGION_KEYS
}

_REALM_DOMAINS: dict[str, str] = {"oc1": "oraclecloud.com", "oc19": "oraclecloud.eu"}


def require_region(region: str, field_name: str = "region") -> str:
    """Return ``region`` if it is a known oc1/oc19 region identifier, else raise a ValueError with a fix."""
    if region not in REGION_KEYS:
        raise ValueError(
            f"{field_name}: unknown OCI region {region!r} (allowed: identifiers of realms oc1 and oc19, "
            f"such as 'eu-frankfurt-1' or 'eu-frankfurt-2'); use the identifier, not the key ('FRA') or the "
            "display name"
        )
    return region


def region_key(region: str) -> str:
    """The three-letter key IAM conditions use for ``request.region``."""
    return REGION_KEYS[require_region(region)]


def realm_of(region: str) -> str:
    return REGION_REALMS[require_region(region)]


def realm_domain(realm: str) -> str:
    if realm not in _REALM_DOMAINS:
        raise ValueError(f"realm: unknown OCI realm {realm!r} (allowed: {sorted(_REALM_DOMAINS)})")
    return _REALM_DOMAINS[realm]


def registry_host(region: str) -> str:
    """In-region Container Registry endpoint (``<key>.ocir.io`` in oc1, the artifacts endpoint elsewhere)."""
    realm = realm_of(region)
    if realm == "oc1":
        return f"{region_key(region).lower()}.ocir.io"
    return f"artifacts.{region}.oci.{realm_domain(realm)}"


def registry_hosts(region: str) -> tuple[str, ...]:
    """Every documented Container Registry endpoint of the region (all reach the same repositories)."""
    realm = realm_of(region)
    artifacts = f"artifacts.{region}.oci.{realm_domain(realm)}"
    if realm == "oc1":
        return (f"{region_key(region).lower()}.ocir.io", f"{region}.ocir.io", artifacts)
    return (artifacts,)
