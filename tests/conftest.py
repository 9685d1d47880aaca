"""Fixtures shared across test folders."""

from __future__ import annotations

from typing import Any

import pytest

from sovereign.plan.runner import plan_stacks
from sovereign.plan.stackfiles import default_stacks_dir, find_stacks
from tests.config.helpers import AS_OF, CONFIG_DIR


@pytest.fixture(scope="session")
def plans() -> dict[str, dict[str, Any]]:
    """Every shipped stack, planned once per test session in parallel worker processes (the slowest fixture:
    shared by tests/plan and tests/verification rather than planned twice)."""
    stacks = find_stacks(default_stacks_dir())
    return {d["stack"]: d for d in plan_stacks(stacks, as_of=AS_OF, config_dir=CONFIG_DIR)}
