"""The plan document contract as a model: tests validate every plan against it, and it publishes
``schema/plan.schema.json`` for tooling that consumes ``sovereign plan --format json``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["PlanCheck", "PlanDocument", "PlanResource", "PlanSummary"]


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


class PlanDocument(_Strict):
    stack: str = Field(pattern=r"^[a-z]{2}-[a-z]+$")
    country: str
    environment: str
    cloud: Literal["azure", "oci"]
    resources: list[PlanResource]
    checks: list[PlanCheck]
    summary: PlanSummary
    notes: list[str] = Field(default=[], description="Offline placeholders and other remarks for humans.")
