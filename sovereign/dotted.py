"""Read a dotted path (``"properties.enableRbacAuthorization"``, ``"spec.containers.0.image"``) in plain data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["get_dotted"]


def get_dotted(node: Any, path: str, default: Any = None) -> Any:
    """Follow mapping keys and list indexes; ``default`` as soon as a step is missing."""
    for part in path.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return default
    return node
