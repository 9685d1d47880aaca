"""Integrity of the model risk register (``country_configs/models.yaml``), the risk gate's source of truth.

The register's types already refuse what a single field can get wrong (an unknown capability tier, a country
that is no ISO 3166-1 alpha-2 code, a digest that is no sha256); these checks refuse what only the record or
the whole register shows: a model id twice (the gate would clear the first record and ignore the second),
approvers that are one person spelled twice, a validity that ends before it starts or runs implausibly long,
an assessment signed after the validation date, and a country listed twice. ``load_register`` reports each at
its line in models.yaml and refuses the register while any holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sovereign.config.base import ModelRegister
from sovereign.config.errors import Violation
from sovereign.config.identity import distinct_people

__all__ = ["MAX_ASSESSMENT_VALIDITY_DAYS", "register_violations"]

MAX_ASSESSMENT_VALIDITY_DAYS = 731
"""Longest an assessment may be valid: two years (731 days spans a leap day). A policy bound set here, not a
cloud's: no regulation fixes a re-assessment period, but a model's risk picture (new jailbreaks and misuse
reports, fixes in its serving stack, the supplier's own revisions) changes within months, and the shipped
assessments run 18-19 months. A 'valid until 2099' typo or shortcut would silently take the model out of the
gate's renewal cycle; two years still leaves a board room to renew late without refusing a correct record."""


def register_violations(register: ModelRegister, as_of: dt.date | None = None) -> Iterator[Violation]:
    """Every integrity problem of ``register``; with ``as_of`` also assessments dated after it."""
    first: dict[str, int] = {}
    for i, record in enumerate(register.models):
        path = ("models", i)
        if record.id in first:
            yield Violation(
                (*path, "id"),
                f"model id '{record.id}' is already the id of models[{first[record.id]}] (allowed: each id once; "
                "the risk gate would read only the first record)",
                "merge the two records into one, or give this model its own id",
            )
        first.setdefault(record.id, i)
        a = record.assessment
        where = (*path, "assessment")
        yield from distinct_people(a.approvers, (*where, "approvers"), f"the assessment of '{record.id}'")
        days = (a.expires_on - a.assessed_on).days
        if days < 0:
            yield Violation(
                (*where, "expires_on"),
                f"expires {a.expires_on}, before it was assessed on {a.assessed_on} (allowed: on or after "
                "assessed_on)",
                "correct the dates: expires_on is the last day the signed assessment is valid",
            )
        elif days > MAX_ASSESSMENT_VALIDITY_DAYS:
            yield Violation(
                (*where, "expires_on"),
                f"valid {days} days, {a.assessed_on} to {a.expires_on} (allowed: at most "
                f"{MAX_ASSESSMENT_VALIDITY_DAYS} days, two years)",
                "set expires_on at most two years after assessed_on, and renew the assessment before then",
            )
        if as_of is not None and a.assessed_on > as_of:
            yield Violation(
                (*where, "assessed_on"),
                f"assessed on {a.assessed_on}, after the validation date {as_of} (allowed: on or before it)",
                "record the date the assessment was signed; an assessment is entered once it is signed",
            )
        seen: set[str] = set()
        for j, country in enumerate(record.approved_countries):
            if country in seen:
                yield Violation(
                    (*path, "approved_countries", j), f"'{country}' is listed twice", "remove the repeat"
                )
            seen.add(country)
