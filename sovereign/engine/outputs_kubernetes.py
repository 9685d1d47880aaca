"""Fabricated outputs of pulumi-kubernetes resources (see ``sovereign.engine.outputs``)."""

from __future__ import annotations

from typing import Any


def _metadata(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    # The provider auto-names objects without metadata.name; dependants (Services, bindings) read it back.
    metadata = dict(inputs.get("metadata") or {})
    metadata.setdefault("name", name)
    return {"metadata": metadata}


RESOURCES: dict[str, Any] = {"kubernetes:*": _metadata}

CALLS: dict[str, Any] = {}
