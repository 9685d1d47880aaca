"""The OKE kubeconfig authenticates with `oci ce cluster generate-token` (an exec credential plugin): every job that
opens an OCI session must also have the OCI CLI, pinned, on PATH before Pulumi runs, and tell it to use the
session token the job wrote (review finding O19)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
SESSION = "python -m sovereign.ci.oci_session"


def _load(path: Path) -> dict[str, Any]:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def _oci_jobs() -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path in WORKFLOWS:
        for job_id, job in _load(path)["jobs"].items():
            if any(SESSION in str(s.get("run", "")) for s in job.get("steps", [])):
                found.append((path.name, job_id, job))
    return found


def test_the_deploy_drift_and_preview_jobs_open_oci_sessions() -> None:
    names = {(w, j) for w, j, _ in _oci_jobs()}
    assert {("deploy.yml", "deploy"), ("drift.yml", "check"), ("pull-request.yml", "preview")} <= names


@pytest.mark.parametrize(
    ("workflow", "job_id", "job"), _oci_jobs(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_oci_jobs_install_the_pinned_cli_after_the_session_and_before_pulumi(
    workflow: str, job_id: str, job: dict[str, Any]
) -> None:
    steps = job["steps"]
    session = next(i for i, s in enumerate(steps) if SESSION in str(s.get("run", "")))
    [install] = [i for i, s in enumerate(steps) if "oci-cli==" in str(s.get("run", ""))]
    pulumi = [i for i, s in enumerate(steps) if "pulumi" in str(s.get("uses", "")) + str(s.get("run", ""))]
    assert session < install < min(i for i in pulumi if i > session), f"{workflow}:{job_id}"
    step = steps[install]
    assert step["if"] == "matrix.cloud == 'oci'", f"{workflow}:{job_id}"
    assert 'uv tool install "oci-cli==${OCI_CLI_VERSION}"' in step["run"]
    assert 'uv tool dir --bin >> "$GITHUB_PATH"' in step["run"]  # the kubeconfig's `oci` must be on PATH
    assert re.fullmatch(
        r"\d+\.\d+\.\d+", str(_load(ROOT / ".github/workflows" / workflow)["env"]["OCI_CLI_VERSION"])
    )


@pytest.mark.parametrize(
    ("workflow", "job_id", "job"), _oci_jobs(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_oci_jobs_point_the_cli_at_the_session_token(workflow: str, job_id: str, job: dict[str, Any]) -> None:
    """sovereign.ci.oci_session writes profile DEFAULT with a security token; the provider reads OCI_AUTH, the
    CLI OCI_CLI_AUTH (docs.oracle.com/iaas/Content/API/SDKDocs/clienvironmentvariables.htm)."""
    env = job["env"]
    assert (env["OCI_AUTH"], env["OCI_CONFIG_FILE_PROFILE"]) == ("SecurityToken", "DEFAULT")
    assert (env["OCI_CLI_AUTH"], env["OCI_CLI_PROFILE"]) == ("security_token", "DEFAULT"), (
        f"{workflow}:{job_id}"
    )


def test_one_cli_version_everywhere() -> None:
    versions = {str(_load(p)["env"]["OCI_CLI_VERSION"]) for p in WORKFLOWS}
    assert len(versions) == 1, versions
