"""JSON Schemas for editors (``sovereign schema``): country files and the model register.

A country file is one layer of several (defaults, country, environment overrides), so any single file may
omit settings another layer provides: the file schema keeps every type, enum, pattern, description and
``additionalProperties: false`` (completion, typo detection) but drops ``required``. The full check, with
layering and every invariant, is ``sovereign validate``.
"""

from __future__ import annotations

from typing import Any

from sovereign.config.schema import CountryConfig, ModelRegister

__all__ = ["country_file_schema", "models_file_schema"]


def _without_required(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_required(v) for k, v in node.items() if k != "required"}
    if isinstance(node, list):
        return [_without_required(v) for v in node]
    return node


def country_file_schema() -> dict[str, Any]:
    schema = _without_required(CountryConfig.model_json_schema())
    for injected in ("country", "environment"):
        schema["properties"].pop(injected, None)
    layer = {"type": "object", "description": "Overrides merged onto the country file for this environment."}
    schema["properties"]["environments"] = {
        "type": "object",
        "description": "Per-environment overrides; 'prod' is required, 'staging' optional ('{}' for none).",
        "properties": {"prod": layer, "staging": layer},
        "additionalProperties": False,
    }
    schema["title"] = "Sovereign AI country file"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def models_file_schema() -> dict[str, Any]:
    schema = ModelRegister.model_json_schema()
    schema["title"] = "Sovereign AI model risk register"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
