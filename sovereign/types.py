"""Shared constrained types and closed vocabularies.

Used by the file-facing country config (``sovereign.config``) and by the component Args in ``components/``,
so that a CIDR, an image pinned by digest or a custody tier means the same thing everywhere. Pure data: this
module imports no Pulumi SDK and creates no resources.
"""

from __future__ import annotations

import ipaddress
import re
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field

__all__ = [
    "Bcp47Tag",
    "Cidr",
    "Cloud",
    "ConfidentialTier",
    "CountryCode",
    "EgressMode",
    "Environment",
    "GiB",
    "ImageRef",
    "KeyCustodyTier",
    "ModelTier",
    "Redundancy",
    "Sha256Digest",
    "StorePurpose",
    "base_language",
    "image_digest",
    "image_registry",
    "parse_image_ref",
]


class Cloud(StrEnum):
    AZURE = "azure"
    OCI = "oci"


class Environment(StrEnum):
    PROD = "prod"
    STAGING = "staging"


class ConfidentialTier(StrEnum):
    """How much of the cluster runs on confidential (memory-encrypted, attested) hardware."""

    NONE = "none"
    CONFIDENTIAL_VM = "confidential_vm"
    CONFIDENTIAL_GPU = "confidential_gpu"


class KeyCustodyTier(StrEnum):
    """Where customer-managed keys live. The first two are Azure's, the last two OCI's."""

    KEY_VAULT_PREMIUM = "key_vault_premium"
    MANAGED_HSM = "managed_hsm"
    VIRTUAL_PRIVATE_VAULT = "virtual_private_vault"
    DEFAULT_VAULT = "default_vault"


class StorePurpose(StrEnum):
    MODEL_WEIGHTS = "model_weights"
    DATASETS = "datasets"
    AUDIT_LOGS = "audit_logs"
    BACKUPS = "backups"


class Redundancy(StrEnum):
    """Storage redundancy. ``local`` and ``zone`` never leave the region; the geo kinds copy to the paired region."""

    LOCAL = "local"
    ZONE = "zone"
    GEO = "geo"
    GEO_ZONE = "geo_zone"

    @property
    def is_geo(self) -> bool:
        return self in (Redundancy.GEO, Redundancy.GEO_ZONE)


class EgressMode(StrEnum):
    """Outbound internet posture of the cluster: none at all, or only an explicit allow-list."""

    NONE = "none"
    ALLOW_LIST = "allow_list"


class ModelTier(StrEnum):
    """Capability tier from the model risk register; high and critical need confidential GPUs."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def needs_confidential_gpu(self) -> bool:
        return self in (ModelTier.HIGH, ModelTier.CRITICAL)


def _country_code(value: str) -> str:
    import pycountry  # small and lazily loaded: only the ISO 3166-1 table

    if not re.fullmatch(r"[a-z]{2}", value):
        raise ValueError("must be an ISO 3166-1 alpha-2 code in lower case, such as 'de' or 'br'")
    if pycountry.countries.get(alpha_2=value.upper()) is None:
        raise ValueError(f"'{value}' is not an ISO 3166-1 alpha-2 country code")
    return value


def _cidr(value: str) -> str:
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"not a valid network in CIDR notation with host bits zero ({exc})") from None
    if network.version != 4:
        raise ValueError("only IPv4 CIDRs are supported")
    return str(network)


_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_IMAGE = re.compile(
    r"(?P<registry>[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?)/(?P<path>[a-z0-9._/-]+?)(:(?P<tag>[\w.-]+))?"
    r"@(?P<digest>sha256:[0-9a-f]{64})"
)


def parse_image_ref(value: str) -> tuple[str, str, str]:
    """Split ``registry/path[:tag]@sha256:...`` into (registry host, repository path, digest)."""
    match = _IMAGE.fullmatch(value)
    if match is None:
        raise ValueError(
            "must be an image reference pinned by digest, 'registry.example/path/name@sha256:<64 hex>' "
            "(a tag alone can be moved; a digest cannot)"
        )
    if "." not in match["registry"] and ":" not in match["registry"]:
        raise ValueError("must name its registry host explicitly (for example 'deregistry.azurecr.io/...')")
    return match["registry"], match["path"], match["digest"]


def image_registry(value: str) -> str:
    return parse_image_ref(value)[0]


def image_digest(value: str) -> str:
    return parse_image_ref(value)[2]


def _image_ref(value: str) -> str:
    parse_image_ref(value)
    return value


def _digest(value: str) -> str:
    if not _DIGEST.fullmatch(value):
        raise ValueError("must be a sha256 digest, 'sha256:' followed by 64 lower-case hex characters")
    return value


_BCP47 = re.compile(r"[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?")


def _bcp47(value: str) -> str:
    if not _BCP47.fullmatch(value):
        raise ValueError(
            "must be a BCP-47 tag: language[-Script][-REGION], such as 'de', 'de-DE' or 'sr-Latn-RS'"
        )
    return value


CountryCode = Annotated[str, AfterValidator(_country_code)]
Cidr = Annotated[str, AfterValidator(_cidr)]
ImageRef = Annotated[str, AfterValidator(_image_ref)]
Sha256Digest = Annotated[str, AfterValidator(_digest)]
Bcp47Tag = Annotated[str, AfterValidator(_bcp47)]


def base_language(tag: str) -> str:
    """The language subtag of a BCP-47 tag, lower case ('de-DE' -> 'de'): what Open WebUI falls back to."""
    return tag.split("-", 1)[0].lower()


GiB = Annotated[int, Field(ge=1, le=1_048_576)]
