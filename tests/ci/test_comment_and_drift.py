"""The sticky PR comment assembly and the drift report, as the workflows call them (``sovereign ci ...``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sovereign.ci.comment import COMMENT_MARKER, MAX_COMMENT_CHARS, assemble_comment
from sovereign.ci.drift import DriftedResource, drift_marker, parse_preview, render_drift_issue
from sovereign.config.errors import ConfigError

STACK_URN = "urn:pulumi:de-prod::sovereign-ai::pulumi:pulumi:Stack::sovereign-ai-de-prod"
VAULT_URN = (
    "urn:pulumi:de-prod::sovereign-ai::sovereign:azure:KeyCustody$azure-native:keyvault:Vault"
    "::de-prod-custody-vault"
)
POOL_URN = "urn:pulumi:de-prod::sovereign-ai::azure-native:containerservice:AgentPool::de-prod-aks-h100-pool"


def _sovereign(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SOVEREIGN_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "sovereign", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_the_comment_starts_with_its_marker_and_holds_every_stack() -> None:
    text = assemble_comment([("de-prod", "plan de\n"), ("fr-prod", "plan fr\n")], details_url="https://run/1")
    assert text.startswith(COMMENT_MARKER + "\n")
    assert "2 stack(s) affected: `de-prod`, `fr-prod` ([full output](https://run/1))" in text
    assert "<details><summary><b>de-prod</b></summary>\n\nplan de\n\n</details>" in text
    assert text.index("de-prod</b>") < text.index("fr-prod</b>")


def test_no_affected_stack_still_updates_the_comment() -> None:
    assert (
        assemble_comment([])
        == f"{COMMENT_MARKER}\n## Sovereign plan\n\nNo stack is affected by this change.\n"
    )


def test_sections_over_githubs_limit_are_named_not_cut() -> None:
    big = "x" * 40_000
    text = assemble_comment(
        [("a-prod", big), ("b-prod", big), ("c-prod", "small")], details_url="https://run/2"
    )
    assert len(text) <= MAX_COMMENT_CHARS
    assert "<b>a-prod</b>" in text and "<b>c-prod</b>" in text and "<b>b-prod</b>" not in text
    assert "**1 stack(s) left out** (GitHub limits a comment to 65,536 characters): `b-prod`" in text


def test_pr_comment_command_reads_a_folder_of_sections(tmp_path: Path) -> None:
    (tmp_path / "sections").mkdir()
    (tmp_path / "sections" / "jp-prod.md").write_text("## jp\n", encoding="utf-8")
    out = tmp_path / "comment.md"
    result = _sovereign("ci", "pr-comment", str(tmp_path / "sections"), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8").startswith(
        f"{COMMENT_MARKER}\n## Sovereign plan\n\n1 stack(s) affected"
    )
    missing = _sovereign("ci", "pr-comment", str(tmp_path / "nowhere"))
    assert (
        missing.returncode == 2 and "is not a folder" in missing.stderr and "Traceback" not in missing.stderr
    )


def _digest(tmp_path: Path, steps: list[dict[str, object]]) -> Path:
    path = tmp_path / "preview.json"
    path.write_text(json.dumps({"steps": steps, "changeSummary": {}}), encoding="utf-8")
    return path


def test_drift_is_every_step_that_would_change_something(tmp_path: Path) -> None:
    preview = _digest(
        tmp_path,
        [
            {"op": "same", "urn": STACK_URN},
            {"op": "update", "urn": VAULT_URN, "diffReasons": ["properties.networkAcls"]},
            {"op": "create", "urn": POOL_URN},
            {"op": "refresh", "urn": POOL_URN},
            {"op": "replace", "urn": POOL_URN + "2", "replaceReasons": ["vmSize"], "detailedDiff": {"x": {}}},
        ],
    )
    drifted = parse_preview(preview)
    assert drifted == [
        DriftedResource(POOL_URN, "create", ()),
        DriftedResource(POOL_URN + "2", "replace", ("vmSize",)),
        DriftedResource(VAULT_URN, "update", ("properties.networkAcls",)),
    ]
    assert (drifted[2].type, drifted[2].name) == ("azure-native:keyvault:Vault", "de-prod-custody-vault")


def test_a_clean_preview_has_no_drift(tmp_path: Path) -> None:
    assert parse_preview(_digest(tmp_path, [{"op": "same", "urn": STACK_URN}])) == []


def test_a_preview_that_did_not_finish_is_an_error_not_a_clean_bill(tmp_path: Path) -> None:
    failed = tmp_path / "preview.json"
    failed.write_text(json.dumps({"diagnostics": [{"message": "error: 403 Forbidden"}]}), encoding="utf-8")
    with pytest.raises(ConfigError, match="the preview did not finish: error: 403 Forbidden"):
        parse_preview(failed)
    failed.write_text("error: could not log in\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a preview JSON document"):
        parse_preview(failed)


def test_the_issue_names_the_stack_and_the_drifted_resources() -> None:
    body = render_drift_issue(
        "de-prod",
        [DriftedResource(VAULT_URN, "update", ("properties.networkAcls",))],
        run_url="https://run/3",
    )
    assert body.startswith(drift_marker("de-prod") + "\nStack **de-prod** differs from its declared state")
    assert (
        "| `update` | `azure-native:keyvault:Vault` | `de-prod-custody-vault` | `properties.networkAcls` |"
        in body
    )
    assert "[the nightly drift check](https://run/3)" in body


def test_drift_report_command_exit_codes(tmp_path: Path) -> None:
    clean = _sovereign(
        "ci", "drift-report", "de-prod", str(_digest(tmp_path, [{"op": "same", "urn": STACK_URN}]))
    )
    assert (clean.returncode, clean.stdout) == (0, "")
    out = tmp_path / "issue.md"
    drifted = _sovereign(
        "ci",
        "drift-report",
        "de-prod",
        str(_digest(tmp_path, [{"op": "update", "urn": VAULT_URN, "diffReasons": ["tags"]}])),
        "--out",
        str(out),
    )
    assert drifted.returncode == 1, drifted.stderr
    assert "`de-prod-custody-vault` | `tags` |" in out.read_text(encoding="utf-8")
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    invalid = _sovereign("ci", "drift-report", "de-prod", str(tmp_path / "bad.json"))
    assert invalid.returncode == 2 and "not a preview JSON document" in invalid.stderr
