"""The rules as pulumi-policy ``StackValidationPolicy`` objects, for ``policy/__main__.py``.

Each rule becomes one mandatory stack policy. The country comes from the stack name in the resources' URNs
(``urn:pulumi:<cc>-<env>::...``), so the pack needs no configuration; the country file is loaded and
validated as of today, exactly as ``sovereign validate`` does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sovereign.config.errors import ConfigError
from sovereign.policies import ALL_RULES, PolicyContext, Rule, view_of_policy_resource

__all__ = ["build_policies", "context_for_stack"]


def context_for_stack(stack: str, as_of: dt.date | None = None) -> PolicyContext:
    from sovereign.config.loader import default_config_dir, load_country, load_register

    country, _, environment = stack.partition("-")
    as_of = as_of or dt.date.today()
    config = load_country(country, environment, as_of=as_of)
    register, problems = load_register(default_config_dir())
    if register is None:
        raise ConfigError(problems)
    return PolicyContext.of(config, register, as_of)


def _validator(rule: Rule) -> Callable[[Any, Callable[..., None]], None]:
    def validate(args: Any, report_violation: Callable[..., None]) -> None:
        resources = [view_of_policy_resource(r) for r in args.resources]
        if not resources:
            return
        stack = resources[0].urn.split("::")[0].removeprefix("urn:pulumi:")
        try:
            ctx = context_for_stack(stack)
        except ConfigError as exc:
            report_violation(f"stack {stack}: the country config is invalid:\n{exc}")
            return
        _, findings = rule.run(ctx, resources)
        for finding in findings:
            report_violation(finding.message, finding.urn)

    return validate


def build_policies() -> list[Any]:
    from pulumi_policy import EnforcementLevel, StackValidationPolicy

    return [
        StackValidationPolicy(
            name=rule.id,
            description=rule.description,
            validate=_validator(rule),
            enforcement_level=EnforcementLevel.MANDATORY,
        )
        for rule in ALL_RULES
    ]
