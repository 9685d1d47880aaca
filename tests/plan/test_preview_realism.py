"""The offline plan as a first ``pulumi preview`` of a new stack sees it (``plan_stack(preview=True)``): no id
or provider-computed output is known, ``pulumi.runtime.is_dry_run()`` is true, invokes still answer.

Every shipped stack must declare exactly the same resources then as in the full offline plan: a resource
created inside an ``apply`` on a computed output, or one that exists only because the mocks fabricated a value,
would be missing from (or different in) the real first preview that reviewers approve.
"""

from __future__ import annotations

from typing import Any

import pytest

from sovereign.plan.runner import PREVIEW_NOTE, plan_stacks
from sovereign.plan.stackfiles import default_stacks_dir, find_stacks
from tests.config.helpers import AS_OF, CONFIG_DIR

pytestmark = pytest.mark.slow

STACKS = [s.name for s in find_stacks(default_stacks_dir())]


@pytest.fixture(scope="module")
def previews() -> dict[str, dict[str, Any]]:
    stacks = find_stacks(default_stacks_dir())
    return {d["stack"]: d for d in plan_stacks(stacks, as_of=AS_OF, config_dir=CONFIG_DIR, preview=True)}


@pytest.mark.parametrize("stack", STACKS)
def test_a_first_preview_declares_the_same_resources(
    stack: str, plans: dict[str, dict[str, Any]], previews: dict[str, dict[str, Any]]
) -> None:
    full = {r["urn"] for r in plans[stack]["resources"]}
    preview = {r["urn"] for r in previews[stack]["resources"]}
    assert preview == full, (
        f"only in the full plan: {sorted(full - preview)}; only in the preview: {sorted(preview - full)}"
    )


@pytest.mark.parametrize("stack", STACKS)
def test_the_preview_says_what_it_is_and_knows_no_computed_value(
    stack: str, previews: dict[str, dict[str, Any]]
) -> None:
    document = previews[stack]
    assert PREVIEW_NOTE in document["notes"]
    assert "[unknown]" in str([r["inputs"] for r in document["resources"]])
