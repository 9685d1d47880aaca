"""Fabricated provider outputs for the offline engine.

The mock runtime echoes a resource's inputs back as its state; anything a provider *computes* (ids, URIs,
issuer URLs, login servers) must be fabricated here, or inputs that depend on it arrive unknown and silently
vanish from the recording. Each cloud's fabrications live with that cloud, in
``sovereign/clouds/<cloud>/offline.py`` (found through the cloud table, ``sovereign.clouds.cloud_module``);
the cloud-neutral Kubernetes ones stay here in ``outputs_kubernetes``. Each is a few tables: resource type
token -> extra state, invoke token -> result, and response-shape corrections applied in preview too.
Values are deterministic (derived from names) so plans are reproducible.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sovereign.clouds import CLOUD_PACKAGES, cloud_module
from sovereign.engine import outputs_kubernetes

__all__ = ["fabricate_call", "fabricate_resource", "preview_resource"]

ResourceFabricator = Callable[[str, dict[str, Any]], dict[str, Any]]
CallFabricator = Callable[[dict[str, Any]], dict[str, Any]]

_OFFLINE = tuple(cloud_module(cloud, "offline") for cloud in CLOUD_PACKAGES)
_TABLES = (*_OFFLINE, outputs_kubernetes)
_RESOURCES: dict[str, ResourceFabricator] = {k: v for m in _TABLES for k, v in m.RESOURCES.items()}
_CALLS: dict[str, CallFabricator] = {k: v for m in _TABLES for k, v in m.CALLS.items()}
_RESHAPES: dict[str, Callable[[dict[str, Any]], None]] = {
    k: v for m in _TABLES for k, v in m.RESHAPES.items()
}
_RESOURCE_IDS: dict[str, Callable[[str, str, dict[str, Any]], str]] = {
    m.PACKAGE: m.resource_id for m in _OFFLINE
}
"""Pulumi package -> the id of a new resource of it, in that cloud's real shape."""
_PHYSICAL_NAMES: dict[str, Callable[[str, str, dict[str, Any]], str]] = {
    m.PACKAGE: m.physical_name for m in _OFFLINE if hasattr(m, "physical_name")
}
"""Pulumi package -> the name the cloud gives a resource (explicit or auto-named), where the two differ."""


def _prefixes(type_token: str) -> tuple[str, str, str]:
    """Table keys that apply to a type, most specific first: the token, its module, its package."""
    return (type_token, type_token.rsplit(":", 1)[0] + ":*", type_token.split(":", 1)[0] + ":*")


def _resource_id(type_token: str, name: str, inputs: dict[str, Any]) -> str:
    package = type_token.split(":", 1)[0]
    make_id = _RESOURCE_IDS.get(package)
    if make_id is None:
        return f"{name}-id"
    physical = _PHYSICAL_NAMES.get(package)
    return make_id(type_token, physical(type_token, name, inputs) if physical else name, inputs)


def fabricate_resource(type_token: str, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Return (id, state) for a newly registered resource: its inputs plus what the provider computes."""
    state = dict(inputs)
    resource_id = _resource_id(type_token, name, inputs)
    state.setdefault("id", resource_id)
    for prefix in _prefixes(type_token):
        fabricator = _RESOURCES.get(prefix)
        if fabricator is not None:
            state = _merge_missing(state, fabricator(name, inputs))
    return resource_id, state


def preview_resource(type_token: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """The state a first preview knows of a new resource: its inputs, in the provider's response shape, and
    nothing computed (no id, no URI): every output the inputs do not set is unknown."""
    state = dict(inputs)
    for prefix in _prefixes(type_token):
        reshape = _RESHAPES.get(prefix)
        if reshape is not None:
            reshape(state)
    return state


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
            "add one to sovereign/clouds/<cloud>/offline.py"
        )
    return fabricator(args)
