"""Where a country's Pulumi state lives and which key encrypts its stack secrets (``deployment:`` of a country file).

Pulumi keeps every resource's properties, the stack outputs and the ciphertext of every stack secret in the
*state backend*, and wraps the stack's data key with the *secrets provider*. Both are part of the country's
sovereignty, so the country file declares them and everything that can choose them is held to that declaration:

- the backend: ``PULUMI_BACKEND_URL`` wins over the project file's ``backend.url``, which wins over the stored
  login (pulumi/pulumi v3.259 ``pkg/workspace/creds.go`` ``GetCurrentCloudURLWithSource``). The project file
  serves every country, so it may not name one (``project_file_problems``); CI's variable must equal the
  declaration (``sovereign ci backend-check``).
- the secrets provider: the stack file's ``secretsprovider`` decides; empty with no ``encryptionsalt``, Pulumi
  falls back to the state's manager or the backend's default, which is Pulumi Cloud's service for a Pulumi Cloud
  backend (``pkg/cmd/pulumi/stack/secrets.go`` ``GetSecretsManager``; ``pkg/backend/diy/backend.go``
  ``DefaultSecretManager``: passphrase). Each stack file must agree with the declaration (``stack_file_problems``).

Accepted declarations, each with the fact that makes it acceptable:

- state ``azblob://<container>?storage_account=<account>`` on a storage account in a declared in-country Azure
  region (gocloud.dev ``blob/azureblob``: the account from ``storage_account``, else ``AZURE_STORAGE_ACCOUNT``,
  so the URL must name it);
- state ``s3://<bucket>?endpoint=<namespace>.compat.objectstorage.<region>.<realm domain>&region=<region>`` on
  OCI Object Storage's S3-compatible endpoint (gocloud.dev ``blob/s3blob``: ``endpoint``, ``region``,
  ``use_path_style``/``s3ForcePathStyle``; ``disable_https`` is refused);
- secrets ``azurekeyvault://<vault>.vault.azure.net/keys/<key>`` of a vault in a declared in-country Azure region
  (gocloud.dev v0.46 ``secrets/azurekeyvault/akv.go`` ``keyIDRE`` requires ``.vault.``: a Managed HSM host,
  ``*.managedhsm.azure.net``, does not match and is refused);
- secrets ``passphrase`` or ``hashivault://<transit key>`` with the declared country of the passphrase's store
  or of the Vault/OpenBao server (gocloud.dev ``secrets/hashivault``: the server comes from ``VAULT_SERVER_URL``
  or ``VAULT_ADDR``, never from the URL). Pulumi has no OCI KMS secrets provider: its cloud manager registers
  only awskms, azurekeyvault, gcpkms and hashivault (``pkg/secrets/cloud/manager.go``).

Refused: Pulumi Cloud (any ``http(s)://`` backend, ``default``/service secrets), ``awskms://``, ``gcpkms://``,
AWS S3 and Google Cloud Storage, a local ``file://`` backend (one machine, no declared region), and any region or
country outside the country.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from pydantic import BaseModel, ConfigDict, Field

from sovereign.types import Cloud, CountryCode

if TYPE_CHECKING:
    from sovereign.config.data_paths import DataPath
    from sovereign.config.errors import PathParts, Violation

__all__ = [
    "DeploymentConfig",
    "SecretsProvider",
    "StateBackend",
    "deployment_paths",
    "deployment_stays_in_country",
    "parse_secrets_provider",
    "parse_state_backend",
]

_AZ_CONTAINER = re.compile(r"^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$")
_AZ_ACCOUNT = re.compile(r"^[a-z0-9]{3,24}$")
_AZ_VAULT = re.compile(r"^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$")
_OCI_ENDPOINT = re.compile(
    r"^(?:https://)?(?P<ns>[a-z0-9-]+)\.compat\.objectstorage\.(?P<region>[a-z0-9-]+)\.(?P<domain>[a-z0-9.]+)$"
)
_BACKEND_FORMS = (
    "'azblob://<container>?storage_account=<account>' (Azure Blob) or 's3://<bucket>?endpoint=<namespace>."
    "compat.objectstorage.<region>.oraclecloud.com&region=<region>&s3ForcePathStyle=true' (OCI Object Storage)"
)
_SECRETS_FORMS = (
    "'azurekeyvault://<vault>.vault.azure.net/keys/<key>', 'passphrase' or 'hashivault://<transit key>'"
)


class Refused(ValueError):
    """A backend or provider URL the country cannot hold: what is wrong, and how to fix it."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.message, self.fix = message, fix


_BACKEND_FIX = "declare the country's own store: " + _BACKEND_FORMS
_SECRETS_FIX = "declare the country's own key: " + _SECRETS_FORMS


@dataclass(frozen=True)
class Location:
    """What a backend or provider URL names: the cloud whose catalogue places it, the region the URL itself
    names (OCI endpoints do; Azure URLs do not), and a description for reports."""

    cloud: Cloud | None
    region_in_url: str | None
    destination: str


def parse_state_backend(url: str) -> Location:
    """The location of an accepted backend URL; :class:`Refused` says what is wrong and how to fix it."""
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    scheme = parts.scheme.lower()
    if scheme in ("http", "https") or "pulumi.com" in url.lower():
        raise Refused(
            f"'{url}' is a Pulumi Cloud (service) backend: the state and, by default, the stack's secrets key "
            f"would be kept by Pulumi's service outside the country",
            _BACKEND_FIX,
        )
    if scheme == "file":
        raise Refused(
            f"'{url}' keeps the state on one machine, in no declared region ('pulumi login file://...' for "
            "trying it out needs no declaration)",
            _BACKEND_FIX,
        )
    if scheme == "azblob":
        account = query.get("storage_account", "")
        if not _AZ_CONTAINER.fullmatch(parts.netloc) or not _AZ_ACCOUNT.fullmatch(account):
            raise Refused(
                f"'{url}' must name a container (3-63 lower-case letters, digits, hyphens) and its storage "
                "account ('?storage_account=<3-24 lower-case letters and digits>'; without it the account comes "
                "from AZURE_STORAGE_ACCOUNT, which the country file cannot check)",
                _BACKEND_FIX,
            )
        extra = sorted(set(query) - {"storage_account"})
        if extra:
            raise Refused(
                f"'{url}' sets {', '.join(extra)}: only 'storage_account' is allowed (a 'domain', 'protocol' or "
                "'localemu' would send the state to another endpoint than the account's blob service)",
                _BACKEND_FIX,
            )
        return Location(
            Cloud.AZURE, None, f"Azure Blob container '{parts.netloc}' in storage account '{account}'"
        )
    if scheme == "s3":
        endpoint = _OCI_ENDPOINT.fullmatch(query.get("endpoint", ""))
        if endpoint is None:
            raise Refused(
                f"'{url}' is not OCI Object Storage's S3-compatible endpoint: an s3:// backend without "
                "'endpoint=<namespace>.compat.objectstorage.<region>.<realm domain>' is Amazon S3",
                _BACKEND_FIX,
            )
        from sovereign.catalogue.regions import OCI_REALMS

        if endpoint["domain"] not in OCI_REALMS.values():
            raise Refused(
                f"'{url}': '{endpoint['domain']}' is not an OCI realm domain (known: "
                f"{', '.join(sorted(set(OCI_REALMS.values())))})",
                _BACKEND_FIX,
            )
        if query.get("region") != endpoint["region"]:
            raise Refused(
                f"'{url}' must set 'region={endpoint['region']}', the region of its endpoint (the S3 client signs "
                "requests for that region)",
                f"set '&region={endpoint['region']}' in the URL",
            )
        if query.get("disable_https", "false").lower() not in ("false", "0"):
            raise Refused(
                f"'{url}' turns HTTPS off ('disable_https'): the state would cross the network in clear",
                _BACKEND_FIX,
            )
        if not parts.netloc:
            raise Refused(f"'{url}' names no bucket", _BACKEND_FIX)
        return Location(
            Cloud.OCI,
            endpoint["region"],
            f"OCI Object Storage bucket '{parts.netloc}' (namespace '{endpoint['ns']}', S3-compatible endpoint)",
        )
    raise Refused(
        f"'{url}': scheme '{scheme or '<none>'}' is not an in-country backend the toolkit can place "
        f"(gs:// is Google Cloud Storage)",
        _BACKEND_FIX,
    )


def parse_secrets_provider(url: str) -> Location:
    """The location of an accepted secrets provider; :class:`Refused` says what is wrong and how to fix it."""
    if url == "passphrase":
        return Location(None, None, "passphrase held in the operators' secret store")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if url in ("", "default", "service"):
        raise Refused(
            f"'{url}' leaves the choice to the backend; on Pulumi Cloud that is its service, which keeps the "
            f"stack's key outside the country",
            _SECRETS_FIX,
        )
    if scheme in ("awskms", "gcpkms"):
        raise Refused(
            f"'{url}' is a key in {'AWS KMS' if scheme == 'awskms' else 'Google Cloud KMS'}, not the country's own "
            f"key service",
            _SECRETS_FIX,
        )
    if scheme == "azurekeyvault":
        host = parts.hostname or ""
        vault, _, suffix = host.partition(".")
        if suffix == "managedhsm.azure.net":
            raise Refused(
                f"'{url}' is a Managed HSM: Pulumi's secrets provider (gocloud.dev azurekeyvault) accepts only "
                "Key Vault key ids ('https://<vault>.vault.azure.net/keys/<key>'); use a Key Vault Premium key",
                _SECRETS_FIX,
            )
        if (
            suffix != "vault.azure.net"
            or not _AZ_VAULT.fullmatch(vault)
            or not re.fullmatch(r"/keys/[A-Za-z0-9-]{1,127}(/[0-9a-f]{32})?", parts.path)
        ):
            raise Refused(
                f"'{url}' is not 'azurekeyvault://<vault>.vault.azure.net/keys/<key>[/<version>]'",
                _SECRETS_FIX,
            )
        return Location(Cloud.AZURE, None, f"Key Vault '{vault}', key '{parts.path.split('/')[2]}'")
    if scheme == "hashivault":
        if not parts.netloc:
            raise Refused(f"'{url}' names no transit key ('hashivault://<key>')", _SECRETS_FIX)
        return Location(None, None, f"Vault/OpenBao transit key '{parts.netloc}' (server: VAULT_SERVER_URL)")
    raise Refused(f"'{url}': unknown secrets provider", _SECRETS_FIX)


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class StateBackend(_Model):
    url: str = Field(
        description="The stack's Pulumi backend (what CI sets as PULUMI_BACKEND_URL): 'azblob://<container>?"
        "storage_account=<account>' or OCI Object Storage's S3-compatible 's3://<bucket>?endpoint=<namespace>."
        "compat.objectstorage.<region>.oraclecloud.com&region=<region>&s3ForcePathStyle=true'. Pulumi Cloud, "
        "Amazon S3, Google Cloud Storage and file:// are refused."
    )
    region: str = Field(
        description="The in-country region of the storage account or bucket (for OCI, the endpoint's region)."
    )


class SecretsProvider(_Model):
    url: str = Field(
        description="The stack's secrets provider (the stack file's 'secretsprovider', set by 'pulumi stack init "
        "--secrets-provider'): 'azurekeyvault://<vault>.vault.azure.net/keys/<key>', 'passphrase' or "
        "'hashivault://<transit key>'. Pulumi Cloud's default, awskms:// and gcpkms:// are refused; Pulumi has no "
        "OCI KMS provider."
    )
    region: str | None = Field(
        default=None, description="azurekeyvault only: the in-country Azure region of the vault."
    )
    country: CountryCode | None = Field(
        default=None,
        description="passphrase and hashivault only: the country of the secret store holding the passphrase, or "
        "of the Vault/OpenBao server (VAULT_SERVER_URL); the URL names neither.",
    )
    passphrase_secret: str | None = Field(
        default=None,
        description="OCI with 'passphrase' only, and required there: the OCID of the OCI Vault secret holding "
        "the passphrase (ocid1.vaultsecret.<realm>.<region>.<id>), in an in-country region of the country's realm. "
        "CI reads it with the job's OCI session (`sovereign ci passphrase-file`), so no CI service stores it.",
    )


class DeploymentConfig(_Model):
    state_backend: StateBackend = Field(description="Where the stack's Pulumi state is kept.")
    secrets_provider: SecretsProvider = Field(description="The key that encrypts the stack's secrets.")


_BACKEND: PathParts = ("deployment", "state_backend")
_SECRETS: PathParts = ("deployment", "secrets_provider")


def _region_problems(c: Any, at: PathParts, cloud: Cloud, region: str, what: str) -> Iterator[Violation]:
    from sovereign.catalogue import region_country, regions_in_country
    from sovereign.config.errors import Violation

    allowed = ", ".join(r.name for r in regions_in_country(cloud, c.country)) or "none in the catalogue"
    country = region_country(cloud, region)
    if country is None:
        yield Violation(
            (*at, "region"),
            f"unknown {cloud} region '{region}' for the {what} (allowed for '{c.country}': {allowed})",
            "name the region the account, bucket or vault was created in",
        )
    elif country != c.country:
        yield Violation(
            (*at, "region"),
            f"the {what} is in region '{region}', which lies in '{country}', not in '{c.country}' "
            f"(allowed: {allowed})",
            "move it to an account, bucket or vault in the country and declare that region",
        )


_VAULT_SECRET_OCID = re.compile(r"ocid1\.vaultsecret\.(oc[0-9]+)\.([a-z0-9-]+)\.[a-z0-9]+")
"""OCID syntax ``ocid1.<RESOURCE TYPE>.<REALM>.[REGION][.FUTURE USE].<UNIQUE ID>``, where the region is a
lower-case region key for the first regions ('phx', 'iad') and the region identifier since Frankfurt
('eu-frankfurt-1'): docs.oracle.com/iaas/Content/General/Concepts/identifiers.htm."""


def passphrase_secret_region(ocid: str) -> tuple[str, str] | None:
    """(realm, region segment) of an OCI Vault secret OCID, or None when it is not one."""
    found = _VAULT_SECRET_OCID.fullmatch(ocid)
    return (found.group(1), found.group(2)) if found else None


def _passphrase_secret_problems(c: Any, secrets: SecretsProvider) -> Iterator[Violation]:
    """An OCI passphrase stack names the in-country OCI Vault secret that holds the passphrase: without it the
    passphrase lives wherever CI keeps secrets (a GitHub secret is stored by GitHub, not in the country)."""
    from sovereign.catalogue import REGIONS
    from sovereign.config.errors import Violation

    at = (*_SECRETS, "passphrase_secret")
    if secrets.url != "passphrase" or c.cloud != Cloud.OCI:
        if secrets.passphrase_secret is not None:
            yield Violation(
                at,
                "is set, but only an OCI stack with 'url: passphrase' reads its passphrase from an OCI Vault secret",
                "remove 'passphrase_secret'",
            )
        return
    fix = (
        "create a secret holding the passphrase in the country's vault (`oci vault secret create-base64`) in "
        f"{c.regions.primary} and give its OCID"
    )
    if secrets.passphrase_secret is None:
        yield Violation(
            at,
            "missing: an OCI passphrase stack names the OCI Vault secret that holds the passphrase, so CI reads it "
            "in the country instead of keeping it in its own secret store",
            fix,
        )
        return
    parsed = passphrase_secret_region(secrets.passphrase_secret)
    if parsed is None:
        yield Violation(
            at, f"'{secrets.passphrase_secret}' is not an OCI Vault secret OCID (ocid1.vaultsecret.…)", fix
        )
        return
    realm, segment = parsed
    region = next(
        (
            r
            for r in REGIONS.values()
            if r.cloud == Cloud.OCI and segment in (r.name, (r.key or "").lower()) and r.realm == realm
        ),
        None,
    )
    if realm != c.oci.realm:
        yield Violation(at, f"is in realm {realm}, but the tenancy is in {c.oci.realm}", fix)
    elif region is None:
        yield Violation(
            at, f"names region '{segment}', which the catalogue does not know in realm {realm}", fix
        )
    elif region.country != c.country:
        yield Violation(
            at,
            f"is in {region.name}, which lies in '{region.country}', not in '{c.country}': the passphrase would be "
            "kept abroad",
            fix,
        )


def deployment_stays_in_country(c: Any, register: object, as_of: dt.date) -> Iterator[Violation]:
    """The state backend and secrets provider lie in the country, in the cloud region or country declared, and a
    region the URL itself names is the declared one (otherwise the declaration would be paper)."""
    from sovereign.config.errors import Violation

    deployment: DeploymentConfig = c.deployment
    try:
        backend: Location | None = parse_state_backend(deployment.state_backend.url)
    except Refused as refused:
        backend = None
        yield Violation((*_BACKEND, "url"), refused.message, refused.fix)
    if backend is None or backend.cloud is None:
        pass
    elif backend.region_in_url is not None and backend.region_in_url != deployment.state_backend.region:
        yield Violation(
            (*_BACKEND, "region"),
            f"is '{deployment.state_backend.region}', but the backend URL's endpoint is in "
            f"'{backend.region_in_url}'",
            "declare the endpoint's region, or point the URL at the bucket in the declared region",
        )
    else:
        yield from _region_problems(
            c, _BACKEND, backend.cloud, deployment.state_backend.region, "state backend"
        )
    secrets = deployment.secrets_provider
    try:
        provider = parse_secrets_provider(secrets.url)
    except Refused as refused:
        yield Violation((*_SECRETS, "url"), refused.message, refused.fix)
        return
    yield from _passphrase_secret_problems(c, secrets)
    if provider.cloud is not None:
        if secrets.country is not None:
            yield Violation(
                (*_SECRETS, "country"),
                "is set, but a cloud key is placed by its region",
                "remove 'country' and declare the vault's 'region'",
            )
        if secrets.region is None:
            yield Violation(
                (*_SECRETS, "region"),
                f"missing: the URL '{secrets.url}' does not say which region the vault is in",
                "declare the vault's in-country region, e.g. 'region: <the primary region>'",
            )
        else:
            yield from _region_problems(
                c, _SECRETS, provider.cloud, secrets.region, "secrets provider's vault"
            )
        return
    if secrets.region is not None:
        yield Violation(
            (*_SECRETS, "region"),
            f"'{secrets.url}' is not a cloud key, so a region places nothing",
            "remove 'region' and declare 'country' (where the passphrase or the Vault server is kept)",
        )
    if secrets.country != c.country:
        got = f"'{secrets.country}'" if secrets.country else "not declared"
        yield Violation(
            (*_SECRETS, "country"),
            f"{got}: '{secrets.url}' keeps the stack's key wherever its store or server runs, and only the country "
            "file can say where that is",
            f"keep the passphrase (or run the Vault server) in '{c.country}' and declare 'country: {c.country}'",
        )


def deployment_paths(c: Any) -> Iterator[DataPath]:
    """The state backend and secrets provider as data paths (in ``data_paths.neutral_sources()``)."""
    from sovereign.catalogue import region_country
    from sovereign.config.data_paths import DataPath

    deployment: DeploymentConfig = c.deployment
    region = deployment.state_backend.region
    try:
        backend = parse_state_backend(deployment.state_backend.url)
    except Refused:  # refused by deployment_stays_in_country at the URL; listed here as going nowhere known
        backend = Location(None, None, f"backend '{deployment.state_backend.url}'")
    yield DataPath(
        "Pulumi state: every resource's properties, stack outputs, encrypted stack secrets",
        backend.destination,
        region,
        region_country(backend.cloud, region) if backend.cloud else None,
        "deployment.state_backend (invariant deployment_stays_in_country); the project file names no backend and "
        "CI's PULUMI_BACKEND_URL must equal it (sovereign ci backend-check)",
        (*_BACKEND, "region" if backend.cloud else "url"),
        "keep the state in a storage account or bucket in the country and declare its region",
    )
    secrets = deployment.secrets_provider
    try:
        provider = parse_secrets_provider(secrets.url)
    except Refused:
        provider = Location(None, None, f"secrets provider '{secrets.url}'")
        secrets = secrets.model_copy(update={"country": None})
    cloud_key = provider.cloud is not None
    yield DataPath(
        "the key that wraps the stack's secrets (data key of its secrets provider)",
        provider.destination,
        secrets.region if cloud_key else None,
        (region_country(provider.cloud, secrets.region) if provider.cloud and secrets.region else None)
        if cloud_key
        else secrets.country,
        "deployment.secrets_provider (invariant deployment_stays_in_country); every stack file's "
        "'secretsprovider' must equal it (sovereign validate)",
        (
            *_SECRETS,
            "region"
            if cloud_key
            else "url"
            if provider.destination.startswith("secrets provider")
            else "country",
        ),
        "use the country's own key service: a Key Vault key in the country, or a passphrase or Vault server kept "
        "in the country",
    )
