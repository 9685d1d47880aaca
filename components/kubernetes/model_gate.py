"""The model risk gate, third line: refuse a model the risk register does not clear for this country today.

Pure (no resources). The rule itself is ``sovereign.rules.models.model_clearance``, the same function the
config validation (first line) and the ``approved-models`` plan policy (second line) call; this guard runs it
inside the inference component so that a caller who skipped config validation still cannot deploy an
unassessed, expired or unapproved model. Non-goals: loading the risk register (the config layer's job).
"""

import datetime
from dataclasses import dataclass

from sovereign.rules.models import model_clearance
from sovereign.types import ModelTier, image_digest

__all__ = ["ModelRecord", "check_model_risk"]


@dataclass(frozen=True)
class ModelRecord:
    """One model of the risk register, as the inference service needs it."""

    model_id: str
    """Register identifier, such as 'mistral-small-24b-instruct-2501'; used in messages and labels."""
    tier: ModelTier
    """Capability tier; high and critical tiers need confidential GPUs."""
    assessed_on: datetime.date | None
    """Date of the risk assessment; None means never assessed, which the gate refuses."""
    expires_on: datetime.date | None
    """Last day the assessment is valid (inclusive); None means no expiry was set, which the gate refuses."""
    approved_countries: tuple[str, ...]
    """ISO 3166-1 alpha-2 codes (lower case) of the countries the assessment covers."""
    weights_ref: str
    """Model weights as an OCI artifact ('modelcar' image) in the country's registry, pinned by digest; the
    image holds the weights under ``/models`` (KServe modelcar layout) and a POSIX shell to copy them."""
    approved_weights_digest: str
    """Digest of the weights the assessment covers (the register's ``weights_digest``); ``weights_ref`` must
    carry exactly this digest."""
    served_model_name: str
    """The name clients pass as ``model`` in OpenAI-compatible requests."""
    chat_template: str | None = None
    """The model's chat template: inline Jinja text, an absolute path of a file in the serving image, or a
    path relative to the weights directory; omitted: the template shipped with the weights
    (``chat_template.jinja`` or ``tokenizer_config.json``). The country's system prompt is put in front of it
    when the pod starts (see ``localization.py``)."""
    system_prompt_placement: str = "system"
    """Where the country's prompt goes: 'system' (a system message, for templates that render its content) or
    'first_user' (in front of the first user turn, for templates that replace or drop system content)."""
    reasoning_parser: str | None = None
    """vLLM ``--reasoning-parser`` for a model that thinks aloud; omitted: none."""


def check_model_risk(
    record: ModelRecord, *, country_code: str, as_of: datetime.date, confidential_gpu: bool
) -> None:
    """Raise ValueError listing every reason the model may not serve ``country_code`` on ``as_of``."""
    try:
        deployed: str | None = image_digest(record.weights_ref)
    except ValueError:
        deployed = None
    refusals = model_clearance(
        model_id=record.model_id,
        tier=record.tier,
        assessed_on=record.assessed_on,
        expires_on=record.expires_on,
        approved_countries=record.approved_countries,
        approved_weights_digest=record.approved_weights_digest,
        deployed_weights_digest=deployed,
        country=country_code,
        as_of=as_of,
        confidential_gpu=confidential_gpu,
    )
    if refusals:
        raise ValueError(
            f"model risk gate refused model '{record.model_id}' for country '{country_code}': "
            + "; ".join(f"{r.message}: {r.fix}" for r in refusals)
        )
