"""The model risk gate, written once: may this model, with these weights, serve this country on this date?

Called by the config invariant ``models_are_approved`` (first line: ``sovereign validate``), by the plan policy
``approved-models`` (second line: the plan and the policy pack) and by the inference component's guard (third
line, for callers that skipped validation). Each turns the :class:`Refusal` s into its own report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from sovereign.types import ModelTier

__all__ = ["REGISTER_APPROVAL_FIELDS", "Refusal", "model_clearance"]

REGISTER_APPROVAL_FIELDS = (
    "capability_tier",
    "weights_digest",
    "approved_countries",
    "assessed_on",
    "expires_on",
    "approvers",
)
"""The fields of a register record the gate clears a model by: the plan document's ``models`` section carries
them and a change of any is sovereignty-relevant in ``sovereign diff`` (the approved-models rule reads them)."""

Aspect = Literal["assessment", "approvers", "country", "tier", "weights"]


@dataclass(frozen=True)
class Refusal:
    aspect: Aspect
    """What is wrong: the assessment's dates or approvers, the country, the capability tier, or the weights."""
    message: str
    fix: str


def model_clearance(
    *,
    model_id: str,
    tier: ModelTier,
    assessed_on: dt.date | None,
    expires_on: dt.date | None,
    approved_countries: Collection[str],
    approved_weights_digest: str,
    deployed_weights_digest: str | None,
    country: str,
    as_of: dt.date,
    confidential_gpu: bool,
    approvers: Collection[str] | None = None,
) -> list[Refusal]:
    """Every reason the model may not serve ``country`` on ``as_of`` (empty: cleared). ``approvers`` (the
    assessment's signatories; None where the caller holds only the dates) must be two distinct people."""
    refusals: list[Refusal] = []
    # Lazily: the rules layer takes plain values and loads no config models at import.
    from sovereign.config.identity import email_identity

    if approvers is not None and len({email_identity(a) for a in approvers}) < 2:
        refusals.append(
            Refusal(
                "approvers",
                f"the assessment of '{model_id}' is signed by fewer than two distinct people "
                f"({', '.join(approvers) or 'nobody'})",
                "have a second, different person sign the assessment in models.yaml",
            )
        )
    if assessed_on is None or expires_on is None:
        refusals.append(
            Refusal(
                "assessment",
                f"'{model_id}' has no complete risk assessment",
                "record assessed_on and expires_on",
            )
        )
    elif not assessed_on <= as_of <= expires_on:
        refusals.append(
            Refusal(
                "assessment",
                f"the assessment of '{model_id}' is valid {assessed_on} to {expires_on}, not on {as_of}",
                "renew the assessment in models.yaml",
            )
        )
    if country not in approved_countries:
        refusals.append(
            Refusal(
                "country",
                f"'{model_id}' is not approved for '{country}' (approved: {', '.join(approved_countries) or 'none'})",
                "get it assessed for this country, or deploy another model",
            )
        )
    if tier.needs_confidential_gpu and not confidential_gpu:
        refusals.append(
            Refusal(
                "tier",
                f"'{model_id}' is tier '{tier.value}', which runs only on confidential GPUs",
                "set cluster.confidential_tier: confidential_gpu, or deploy a lower-tier model",
            )
        )
    if deployed_weights_digest != approved_weights_digest:
        refusals.append(
            Refusal(
                "weights",
                f"the weights of '{model_id}' ({deployed_weights_digest or 'not pinned by digest'}) are not the "
                f"assessed ones ({approved_weights_digest})",
                "mirror the approved artifact and pin its digest",
            )
        )
    return refusals
