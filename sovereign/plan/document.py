"""The plan document: the JSON contract of ``sovereign plan --format json`` (other tooling depends on it).

One document per stack::

    {"stack", "country", "environment", "cloud",
     "resources": [{"urn", "type", "name", "custom", "parent", "provider", "protect", "dependencies", "inputs",
                    "retain_on_delete", "aliases"}],
     "checks": [{"policy", "status": "pass"|"fail", "urn", "message"}],
     "summary": {"resources", "checks_failed"},
     "notes": [...],
     "models": [{"model", "deployments", "capability_tier", "weights_digest", "approved_countries",
                 "assessed_on", "expires_on", "approvers", "report"}]}

``inputs`` are wire-named; secret values are replaced by ``"[secret]"``. ``retain_on_delete``, ``aliases``,
``notes`` and ``models`` are additions to the contract's keys, never replacements. ``models`` holds the register
records of the deployed models (sorted, so a reordered register is no change): an approval lives in
models.yaml, not in any resource, and ``sovereign diff`` compares it there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sovereign.config.identity import email_identity
from sovereign.config.schema import CountryConfig, ModelRegister
from sovereign.engine.recorder import Recording
from sovereign.plan.contract import PlanCheck, PlanDocument, PlanModel, PlanResource, PlanSummary
from sovereign.plan.stackfiles import StackFile

__all__ = ["build_document", "checks_failed", "deployed_models"]


def build_document(
    stack: StackFile,
    config: CountryConfig,
    recording: Recording,
    checks: Iterable[PlanCheck | Mapping[str, Any]],
    *,
    placeholder_secrets: list[str] | None = None,
    notes: Iterable[str] = (),
    register: ModelRegister | None = None,
) -> PlanDocument:
    """The plan document of one stack, validated against the contract as it is built.

    Callers that need the JSON form use ``.model_dump(mode="json")``: its keys come in the contract's field
    order, which is the published order of ``sovereign plan --format json``.
    """
    resources = [
        PlanResource(
            urn=r.urn,
            type=r.type,
            name=r.name,
            custom=r.custom,
            parent=r.parent,
            provider=r.provider,
            protect=r.protect,
            dependencies=sorted(set(r.dependencies)),
            inputs=r.inputs,
            retain_on_delete=r.retain_on_delete,
            aliases=sorted(r.aliases),
        )
        # Registrations arrive in asyncio completion order, which varies run to run; sort for reproducible plans.
        for r in sorted(recording.registrations, key=lambda r: r.urn)
    ]
    plan_checks = [c if isinstance(c, PlanCheck) else PlanCheck.model_validate(c) for c in checks]
    placeholder_notes = [
        f"{key}: no value in {stack.path.name}; the offline plan used a placeholder. Before `pulumi up`, run "
        f"`pulumi config set --secret {key.split(':', 1)[1]} <value> -s {stack.name}`."
        for key in placeholder_secrets or []
    ]
    return PlanDocument(
        stack=stack.name,
        country=config.country,
        environment=config.environment.value,
        cloud=config.cloud.value,
        resources=resources,
        checks=plan_checks,
        summary=PlanSummary(
            resources=len(resources), checks_failed=sum(1 for c in plan_checks if c.status == "fail")
        ),
        notes=[*placeholder_notes, *notes],
        models=deployed_models(config, register) if register is not None else [],
    )


def deployed_models(config: CountryConfig, register: ModelRegister) -> list[PlanModel]:
    """The register records of the models ``config`` deploys, by model id (a model not in the register has none:
    validation refuses it before a plan)."""
    serving: dict[str, list[str]] = {}
    for d in config.assistant.deployments if config.assistant else []:
        serving.setdefault(d.model, []).append(d.name)
    out = []
    for model_id in sorted(serving):
        record = register.find(model_id)
        if record is None:
            continue
        a = record.assessment
        out.append(
            PlanModel(
                model=record.id,
                deployments=sorted(serving[model_id]),
                capability_tier=record.capability_tier.value,
                weights_digest=record.weights_digest,
                approved_countries=sorted(record.approved_countries),
                assessed_on=a.assessed_on.isoformat(),
                expires_on=a.expires_on.isoformat(),
                approvers=sorted(a.approvers, key=lambda e: (email_identity(e), e)),
                report=a.report,
            )
        )
    return out


def checks_failed(document: PlanDocument | Mapping[str, Any]) -> int:
    """Failed checks of a document, typed or in its JSON form."""
    if isinstance(document, PlanDocument):
        return document.summary.checks_failed
    return sum(1 for c in document["checks"] if c["status"] == "fail")
