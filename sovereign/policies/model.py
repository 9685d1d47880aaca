"""What a sovereignty rule sees and says, independent of where the resources come from.

The same rule functions run in two places: ``sovereign plan`` over the offline recording, and the Pulumi
policy pack (``policy/``) during a real ``pulumi preview``. Both adapt their resources to
:class:`ResourceView` (wire-named properties, as the engine sends them) and their country to
:class:`PolicyContext`; rules never import Pulumi.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sovereign.config.derived import allowed_regions, registry_prefix
from sovereign.config.schema import CountryConfig, ModelRegister
from sovereign.dotted import get_dotted
from sovereign.types import Environment

__all__ = ["Finding", "PolicyContext", "ResourceView", "Rule", "evaluate", "reachable_dependencies"]


def reachable_dependencies(start: Iterable[str], by_urn: Mapping[str, ResourceView]) -> frozenset[str]:
    """Every URN reachable from ``start`` through recorded dependencies (the engine creates them all first)."""
    seen: set[str] = set()
    stack = list(start)
    while stack:
        urn = stack.pop()
        if urn in seen:
            continue
        seen.add(urn)
        dep = by_urn.get(urn)
        if dep is not None:
            stack.extend(dep.dependencies)
    return frozenset(seen)


@dataclass(frozen=True)
class ResourceView:
    urn: str
    type: str
    name: str
    props: Mapping[str, Any]
    custom: bool = True
    protect: bool = False
    retain_on_delete: bool | None = None
    """None where the source cannot tell (the policy pack does not see retain-on-delete)."""
    parent: str | None = None
    provider: str | None = None
    dependencies: tuple[str, ...] = ()
    """URNs this resource waits for (explicit ``depends_on`` and the resources its inputs come from), as the
    engine records them: what ordering rules walk."""

    def get(self, path: str, default: Any = None) -> Any:
        return get_dotted(self.props, path, default)


@dataclass(frozen=True)
class PolicyContext:
    """The country a stack belongs to, as the rules need it."""

    config: CountryConfig
    register: ModelRegister
    as_of: dt.date
    allowed_regions: frozenset[str] = field(default_factory=frozenset)
    registry_prefix: str = ""

    @classmethod
    def of(cls, config: CountryConfig, register: ModelRegister, as_of: dt.date) -> PolicyContext:
        return cls(config, register, as_of, frozenset(allowed_regions(config)), registry_prefix(config))

    @property
    def is_prod(self) -> bool:
        return self.config.environment == Environment.PROD


@dataclass(frozen=True)
class Finding:
    """One violation: a message, on a resource (urn) or on the whole stack (urn None)."""

    message: str
    urn: str | None = None


RuleCheck = Callable[[PolicyContext, list[ResourceView]], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    check: RuleCheck
    applies_to: Callable[[ResourceView], bool] = field(default=lambda r: True)
    sovereignty: bool = True
    """False for rules about what the platform accepts (names, ordering, scheduling) rather than where data,
    keys and access live: ``sovereign diff`` lists only the paths sovereignty rules read first."""
    reads: tuple[str, ...] = ()
    """The resource fields the check reads, as ``fnmatch`` patterns over the plan document's flattened paths
    with list positions left out (``inputs.location``, ``inputs.spec.template.spec.containers.image``,
    ``protect``, ``provider``):
    ``sovereign diff`` calls a change sovereignty-relevant when its path matches one of them."""

    def run(self, ctx: PolicyContext, resources: list[ResourceView]) -> tuple[int, list[Finding]]:
        """(number of resources the rule looked at, findings)."""
        relevant = [r for r in resources if self.applies_to(r)]
        return len(relevant), list(self.check(ctx, relevant))


def evaluate(
    rules: Iterable[Rule], ctx: PolicyContext, resources: list[ResourceView]
) -> list[dict[str, Any]]:
    """Check records for the plan document: every failure, and one pass record per rule without failures."""
    checks: list[dict[str, Any]] = []
    for rule in rules:
        count, findings = rule.run(ctx, resources)
        if findings:
            checks += [
                {"policy": rule.id, "status": "fail", "urn": f.urn, "message": f.message} for f in findings
            ]
        else:
            checks.append(
                {"policy": rule.id, "status": "pass", "urn": None, "message": f"{count} resource(s) checked"}
            )
    return checks
