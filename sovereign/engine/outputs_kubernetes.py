"""Fabricated outputs of pulumi-kubernetes resources (see ``sovereign.engine.outputs``)."""

from __future__ import annotations

from typing import Any


def fake_kubeconfig(cluster: str) -> str:
    """A well-formed kubeconfig for a private cluster that the offline plan never contacts (AKS and OKE
    fabricators both return it, each in its provider's encoding)."""
    return (
        "apiVersion: v1\nkind: Config\n"
        f"clusters: [{{name: {cluster}, cluster: {{server: 'https://{cluster}.private.invalid:443'}}}}]\n"
        f"contexts: [{{name: {cluster}, context: {{cluster: {cluster}, user: {cluster}}}}}]\n"
        f"current-context: {cluster}\nusers: [{{name: {cluster}, user: {{token: offline-plan}}}}]\n"
    )


def _metadata(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    # The provider auto-names objects without metadata.name; dependants (Services, bindings) read it back.
    metadata = dict(inputs.get("metadata") or {})
    metadata.setdefault("name", name)
    return {"metadata": metadata}


RESOURCES: dict[str, Any] = {"kubernetes:*": _metadata}

CALLS: dict[str, Any] = {}

RESHAPES: dict[str, Any] = {}
"""Input-to-response shape corrections (none: the echoed inputs read back as they are)."""
