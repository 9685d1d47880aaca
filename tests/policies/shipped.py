"""Plans of shipped stacks and one rule's failures on them: what the rule tests built from real plans share."""

from __future__ import annotations

from typing import Any

from sovereign.plan.runner import plan_stacks
from sovereign.plan.stackfiles import default_stacks_dir, find_stacks
from sovereign.policies import ALL_RULES, PolicyContext, ResourceView, evaluate
from tests.config.helpers import AS_OF, CONFIG_DIR


def shipped_plans(*names: str) -> dict[str, dict[str, Any]]:
    """The plan documents of the named shipped stacks, planned in parallel workers, by stack name."""
    stacks = [s for s in find_stacks(default_stacks_dir()) if s.name in names]
    assert len(stacks) == len(names), names
    return {d["stack"]: d for d in plan_stacks(stacks, as_of=AS_OF, config_dir=CONFIG_DIR)}


def rule_failures(rule_id: str, ctx: PolicyContext, views: list[ResourceView]) -> list[str]:
    """The messages of the rule's failing checks (the rule must exist)."""
    rules = [r for r in ALL_RULES if r.id == rule_id]
    assert rules, rule_id
    return [c["message"] for c in evaluate(rules, ctx, views) if c["status"] == "fail"]
