"""``sovereign plan`` end to end: formats, files, and the exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sovereign.cli import app

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SOVEREIGN_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "sovereign", *args],
        cwd=ROOT,
        env={**env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_plan_one_country_as_table_passes_with_exit_0() -> None:
    result = run("plan", "kr", "--as-of", "2026-11-22")
    assert result.returncode == 0, result.stderr
    assert "kr-prod (azure)" in result.stdout and "0 failed check(s)" in result.stdout
    assert "sovereign:azure:SovereignCluster" in result.stdout and "ManagedCluster" in result.stdout


def test_plan_json_to_files_and_markdown(tmp_path: Path) -> None:
    result = run("plan", "jp-prod", "au", "--as-of", "2026-11-22", "--format", "json", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["au-prod.json", "jp-prod.json"]
    document = json.loads((tmp_path / "jp-prod.json").read_text(encoding="utf-8"))
    assert document["stack"] == "jp-prod" and document["cloud"] == "oci"
    result = run("plan", "jp-prod", "--as-of", "2026-11-22", "--format", "markdown")
    assert result.returncode == 0, result.stderr
    assert (
        "```mermaid" in result.stdout
        and "graph TD" in result.stdout
        and "| `jp-prod` | oci |" in result.stdout
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("plan", "zz-prod"), "no stack or country 'zz-prod'"),
        (("plan", "kr-prod", "--as-of", "2028-06-01"), "not on 2028-06-01"),  # the model's assessment expired
    ],
)
def test_plan_invalid_input_exits_2_cleanly(args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert result.returncode == 2, result.stdout
    assert message in result.stderr and "Traceback" not in result.stderr


def _unboxed(text: str) -> str:
    """typer prints usage errors in a box that wraps long lines: the words, without the frame."""
    return " ".join(text.translate(str.maketrans("│╭╮╰╯─", "      ")).split())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            (),
            "Invalid value for TARGETS: no stack named — name stacks or countries (sovereign plan de-prod fr), "
            "or use --all",
        ),
        (
            ("kr", "--as-of", "2026-13-01"),
            "Invalid value for --as-of: '2026-13-01' is not a date — use YYYY-MM-DD",
        ),
    ],
)
def test_command_line_mistakes_are_usage_errors(args: tuple[str, ...], message: str) -> None:
    """typer's own usage error (`Invalid value for ...`, exit 2), before anything is read or planned."""
    result = CliRunner().invoke(app, ["plan", *args])
    assert result.exit_code == 2, result.output
    assert message in _unboxed(result.stderr)


def test_plan_exits_1_when_a_sovereignty_check_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI maps any failed check to exit 1 (the checks themselves are tested in tests/plan)."""
    from sovereign.plan import runner

    def fake_plan(stack: Any, **_: Any) -> dict[str, Any]:
        return {
            "stack": stack.name,
            "country": stack.country,
            "environment": stack.environment,
            "cloud": "azure",
            "resources": [],
            "summary": {"resources": 0, "checks_failed": 1},
            "notes": [],
            "checks": [{"policy": "residency", "status": "fail", "urn": None, "message": "outside"}],
        }

    monkeypatch.setattr(runner, "plan_stack", fake_plan)
    result = CliRunner().invoke(app, ["plan", "de-prod", "--format", "json"])
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)[0]["checks"][0]["status"] == "fail"
