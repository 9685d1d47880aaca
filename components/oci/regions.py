"""OCI region facts the components need: region keys, realms and realm domains.

Pure data and helpers (no Pulumi SDK, no resources), derived from ``sovereign.catalogue`` (region keys there
were checked against Oracle's own SDK region definitions, ``oci/regions_definitions.py``). Two policy languages
name regions differently, and mixing them up silently fences the wrong thing:

- IAM policy conditions compare ``request.region`` with the three-letter region *key* ('FRA');
- compartment quota statements compare ``request.region`` with the region *identifier* ('eu-frankfurt-1').

Non-goals: no service availability per region (that is the config's region catalogue), no other realms.
"""

from collections.abc import Sequence

from sovereign.catalogue import OCI_REALMS, REGIONS
from sovereign.config.derived import oci_registry_host
from sovereign.types import Cloud

__all__ = [
    "HOME_REGION_FIX",
    "REGION_KEYS",
    "REGION_REALMS",
    "confirm_home_region",
    "realm_domain",
    "realm_of",
    "region_key",
    "registry_host",
    "registry_hosts",
    "require_region",
]

# One source of region facts: the toolkit's catalogue (which the country config is validated against).
REGION_KEYS: dict[str, str] = {r.name: r.key for r in REGIONS.values() if r.cloud == Cloud.OCI and r.key}
"""Region identifier -> three-letter region key (upper case, as the IAM documentation lists them)."""

REGION_REALMS: dict[str, str] = {
    r.name: r.realm for r in REGIONS.values() if r.cloud == Cloud.OCI and r.realm
}

_REALM_DOMAINS: dict[str, str] = OCI_REALMS


def require_region(region: str, field_name: str = "region") -> str:
    """Return ``region`` if it is a known oc1/oc19 region identifier, else raise a ValueError with a fix."""
    if region not in REGION_KEYS:
        raise ValueError(
            f"{field_name}: unknown OCI region {region!r} (allowed: identifiers of realms oc1 and oc19, "
            f"such as 'eu-frankfurt-1' or 'eu-frankfurt-2'); use the identifier, not the key ('FRA') or the "
            "display name"
        )
    return region


HOME_REGION_FIX = (
    "set 'oci.home_region' to the tenancy's home region (Console: Governance & Administration > Tenancy "
    "details, or `oci iam region-subscription list`, the entry with is-home-region true); a tenancy's home "
    "region never changes"
)


def confirm_home_region(subscriptions: Sequence[tuple[str, bool]], expected: str, *, configured: bool) -> str:
    """Return ``expected`` if the tenancy's region subscriptions, ``(region name, is home)`` pairs as
    ``oci.identity.get_region_subscriptions`` lists them, make it the home region; else raise a ValueError
    saying what to set.

    IAM (compartments, dynamic groups, policies, quotas, tags) accepts writes only in the home region ("403-
    NotAllowed, Please go to your home region ... to execute CREATE, UPDATE and DELETE operations",
    oracle/terraform-provider-oci#1596), so a wrong home region fails the first IAM write of a deployment.
    ``configured`` says whether ``expected`` came from ``oci.home_region`` or defaulted to the primary region.
    """
    source = "oci.home_region" if configured else "the primary region (oci.home_region omitted)"
    home = [name for name, is_home in subscriptions if is_home]
    if expected in home:
        return expected
    if home:
        found = f"the tenancy's home region is {home[0]!r}"
    elif any(name == expected for name, _ in subscriptions):
        found = f"the tenancy is subscribed to {expected!r}, but it is not its home region"
    else:
        found = f"the tenancy is not subscribed to {expected!r}"
    raise ValueError(f"home region: {source} is {expected!r}, but {found}: {HOME_REGION_FIX}")


def region_key(region: str) -> str:
    """The three-letter key IAM conditions use for ``request.region``, upper case ('CDG').

    The case does not matter to IAM: "Condition matching is case insensitive" (Oracle, "Conditions",
    docs.oracle.com/iaas/Content/Identity/policysyntax/conditions.htm, the "Important" note), so 'CDG' and 'cdg'
    match the same requests. One case is kept anyway, the one the IAM region table lists, so that the
    statements, and their diffs, stay stable. Registry hosts are the other use of the key, in lower case
    (``registry_hosts``): DNS names, where the case does not matter either.
    """
    return REGION_KEYS[require_region(region)]


def realm_of(region: str) -> str:
    return REGION_REALMS[require_region(region)]


def realm_domain(realm: str) -> str:
    if realm not in _REALM_DOMAINS:
        raise ValueError(f"realm: unknown OCI realm {realm!r} (allowed: {sorted(_REALM_DOMAINS)})")
    return _REALM_DOMAINS[realm]


def registry_host(region: str) -> str:
    """In-region Container Registry endpoint (``<key>.ocir.io`` in oc1, the artifacts endpoint elsewhere): the
    same host the country config's images are validated against."""
    return oci_registry_host(require_region(region))


def registry_hosts(region: str) -> tuple[str, ...]:
    """Every documented Container Registry endpoint of the region (all reach the same repositories)."""
    realm = realm_of(region)
    artifacts = f"artifacts.{region}.oci.{realm_domain(realm)}"
    if realm == "oc1":
        return (f"{region_key(region).lower()}.ocir.io", f"{region}.ocir.io", artifacts)
    return (artifacts,)
