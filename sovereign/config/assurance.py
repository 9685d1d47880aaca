"""Invariants that hold on the merged config of every environment, whatever an override says, on every cloud.

Validation layers ``_defaults.yaml``, the country file and ``environments.<env>`` and runs every invariant on
each merged environment (``sovereign.config.loader``), so these checks see what an override left: an override
that removes the audit-log store (``{name: audit, remove: true}``), turns its purpose into another, stretches
its retention to a century or writes padding where a reason belongs is refused at the override's line (the
merged location of a setting is the last layer that wrote it). Cloud-specific halves of the same controls
(Azure versioning and egress, OCI lock dates and API ranges) are in ``sovereign.clouds.<cloud>.invariants``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sovereign.config.base import ModelRegister
from sovereign.config.errors import Violation
from sovereign.config.limits import (
    MAX_AUDIT_RETENTION_DAYS,
    MIN_ALLOW_LIST_PREFIX_LENGTH,
    MIN_AUDIT_RETENTION_DAYS,
    MIN_PUBLIC_EXPOSURE_JUSTIFICATION_CHARS,
)
from sovereign.config.schema import CountryConfig
from sovereign.config.text import justification_problem
from sovereign.rules.allow_lists import cidr_entry_problem
from sovereign.types import StorePurpose

__all__ = [
    "ASSURANCE_INVARIANTS",
    "audit_trail_survives_layering",
    "reasons_say_something",
    "retention_has_an_end",
]


def audit_trail_survives_layering(
    c: CountryConfig, register: ModelRegister, as_of: dt.date
) -> Iterator[Violation]:
    """Every environment keeps at least one audit-log store: an override that removes it or changes its purpose
    would leave the environment without its immutable, customer-keyed audit trail (each audit-log store's
    retention, immutability and keys are checked by the other invariants on the same merged config)."""
    if any(s.purpose == StorePurpose.AUDIT_LOGS for s in c.storage.stores):
        return
    stores = ", ".join(f"{s.name} ({s.purpose})" for s in c.storage.stores) or "none"
    yield Violation(
        ("storage", "stores"),
        f"no audit-log store after layering (stores: {stores}; allowed: at least one store with purpose "
        "audit_logs in every environment)",
        "keep the audit-log store in this environment: drop the override's '{name: <store>, remove: true}' or "
        "its change of 'purpose' (an environment may change an audit store's settings, not remove it)",
    )


def retention_has_an_end(c: CountryConfig, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """Audit logs and audit-log stores are kept at most ``MAX_AUDIT_RETENTION_DAYS`` (ten years): audit records
    name people, data protection keeps personal data no longer than necessary, and a locked retention can only
    grow (``sovereign.config.limits``). The lower bound is ``audit_logs_retained``'s."""
    days = c.audit_logging.retention_days
    if days > MAX_AUDIT_RETENTION_DAYS:
        yield Violation(
            ("audit_logging", "retention_days"),
            f"{days} days (allowed: {MIN_AUDIT_RETENTION_DAYS}-{MAX_AUDIT_RETENTION_DAYS}): audit logs name "
            "people, and keeping them longer than needed breaks data protection's storage limitation",
            f"use the retention your records law requires, at most {MAX_AUDIT_RETENTION_DAYS} days",
        )
    for i, s in enumerate(c.storage.stores):
        if s.purpose == StorePurpose.AUDIT_LOGS and (s.retention_days or 0) > MAX_AUDIT_RETENTION_DAYS:
            yield Violation(
                ("storage", "stores", i, "retention_days"),
                f"{s.retention_days} days of locked retention for '{s.name}' (allowed: {MIN_AUDIT_RETENTION_DAYS}-"
                f"{MAX_AUDIT_RETENTION_DAYS}): once locked it can never be shortened, so the audit records would "
                "outlive any lawful purpose",
                f"use the retention your records law requires, at most {MAX_AUDIT_RETENTION_DAYS} days (e.g. 2555 "
                "for seven years)",
            )


def reasons_say_something(c: CountryConfig, register: ModelRegister, as_of: dt.date) -> Iterator[Violation]:
    """The public-exposure justification has substance (``sovereign.config.text``: not padding, placeholders or
    one word repeated), and the chat's identity-provider ranges are no whole private block (the /16 bound is
    ``chat_is_contained``'s)."""
    if c.assistant is None:
        return
    chat = c.assistant.chat
    exposure = chat.public_exposure
    if exposure is not None:
        problem = justification_problem(
            exposure.justification, min_chars=MIN_PUBLIC_EXPOSURE_JUSTIFICATION_CHARS
        )
        if problem is not None:
            yield Violation(
                ("assistant", "chat", "public_exposure", "justification"),
                f"not a justification: {problem}",
                "say in a sentence why citizens must reach the front end from the internet (who, from where, "
                "why the government network is not enough)",
            )
    for i, cidr in enumerate(chat.identity_provider_cidrs):
        problem = cidr_entry_problem(cidr, min_prefix=MIN_ALLOW_LIST_PREFIX_LENGTH)
        if problem is not None and "whole private block" in problem:
            yield Violation(
                ("assistant", "chat", "identity_provider_cidrs", i),
                f"{problem}: the chat's egress would admit every host of the landing zone",
                "list the identity provider's own ranges",
            )


ASSURANCE_INVARIANTS = (audit_trail_survives_layering, retention_has_an_end, reasons_say_something)
"""Registered in ``sovereign.config.invariants.INVARIANTS``."""
