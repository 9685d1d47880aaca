"""The plan document contract as a model: tests validate every plan against it, and it publishes
``schema/plan.schema.json`` for tooling that consumes ``sovereign plan --format json``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["PlanCheck", "PlanDocument", "PlanModel", "PlanResource", "PlanSummary"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlanResource(_Strict):
    urn: str = Field(pattern=r"^urn:pulumi:")
    type: str
    name: str
    custom: bool
    parent: str | None
    provider: str | None
    protect: bool
    dependencies: list[str]
    inputs: dict[str, Any] = Field(description="Wire-named inputs; secret values are the string '[secret]'.")
    retain_on_delete: bool
    aliases: list[str]


class PlanCheck(_Strict):
    policy: str
    status: Literal["pass", "fail"]
    urn: str | None
    message: str


class PlanSummary(_Strict):
    resources: int = Field(ge=0)
    checks_failed: int = Field(ge=0)


class PlanModel(_Strict):
    """The register record of a model the stack deploys, as the risk gate cleared it (``sovereign diff`` shows a
    change of an approval as a sovereignty change, though no resource changes with it)."""

    model: str
    deployments: list[str] = Field(description="Assistant deployments serving it, sorted.")
    capability_tier: str
    weights_digest: str
    approved_countries: list[str] = Field(description="Sorted.")
    assessed_on: str = Field(description="ISO date.")
    expires_on: str = Field(description="ISO date.")
    approvers: list[str] = Field(description="As written, sorted by their normalised e-mail address.")
    report: str | None


class PlanDocument(_Strict):
    stack: str = Field(pattern=r"^[a-z]{2}-[a-z]+$")
    country: str
    environment: str
    cloud: Literal["azure", "oci"]
    resources: list[PlanResource]
    checks: list[PlanCheck]
    summary: PlanSummary
    notes: list[str] = Field(default=[], description="Offline placeholders and other remarks for humans.")
    models: list[PlanModel] = Field(
        default=[],
        description="Register records of the deployed models, by model id (an addition to the keys).",
    )
