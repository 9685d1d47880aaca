"""Integrity of the model risk register (``country_configs/models.yaml``), the risk gate's source of truth.

The register's types already refuse what a single field can get wrong (an unknown capability tier, a country
that is no ISO 3166-1 alpha-2 code, a digest that is no sha256); these checks refuse what only the record or
the whole register shows: a model id twice (the gate would clear the first record and ignore the second),
approvers that are one person spelled twice, a validity that ends before it starts or runs implausibly long,
an assessment signed after the validation date, and a country listed twice. :func:`register_serving_violations`
refuses what only the machine catalogue and the country files show: a model no single GPU node can hold (this
toolkit does not serve across nodes), and a country approved for a model none of its GPU pools can serve.
``load_register`` reports each at its line in models.yaml and refuses the register while any holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence

from sovereign.catalogue.machines import MACHINE_SIZES, MachineSize, unsupported_gpu_reason
from sovereign.config.base import ModelRecord, ModelRegister
from sovereign.config.errors import Violation
from sovereign.config.identity import distinct_people
from sovereign.config.model_serving import (
    MIN_SERVING_CONTEXT_TOKENS,
    MULTI_NODE_REASON,
    node_problem,
    usable_gib,
)

__all__ = ["MAX_ASSESSMENT_VALIDITY_DAYS", "register_serving_violations", "register_violations"]

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


def serving_context_tokens(record: ModelRecord) -> int:
    """The context a node must hold for the record: the policy floor, or the model's own maximum if shorter."""
    return min(MIN_SERVING_CONTEXT_TOKENS, record.max_context_tokens)


def register_serving_violations(
    register: ModelRegister, country_gpu_sizes: Mapping[str, Sequence[MachineSize]]
) -> Iterator[Violation]:
    """Each model fits one GPU node of the catalogue, and one node of some GPU pool of every approved country.

    ``country_gpu_sizes`` maps each country that has a file to the GPU sizes of its pools in any environment
    (``loader.country_gpu_sizes``); an approved country without a file, or without GPU pools (it builds no
    assistant), is not checked. "Fits" is ``model_serving.node_problem``: the weights' precision runs on the GPUs,
    and weights plus the KV cache of :func:`serving_context_tokens` tokens fit all the node's GPUs at 90%
    utilisation, less 2 GiB each - the formula validation applies to a deployment's replica."""
    for i, record in enumerate(register.models):
        path = ("models", i)
        tokens = serving_context_tokens(record)
        if not any(s.gpus and node_problem(record, s, tokens) is None for s in MACHINE_SIZES.values()):
            largest = max(
                (s for s in MACHINE_SIZES.values() if s.gpus and unsupported_gpu_reason(s) is None),
                key=lambda s: usable_gib(s.gpu_memory_gib, s.gpus),
            )
            yield Violation(
                (*path, "weights_size_gib"),
                f"no single GPU node in the machine catalogue can serve '{record.id}' with {tokens} tokens of "
                f"context ({node_problem(record, largest, tokens) or largest.name}): {MULTI_NODE_REASON} "
                "(allowed: a model one node holds)",
                "register a smaller or more strongly quantized artifact (fp8, mxfp4), or serve this model outside "
                "the toolkit",
            )
            continue
        for j, country in enumerate(record.approved_countries):
            sizes = {s.name: s for s in country_gpu_sizes.get(country, ())}
            problems = [node_problem(record, s, tokens) for s in sizes.values()]
            if sizes and all(problems):
                yield Violation(
                    (*path, "approved_countries", j),
                    f"'{country}' is approved for '{record.id}', but no GPU pool of country_configs/{country}.yaml "
                    f"can serve it on one node with {tokens} tokens of context: {'; '.join(p for p in problems if p)}",
                    f"approve '{record.id}' only for countries whose GPU pools hold it, add such a GPU pool to "
                    f"{country}.yaml, or register a smaller artifact",
                )
