"""The ``azure-names`` rule: every Azure name the plan would send, explicit or auto, is one Azure accepts.

A name that breaks its type's rule fails ``pulumi preview`` (azure-native checks the API pattern) or the
first ``pulumi up`` (Azure checks the rest), so the offline plan refuses it first. Resources without an
explicit name get azure-native's auto-name (``sovereign.clouds.azure.naming.auto_name``: the Pulumi name + 8
random hex characters); globally unique types must carry an explicit name, because a random suffix gives a
different physical name on every new stack and cannot be reviewed in the plan. An azure-native type without
a row in the rules table fails too: the check never passes a type it does not know.
"""

from __future__ import annotations

from collections.abc import Iterator

from sovereign.clouds.azure.naming import NAME_RULES_PAGE, RULES, auto_name, name_problem
from sovereign.policies.model import Finding, PolicyContext, ResourceView, Rule

__all__ = ["AZURE_NAME_RULES"]


def _is_azure_resource(r: ResourceView) -> bool:
    return r.custom and r.type.startswith("azure-native:")


def _names(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    for r in resources:
        rule = RULES.get(r.type)
        if rule is None:
            yield Finding(
                f"no Azure naming rule is known for {r.type}: add its row (length, characters, source) to "
                "sovereign/clouds/azure/naming.py RULES from Microsoft's naming rules page",
                r.urn,
            )
            continue
        explicit = r.get(rule.name_input)
        if explicit is None:
            name = auto_name(r.name, r.urn, rule.auto_name)
            if rule.is_global:
                problem = name_problem(rule, name)
                yield Finding(
                    f"{rule.name_input} is not set: azure-native would auto-name this globally unique "
                    f"{r.type.split(':')[-1]} '{r.name}' + 8 random characters"
                    + (f" ({problem})" if problem else "")
                    + "; set an explicit, deterministic name",
                    r.urn,
                )
                continue
            origin = f"auto-name (Pulumi name '{r.name}' + 8 random characters, as azure-native names it)"
        elif isinstance(explicit, str):
            name, origin = explicit, rule.name_input
        else:
            continue  # an unresolved Output in a real preview: Azure checks it at create time
        problem = name_problem(rule, name)
        if problem:
            source = NAME_RULES_PAGE if rule.source == "resource-name-rules" else rule.source
            yield Finding(
                f"{origin}: {problem} ({source}); set {rule.name_input} explicitly to a name within the rule",
                r.urn,
            )


AZURE_NAME_RULES: tuple[Rule, ...] = (
    Rule(
        "azure-names",
        "Every Azure resource name, explicit or auto-named, is one Azure accepts for its type.",
        _names,
        _is_azure_resource,
        sovereignty=False,
        reads=("name", "inputs.*Name", "inputs.name", "inputs.resourceName"),
    ),
)
