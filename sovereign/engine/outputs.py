"""Fabricated provider outputs for the offline engine.

The mock runtime echoes a resource's inputs back as its state; anything a provider *computes* (ids, URIs,
issuer URLs, login servers) must be fabricated here, or inputs that depend on it arrive unknown and silently
vanish from the recording. Each cloud's fabrications live in their own module (``outputs_azure``,
``outputs_oci``, ``outputs_kubernetes``) as two tables: resource type token -> extra state, and invoke
token -> result. Values are deterministic (derived from names) so plans are reproducible.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sovereign.engine import outputs_azure, outputs_kubernetes, outputs_oci

__all__ = ["fabricate_call", "fabricate_resource"]

ResourceFabricator = Callable[[str, dict[str, Any]], dict[str, Any]]
CallFabricator = Callable[[dict[str, Any]], dict[str, Any]]

_RESOURCES: dict[str, ResourceFabricator] = {
    **outputs_azure.RESOURCES,
    **outputs_oci.RESOURCES,
    **outputs_kubernetes.RESOURCES,
}
_CALLS: dict[str, CallFabricator] = {**outputs_azure.CALLS, **outputs_oci.CALLS, **outputs_kubernetes.CALLS}


def _resource_id(type_token: str, name: str) -> str:
    package = type_token.split(":", 1)[0]
    if package == "azure-native":
        return outputs_azure.resource_id(type_token, name)
    if package == "oci":
        return outputs_oci.ocid(type_token, name)
    return f"{name}-id"


def fabricate_resource(type_token: str, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Return (id, state) for a newly registered resource: its inputs plus what the provider computes."""
    state = dict(inputs)
    resource_id = _resource_id(type_token, name)
    state.setdefault("id", resource_id)
    for prefix in (type_token, type_token.rsplit(":", 1)[0] + ":*", type_token.split(":", 1)[0] + ":*"):
        fabricator = _RESOURCES.get(prefix)
        if fabricator is not None:
            state = _merge_missing(state, fabricator(name, inputs))
    return resource_id, state


def _merge_missing(state: dict[str, Any], computed: dict[str, Any]) -> dict[str, Any]:
    """Add computed values the inputs do not already set; inputs always win."""
    merged = dict(state)
    for key, value in computed.items():
        if key not in merged:
            merged[key] = value
        elif isinstance(merged[key], dict) and isinstance(value, dict):
            merged[key] = _merge_missing(merged[key], value)
    return merged


def fabricate_call(token: str, args: dict[str, Any]) -> dict[str, Any]:
    """Return the result of a provider function (invoke) call."""
    fabricator = _CALLS.get(token)
    if fabricator is None:
        raise NotImplementedError(
            f"the offline engine has no fabricated result for the provider function {token!r}; "
            "add one to sovereign/engine/outputs_<cloud>.py"
        )
    return fabricator(args)
