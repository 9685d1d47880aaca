"""``sovereign diff`` on a real two-commit git history, and ``sovereign report``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.gitrepo import git

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2026-11-22"


def _sovereign(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SOVEREIGN_CONFIG_DIR": str(repo / "country_configs"),
        "SOVEREIGN_STACKS_DIR": str(repo / "stacks"),
        "COLUMNS": "200",
    }
    env.pop("SOVEREIGN_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "sovereign", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_diff_reports_replacements_and_sovereignty_changes_first(tmp_path: Path) -> None:
    """A platform team's repository (country files and stacks, toolkit installed) with two commits."""
    repo = tmp_path / "platform"
    shutil.copytree(ROOT / "country_configs", repo / "country_configs")
    (repo / "stacks").mkdir()
    for stack in ("Pulumi.kr-prod.yaml", "Pulumi.no-prod.yaml"):
        shutil.copy(ROOT / "stacks" / stack, repo / "stacks" / stack)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    kr = repo / "country_configs" / "kr.yaml"
    kr.write_text(
        kr.read_text(encoding="utf-8").replace("    - name: h100\n", "    - name: h100a\n"), encoding="utf-8"
    )
    no = repo / "country_configs" / "no.yaml"
    no.write_text(
        no.read_text(encoding="utf-8").replace("      redundancy: zone\n", "      redundancy: geo\n", 1),
        encoding="utf-8",
    )
    git(repo, "commit", "-q", "-am", "rename the GPU pool; geo-redundant weights")

    result = _sovereign(repo, "diff", "--base", "HEAD~1", "--format", "json", "--as-of", AS_OF)
    assert result.returncode == 0, result.stderr
    diffs = {d["stack"]: d for d in json.loads(result.stdout)}
    [replaced] = diffs["kr-prod"]["replaced"]
    assert replaced["type"] == "azure-native:containerservice:AgentPool"
    assert replaced["from"].endswith("::kr-prod-aks-h100-pool") and replaced["to"].endswith(
        "::kr-prod-aks-h100a-pool"
    )
    sku_changes = [
        c
        for cs in diffs["no-prod"]["sovereignty_changes"].values()
        for c in cs
        if c["path"] == "inputs.sku.name"
    ]
    assert [(c["before"], c["after"]) for c in sku_changes] == [("Standard_ZRS", "Standard_GRS")]
    assert diffs["no-prod"]["replaced"] == [] and diffs["no-prod"]["added"] == []

    markdown = _sovereign(repo, "diff", "--base", "HEAD~1", "--as-of", AS_OF)
    assert markdown.returncode == 0, markdown.stderr
    kr_section, no_section = markdown.stdout.split("### `kr-prod`")[1].split("### `no-prod`")
    assert "⚠️ REPLACED" in kr_section and "kr-prod-aks-h100a-pool" in kr_section
    sovereignty = no_section.index("#### Sovereignty-relevant changes")
    assert no_section.index("`inputs.sku.name`: `Standard_ZRS` → `Standard_GRS`") > sovereignty


def test_diff_unknown_ref_exits_2(tmp_path: Path) -> None:
    result = _sovereign(ROOT, "diff", "--base", "no-such-ref-xyz", "kr-prod")
    assert result.returncode == 2 and "'no-such-ref-xyz' is not a commit here" in result.stderr


def test_report_markdown_and_json(tmp_path: Path) -> None:
    out = tmp_path / "evidence" / "fr-prod.md"
    result = _sovereign(ROOT, "report", "fr-prod", "--out", str(out), "--as-of", AS_OF)
    assert result.returncode == 0, result.stderr
    evidence = json.loads((tmp_path / "evidence" / "fr-prod.md.json").read_text(encoding="utf-8"))
    assert evidence["summary"]["controls_failed"] == 0 and evidence["summary"]["controls"] >= 20
    assert [m["model"] for m in evidence["models"]] == ["mistral-small-3.1-24b-instruct"]
    buckets = [r for r in evidence["inventory"] if r["type"] == "oci:ObjectStorage/bucket:Bucket"]
    assert buckets and all(r["region"] == "eu-paris-1" and r["keys"] for r in buckets)
    assert evidence["access"]["admin_groups"][0]["name"] == "fr-platform-admins"
    text = out.read_text(encoding="utf-8")
    assert "## Controls" in text and "## Inventory" in text and "policy:residency" in text


def test_report_names_each_azure_resource_as_azure_will_and_the_deploying_identity(
    plans: dict[str, Any],
) -> None:
    from sovereign.config.loader import load_country, load_register
    from sovereign.plan.report import build_report, render_report_markdown
    from tests.config.helpers import AS_OF as AS_OF_DATE
    from tests.config.helpers import CONFIG_DIR

    register, _ = load_register(CONFIG_DIR)
    assert register is not None
    config = load_country("de", "prod", config_dir=CONFIG_DIR, as_of=AS_OF_DATE)
    report = build_report(plans["de-prod"], config, register, AS_OF_DATE)
    names = {r["type"]: r["cloud_name"] for r in report["inventory"]}
    vault = names["azure-native:keyvault:Vault"]
    assert vault is not None and 3 <= len(vault) <= 24 and not vault.startswith("(auto)"), vault
    roles = {g["role"] for g in report["deploying_identity"]["roles"]}
    assert {"Contributor", "Resource Policy Contributor"} <= roles
    assert "## Deploying identity" in render_report_markdown(report)
