"""Fabricated outputs of azure-native resources and functions (see ``sovereign.engine.outputs``)."""

from __future__ import annotations

from typing import Any

MOCK_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
MOCK_TENANT = "11111111-1111-1111-1111-111111111111"


def resource_id(type_token: str, name: str) -> str:
    _, module, kind = type_token.split(":")
    return (
        f"/subscriptions/{MOCK_SUBSCRIPTION}/resourceGroups/offline/providers/"
        f"Microsoft.{module.capitalize()}/{kind}/{name}"
    )


def _named(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    # azure-native returns the Azure name as the `name` output; auto-named resources get the Pulumi name.
    return {"name": name}


RESOURCES: dict[str, Any] = {
    "azure-native:*": _named,
}

CALLS: dict[str, Any] = {
    "azure-native:authorization:getClientConfig": lambda args: {
        "clientId": "22222222-2222-2222-2222-222222222222",
        "objectId": "33333333-3333-3333-3333-333333333333",
        "subscriptionId": MOCK_SUBSCRIPTION,
        "tenantId": MOCK_TENANT,
    },
}
