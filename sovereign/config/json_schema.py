"""JSON Schemas for editors (``sovereign schema``): country files and the model register.

The country schema is a ``oneOf`` with a ``discriminator`` on ``cloud``: one variant per cloud, so completion
offers the ``azure`` section in an Azure file and ``oci`` plus ``subnets.pods`` in an OCI file. The root lists
every key some variant allows (``additionalProperties: false`` catches typos before a variant is chosen).
A country file is one layer of several (defaults, country, environment overrides), so any single file may omit
settings another layer provides: the schema keeps every type, enum, pattern, description and
``additionalProperties: false`` but drops ``required``. The full check, with layering and every invariant, is
``sovereign validate``.
"""

from __future__ import annotations

import copy
from typing import Any

from sovereign.config.schema import COUNTRY_CONFIG, ModelRegister

__all__ = ["country_file_schema", "models_file_schema"]

_INJECTED = ("country", "environment")


def _without_required(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_required(v) for k, v in node.items() if k != "required"}
    if isinstance(node, list):
        return [_without_required(v) for v in node]
    return node


def _environments() -> dict[str, Any]:
    layer = {"type": "object", "description": "Overrides merged onto the country file for this environment."}
    return {
        "type": "object",
        "description": "Per-environment overrides; 'prod' is required, 'staging' optional ('{}' for none).",
        "properties": {"prod": layer, "staging": layer},
        "additionalProperties": False,
    }


def country_file_schema() -> dict[str, Any]:
    generated = _without_required(COUNTRY_CONFIG.json_schema())
    defs: dict[str, Any] = generated["$defs"]
    root_properties: dict[str, Any] = {}
    variants = [defs[ref["$ref"].rsplit("/", 1)[1]] for ref in generated["oneOf"]]
    for variant in variants:
        for injected in _INJECTED:
            variant["properties"].pop(injected, None)
        variant["properties"]["environments"] = _environments()
        for key, value in variant["properties"].items():
            if key not in root_properties:
                root_properties[key] = copy.deepcopy(value)
            elif root_properties[key] != value:
                # Differs per cloud (its own types): the chosen variant describes it.
                root_properties[key] = {"description": value.get("description", "")}
    cloud_values = [v["properties"]["cloud"]["const"] for v in variants]
    root_properties["cloud"] = {
        "enum": cloud_values,
        "description": variants[0]["properties"]["cloud"].get("description", ""),
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Sovereign AI country file",
        "type": "object",
        "properties": root_properties,
        "additionalProperties": False,
        "oneOf": generated["oneOf"],
        "discriminator": generated["discriminator"],
        "$defs": defs,
    }


def models_file_schema() -> dict[str, Any]:
    schema = ModelRegister.model_json_schema()
    schema["title"] = "Sovereign AI model risk register"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
