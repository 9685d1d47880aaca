"""The file-facing country config: what a platform team writes in ``country_configs/<cc>.yaml``.

``CountryConfig`` is a union discriminated by ``cloud``: one model per cloud (``AzureCountry`` in
``sovereign.clouds.azure.settings``, ``OciCountry`` in ``sovereign.clouds.oci.settings``), each the common
fields of :class:`~sovereign.config.base._CountryBase` plus its own section and types. The union is built from
the cloud table in ``sovereign.clouds``; validate with :data:`COUNTRY_CONFIG`. Cross-field invariants live in
``sovereign.config.invariants`` (cloud-neutral) and ``sovereign.clouds.<cloud>.invariants``.
Non-goals: no secrets (they come from stack config), no knowledge of Pulumi resources.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Union

from pydantic import Field, TypeAdapter

from sovereign.clouds import country_models
from sovereign.clouds.azure.settings import AzureCountry, AzureSettings, EgressDestination
from sovereign.clouds.oci.settings import OciCountry, OciSettings
from sovereign.config.base import (
    AccessConfig,
    AssistantConfig,
    AssistantDeployment,
    AuditLoggingConfig,
    ChatFrontEnd,
    ClusterConfig,
    GpuPool,
    Group,
    KeyCustodyConfig,
    ModelAssessment,
    ModelRecord,
    ModelRegister,
    NetworkConfig,
    PublicExposure,
    RegionsConfig,
    RegistryConfig,
    StorageConfig,
    Store,
    SubnetsConfig,
    SystemPool,
    Tags,
    Tenant,
    _CountryBase,
)

__all__ = [
    "COUNTRY_CONFIG",
    "AccessConfig",
    "AssistantConfig",
    "AssistantDeployment",
    "AuditLoggingConfig",
    "AzureCountry",
    "AzureSettings",
    "ChatFrontEnd",
    "ClusterConfig",
    "CountryConfig",
    "EgressDestination",
    "GpuPool",
    "Group",
    "KeyCustodyConfig",
    "ModelAssessment",
    "ModelRecord",
    "ModelRegister",
    "NetworkConfig",
    "OciCountry",
    "OciSettings",
    "PublicExposure",
    "RegionsConfig",
    "RegistryConfig",
    "StorageConfig",
    "Store",
    "SubnetsConfig",
    "SystemPool",
    "Tags",
    "Tenant",
    "_CountryBase",
]

if TYPE_CHECKING:
    # The type checker's view of the union; at run time it is built from the cloud table below (a test keeps
    # the two equal).
    CountryConfig = Annotated[AzureCountry | OciCountry, Field(discriminator="cloud")]
else:
    CountryConfig = Annotated[Union[country_models()], Field(discriminator="cloud")]  # noqa: UP007

COUNTRY_CONFIG: TypeAdapter[AzureCountry | OciCountry] = TypeAdapter(CountryConfig)
"""Validates a layered country mapping into the cloud's model: ``COUNTRY_CONFIG.validate_python(data)``."""
