"""The seam per cloud: one package per cloud under ``sovereign.clouds``, found through one table.

Each cloud package holds the same modules: ``settings`` (its country model, ``COUNTRY``), ``invariants``
(``INVARIANTS``, the rules that concern only that cloud) and ``facts`` (registry host, storage-class
provisioner, built-in classes, cloud limits). Adding a cloud is one new folder plus one row in
:data:`CLOUD_PACKAGES` (and its value in ``sovereign.types.Cloud``).

Modules are imported lazily, on first use, and import no provider SDK: ``sovereign validate`` stays fast.
Non-goals: no Pulumi resources here; the components under ``components/<cloud>/`` build those.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from sovereign.types import Cloud

__all__ = ["CLOUD_PACKAGES", "cloud_module", "country_models"]

CLOUD_PACKAGES: dict[Cloud, str] = {
    Cloud.AZURE: "sovereign.clouds.azure",
    Cloud.OCI: "sovereign.clouds.oci",
}
"""Cloud -> the package that holds its settings, invariants and facts."""


def cloud_module(cloud: Cloud | str, name: str) -> ModuleType:
    """``cloud_module('azure', 'facts')`` -> ``sovereign.clouds.azure.facts`` (imported on first use)."""
    return importlib.import_module(f"{CLOUD_PACKAGES[Cloud(cloud)]}.{name}")


def country_models() -> tuple[Any, ...]:
    """Every cloud's country model, in table order: the members of the ``CountryConfig`` union."""
    return tuple(cloud_module(cloud, "settings").COUNTRY for cloud in CLOUD_PACKAGES)
