"""``sovereign report`` shows the data paths (issue 15): every place data or metadata goes, with its region, its
country and the control that keeps it there, in the JSON evidence and the markdown alike."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sovereign.config.loader import load_country, load_register
from sovereign.config.schema import COUNTRY_CONFIG, CountryConfig
from sovereign.plan.report import build_report, render_report_markdown
from tests.config.helpers import AS_OF, CONFIG_DIR, edit, merged

ROOT = Path(__file__).resolve().parents[2]
FIELDS = {"what", "destination", "region", "country", "in_country", "control", "setting"}
EMPTY_PLAN = {"resources": [], "checks": []}


def _report(config: CountryConfig) -> dict[str, Any]:
    register, problems = load_register(CONFIG_DIR)
    assert register is not None, problems
    return build_report({**EMPTY_PLAN, "stack": f"{config.country}-prod"}, config, register, AS_OF)


def _rows(markdown: str) -> list[list[str]]:
    section = markdown.split("## Data paths", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("| ")][1:]  # without the header
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines]


def test_report_lists_every_data_path_of_an_oci_stack(tmp_path: Path) -> None:
    out = tmp_path / "evidence" / "jp-prod.md"
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("SOVEREIGN_DEBUG", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sovereign",
            "report",
            "jp-prod",
            "--out",
            str(out),
            "--as-of",
            AS_OF.isoformat(),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr
    paths = json.loads(out.with_name("jp-prod.md.json").read_text(encoding="utf-8"))["data_paths"]
    assert paths and all(set(p) == FIELDS for p in paths)
    assert all(p["in_country"] and p["country"] == "jp" for p in paths)
    by_what = {p["what"]: p for p in paths}
    sign_in = next(p for w, p in by_what.items() if w.startswith("citizens' sign-in"))
    assert (
        sign_in["region"] == "ap-tokyo-1"
        and "served by pods in namespace 'identity'" in sign_in["destination"]
    )
    assert sign_in["setting"] == "assistant.chat.identity_provider_country"
    assert any(w.startswith("IAM metadata") for w in by_what)  # OCI's own paths come after the neutral ones
    # None: the stack secrets' passphrase, placed by its declared country (deployment.secrets_provider.country)
    assert {p["region"] for p in paths} == {"ap-tokyo-1", "ap-osaka-1", None}
    rows = _rows(out.read_text(encoding="utf-8"))
    assert [r[0] for r in rows] == [p["what"] for p in paths]
    assert all(len(r) == 6 and r[3] == "jp" and r[4] for r in rows), rows


def test_report_lists_azure_paths_with_the_setting_that_decides_each() -> None:
    report = _report(load_country("de", "prod", config_dir=CONFIG_DIR, as_of=AS_OF))
    paths = report["data_paths"]
    weights = next(p for p in paths if p["what"].startswith("model weights of deployment"))
    assert (weights["region"], weights["country"]) == ("germanywestcentral", "de")
    assert weights["setting"] == "assistant.deployments[0].weights"
    sign_in = next(p for p in paths if p["what"].startswith("citizens' sign-in"))
    assert (
        sign_in["region"] is None and sign_in["country"] == "de" and "10.250.1.0/28" in sign_in["destination"]
    )
    rows = {r[0]: r for r in _rows(render_report_markdown(report))}
    assert rows[sign_in["what"]][2:4] == ["—", "de"]
    assert rows[weights["what"]][5] == "`assistant.deployments[0].weights`"
    # The controls name every invariant that held, the cloud's too.
    controls = {c["control"] for c in report["controls"]}
    assert {"config:data_stays_in_country", "config:keys_stay_in_country"} <= controls


def test_report_marks_a_path_that_leaves() -> None:
    """Built from a config validation would refuse (the identity provider declared in the US): the report does not
    hide it, in JSON or markdown."""
    config = COUNTRY_CONFIG.validate_python(
        edit(merged("de"), {"assistant.chat.identity_provider_country": "us"})
    )
    report = _report(config)
    [leaving] = [p for p in report["data_paths"] if not p["in_country"]]
    assert leaving["what"].startswith("citizens' sign-in") and leaving["country"] == "us"
    [row] = [r for r in _rows(render_report_markdown(report)) if r[0] == leaving["what"]]
    assert row[3] == "us ❌"
