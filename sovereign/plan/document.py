"""The plan document: the JSON contract of ``sovereign plan --format json`` (other tooling depends on it).

One document per stack::

    {"stack", "country", "environment", "cloud",
     "resources": [{"urn", "type", "name", "custom", "parent", "provider", "protect", "dependencies", "inputs",
                    "retain_on_delete", "aliases"}],
     "checks": [{"policy", "status": "pass"|"fail", "urn", "message"}],
     "summary": {"resources", "checks_failed"},
     "notes": [...]}

``inputs`` are wire-named; secret values are replaced by ``"[secret]"``. ``retain_on_delete``, ``aliases`` and
``notes`` are additions to the contract's keys, never replacements.
"""

from __future__ import annotations

from typing import Any

from sovereign.config.schema import CountryConfig
from sovereign.engine.recorder import Recording
from sovereign.plan.stackfiles import StackFile

__all__ = ["build_document", "checks_failed"]


def build_document(
    stack: StackFile,
    config: CountryConfig,
    recording: Recording,
    checks: list[dict[str, Any]],
    *,
    placeholder_secrets: list[str] | None = None,
) -> dict[str, Any]:
    resources = [
        {
            "urn": r.urn,
            "type": r.type,
            "name": r.name,
            "custom": r.custom,
            "parent": r.parent,
            "provider": r.provider,
            "protect": r.protect,
            "dependencies": sorted(set(r.dependencies)),
            "inputs": r.inputs,
            "retain_on_delete": r.retain_on_delete,
            "aliases": sorted(r.aliases),
        }
        # Registrations arrive in asyncio completion order, which varies run to run; sort for reproducible plans.
        for r in sorted(recording.registrations, key=lambda r: r.urn)
    ]
    notes = [
        f"{key}: no value in {stack.path.name}; the offline plan used a placeholder. Before `pulumi up`, run "
        f"`pulumi config set --secret {key.split(':', 1)[1]} <value> -s {stack.name}`."
        for key in placeholder_secrets or []
    ]
    return {
        "stack": stack.name,
        "country": config.country,
        "environment": config.environment.value,
        "cloud": config.cloud.value,
        "resources": resources,
        "checks": checks,
        "summary": {"resources": len(resources), "checks_failed": checks_failed({"checks": checks})},
        "notes": notes,
    }


def checks_failed(document: dict[str, Any]) -> int:
    return sum(1 for c in document["checks"] if c["status"] == "fail")
