"""The ``oci-names`` rule: every OCI name the plan would send is one OCI accepts for its type.

OCI checks names when it creates the resource, so a name out of its type's rule (``sovereign.clouds.oci.naming
.RULES``: length, characters, with their source) fails the first ``pulumi up`` mid-way; the offline plan
refuses it first. A pulumi-oci type with neither a row in ``RULES`` nor a place in ``UNNAMED_TYPES`` fails too:
the check never passes a type it does not know. A name input left unset is reported: OCI would make up a
display name (``<type><timestamp>``) that nobody can review.
"""

from __future__ import annotations

from collections.abc import Iterator

from sovereign.clouds.oci.naming import RULES, UNNAMED_TYPES, name_problem
from sovereign.policies.model import Finding, PolicyContext, ResourceView, Rule

__all__ = ["OCI_NAME_RULES"]


def _is_oci_resource(r: ResourceView) -> bool:
    return r.custom and r.type.startswith("oci:")


def _names(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    for r in resources:
        if r.type in UNNAMED_TYPES:
            continue
        rule = RULES.get(r.type)
        if rule is None:
            yield Finding(
                f"no OCI naming rule is known for {r.type}: add a row (name input, length, characters, source) "
                "to sovereign/clouds/oci/naming.py RULES, or the type to UNNAMED_TYPES if it has no name",
                r.urn,
            )
            continue
        name = r.get(rule.name_input)
        if name is None:
            yield Finding(
                f"{rule.name_input} is not set: OCI would generate a display name; set it explicitly",
                r.urn,
            )
            continue
        if not isinstance(name, str):
            continue  # an unresolved Output in a real preview: OCI checks it at create time
        problem = name_problem(rule, name)
        if problem:
            yield Finding(
                f"{rule.name_input} {problem} ({rule.source}); shorten or rename it within the rule",
                r.urn,
            )


OCI_NAME_RULES: tuple[Rule, ...] = (
    Rule(
        "oci-names",
        "Every OCI resource name or display name is one OCI accepts for its type (length and characters).",
        _names,
        _is_oci_resource,
        sovereignty=False,
        reads=("inputs.name", "inputs.displayName"),
    ),
)
