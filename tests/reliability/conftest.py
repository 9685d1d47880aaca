"""The plan JSON of every shipped prod stack, written once per session by the real command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sovereign.plan.stackfiles import default_stacks_dir, find_stacks
from tests.reliability.workspace import AS_OF, Workspace, run

PROD_STACKS = tuple(s.name for s in find_stacks(default_stacks_dir()) if s.environment == "prod")


def plan_json(workspace: Workspace, stacks: tuple[str, ...], out: Path) -> dict[str, dict[str, Any]]:
    """``sovereign plan STACKS --format json --out OUT`` (worker processes, all cores), read back."""
    result = run(workspace, "plan", *stacks, "--format", "json", "--out", str(out), "--as-of", AS_OF)
    assert result.code == 0, result.stderr
    return {name: json.loads((out / f"{name}.json").read_text(encoding="utf-8")) for name in stacks}


@pytest.fixture(scope="session")
def prod_plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Plan documents of the shipped prod stacks, exactly as `sovereign plan --format json` writes them."""
    shipped = Workspace(default_stacks_dir().parent)  # the repository's own country_configs/ and stacks/
    return plan_json(shipped, PROD_STACKS, tmp_path_factory.mktemp("prod-plans"))
