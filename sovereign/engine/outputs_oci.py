"""Fabricated outputs of pulumi-oci resources and functions (see ``sovereign.engine.outputs``)."""

from __future__ import annotations

from typing import Any


def ocid(type_token: str, name: str) -> str:
    kind = type_token.rsplit(":", 1)[-1].lower()
    return f"ocid1.{kind}.oc1..offline{name.replace('-', '')}"


RESOURCES: dict[str, Any] = {}

CALLS: dict[str, Any] = {
    "oci:ObjectStorage/getNamespace:getNamespace": lambda args: {"namespace": "offlinens", "id": "offlinens"},
}
