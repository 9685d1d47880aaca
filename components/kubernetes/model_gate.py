"""The model risk gate, second line: refuse a model the risk register does not clear for this country today.

Pure (no resources). The country config runs the same rule first; this copy runs inside the inference
component so that a caller who skipped config validation still cannot deploy an unassessed, expired or
unapproved model. Non-goals: loading the risk register (the config layer's job).
"""

import datetime
from dataclasses import dataclass

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


def check_model_risk(
    record: ModelRecord, *, country_code: str, as_of: datetime.date, confidential_gpu: bool
) -> None:
    """Raise ValueError listing every reason the model may not serve ``country_code`` on ``as_of``."""
    problems: list[str] = []
    if record.assessed_on is None:
        problems.append("it has no risk assessment (assessed_on missing): assess it and record the date")
    elif record.assessed_on > as_of:
        problems.append(
            f"its assessment is dated {record.assessed_on}, after {as_of}: fix the date in the risk register"
        )
    if record.expires_on is None:
        problems.append("its assessment has no expiry date (expires_on missing): record one")
    elif record.expires_on < as_of:
        problems.append(f"its assessment expired on {record.expires_on} (checked on {as_of}): re-assess it")
    try:
        deployed_digest = image_digest(record.weights_ref)
    except ValueError:
        deployed_digest = "none (not pinned by digest)"
    if deployed_digest != record.approved_weights_digest:
        problems.append(
            f"the weights to deploy ({deployed_digest}) are not the assessed ones "
            f"({record.approved_weights_digest}): deploy the artifact with the register's digest"
        )
    if country_code not in record.approved_countries:
        approved = ", ".join(record.approved_countries) or "none"
        problems.append(
            f"the assessment does not cover country '{country_code}' (approved: {approved}): extend the "
            "assessment to this country or pick another model"
        )
    if record.tier.needs_confidential_gpu and not confidential_gpu:
        problems.append(
            f"its capability tier '{record.tier.value}' requires confidential GPUs, and this service does "
            "not run on them: use confidential GPU nodes or a lower-tier model"
        )
    if problems:
        raise ValueError(
            f"model risk gate refused model '{record.model_id}' for country '{country_code}': "
            + "; ".join(problems)
        )
