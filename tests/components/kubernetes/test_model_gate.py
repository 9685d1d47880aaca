"""The model risk gate, second line: every refusal reason, and that the inference service cannot be built past it."""

import datetime

import pytest

from components.kubernetes import InferenceService, check_model_risk
from sovereign.types import ModelTier
from tests.components.kubernetes.helpers import AS_OF, REGISTRY, inference_args, model_record, record


def gate(**changes: object) -> None:
    check_model_risk(model_record(**changes), country_code="de", as_of=AS_OF, confidential_gpu=False)


def test_accepts_a_valid_assessment() -> None:
    gate()


def test_accepts_on_the_last_valid_day() -> None:
    gate(expires_on=AS_OF)


def test_rejects_missing_assessment() -> None:
    with pytest.raises(ValueError, match=r"model risk gate refused .*has no complete risk assessment"):
        gate(assessed_on=None)


def test_rejects_missing_expiry() -> None:
    with pytest.raises(
        ValueError, match=r"has no complete risk assessment: record assessed_on and expires_on"
    ):
        gate(expires_on=None)


def test_rejects_expired_assessment() -> None:
    yesterday = AS_OF - datetime.timedelta(days=1)
    with pytest.raises(ValueError, match=rf"valid 20\d\d-\d\d-\d\d to {yesterday}, not on {AS_OF}"):
        gate(expires_on=yesterday)


def test_rejects_assessment_dated_after_the_check() -> None:
    with pytest.raises(ValueError, match=r"valid 2026-12-01 to .*, not on 2026-11-22"):
        gate(assessed_on=datetime.date(2026, 12, 1))


def test_rejects_country_not_covered() -> None:
    with pytest.raises(ValueError, match=r"is not approved for 'de' \(approved: fr, gb\)"):
        gate(approved_countries=("fr", "gb"))


def test_rejects_high_tier_without_confidential_gpu() -> None:
    with pytest.raises(ValueError, match=r"is tier 'high', which runs only on confidential GPUs"):
        gate(tier=ModelTier.HIGH)


def test_accepts_high_tier_on_confidential_gpu() -> None:
    check_model_risk(
        model_record(tier=ModelTier.CRITICAL), country_code="de", as_of=AS_OF, confidential_gpu=True
    )


def test_rejects_weights_other_than_the_assessed_ones() -> None:
    other = f"{REGISTRY}/models/mistral-small@sha256:{'00' * 32}"
    with pytest.raises(ValueError, match=r"weights of .* \(sha256:0000.*\) are not the assessed ones"):
        gate(weights_ref=other)


def test_reports_every_problem_in_one_message() -> None:
    with pytest.raises(ValueError, match="model risk gate refused") as raised:
        gate(assessed_on=None, expires_on=None, approved_countries=(), tier=ModelTier.HIGH)
    message = str(raised.value)
    assert "no complete risk assessment" in message and "not approved for 'de'" in message, message
    assert "confidential GPUs" in message and message.count("; ") == 2, message


def test_inference_service_refuses_expired_model_even_without_config_validation() -> None:
    expired = model_record(expires_on=datetime.date(2026, 1, 31))

    def build() -> None:
        InferenceService("assistant", inference_args(model=expired))

    with pytest.raises(ValueError, match="to 2026-01-31, not on"):
        record(build)
