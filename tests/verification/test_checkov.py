"""checkov's Kubernetes framework on the manifests of every shipped stack: 0 failed checks.

checkov runs from its own environment (see ``checkov_tool``), offline, with exactly the checks listed in
``verification/checkov-skips.yaml`` skipped. A deliberately insecure canary Deployment is scanned in the same
run, in its own folder, to prove that checkov read these files and can fail them.
"""

from __future__ import annotations

import copy
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from sovereign.plan.manifests import Manifest, manifests_of, write_manifests
from tests.verification.checkov_tool import (
    CheckovSkip,
    checkov_command,
    install_checkov,
    load_skips,
    run_checkov,
)

CANARY = "canary"
# What the canary breaks on purpose, each one a check that must fail on it.
CANARY_FAILURES = {
    "CKV_K8S_8",  # no liveness probe
    "CKV_K8S_9",  # no readiness probe
    "CKV_K8S_14",  # image tag 'latest'
    "CKV_K8S_16",  # privileged
    "CKV_K8S_17",  # host PID namespace
    "CKV_K8S_19",  # host network
    "CKV_K8S_20",  # allowPrivilegeEscalation
    "CKV_K8S_22",  # writable root filesystem
    "CKV_K8S_39",  # CAP_SYS_ADMIN
    "CKV_K8S_43",  # no image digest
}
# The hardening the components promise on every workload, which checkov must have seen pass.
WORKLOAD_HARDENING = {
    "CKV_K8S_8", "CKV_K8S_9", "CKV_K8S_10", "CKV_K8S_11", "CKV_K8S_12", "CKV_K8S_13", "CKV_K8S_16",
    "CKV_K8S_17", "CKV_K8S_19", "CKV_K8S_20", "CKV_K8S_22", "CKV_K8S_23", "CKV_K8S_28", "CKV_K8S_31",
    "CKV_K8S_37", "CKV_K8S_38", "CKV_K8S_40", "CKV_K8S_43", "CKV2_K8S_6",
}  # fmt: skip


@pytest.fixture(scope="session")
def checkov(request: pytest.FixtureRequest) -> Path:
    started = time.monotonic()
    try:
        executable = install_checkov(request.config.cache.mkdir("checkov"))
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        pytest.fail(f"could not install checkov into its own environment: {exc}")
    print(f"\ncheckov environment ready in {time.monotonic() - started:.1f} s: {executable}")
    return executable


def _canary(stack_manifests: dict[str, list[Manifest]]) -> list[Manifest]:
    """A real chat Deployment, made insecure in every way CANARY_FAILURES names, in its own namespace."""
    [chat] = [
        m
        for m in stack_manifests["gb-prod"]
        if m.kind == "Deployment" and m.object["metadata"]["name"] == "chat"
    ]
    canary = copy.deepcopy(chat.object)
    canary["metadata"]["namespace"] = CANARY
    pod = canary["spec"]["template"]["spec"]
    pod.update(hostNetwork=True, hostPID=True)
    container = pod["containers"][0]
    container["image"] = "registry.example/open-webui:latest"
    container["securityContext"].update(
        privileged=True,
        allowPrivilegeEscalation=True,
        readOnlyRootFilesystem=False,
        capabilities={"add": ["SYS_ADMIN"]},
    )
    del container["livenessProbe"], container["readinessProbe"]
    token = "kubernetes:apps/v1:Deployment"
    resource = {
        "urn": f"urn:pulumi:{CANARY}::{token}::c",
        "type": token,
        "name": "c",
        "custom": True,
        "inputs": canary,
    }
    return manifests_of({"stack": CANARY, "resources": [resource]})


def _folder(result: dict[str, Any]) -> str:
    """checkov names files relative to the scanned folder: '/gb-prod/20-deployment.assistant.chat.yaml'."""
    return Path(result["file_path"].lstrip("/")).parts[0]


@pytest.fixture(scope="session")
def report(
    checkov: Path, stack_manifests: dict[str, list[Manifest]], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("manifests")
    for name, manifests in stack_manifests.items():
        write_manifests(manifests, root / name)
    write_manifests(_canary(stack_manifests), root / CANARY)
    started = time.monotonic()
    try:
        result = run_checkov(checkov_command(checkov, root, load_skips()))
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        pytest.fail(str(exc))
    count = sum(map(len, stack_manifests.values()))
    print(f"\ncheckov scanned {count} manifests in {time.monotonic() - started:.1f} s")
    return result["results"]


def test_checkov_finds_no_failed_check_in_any_shipped_stack(report: dict[str, Any]) -> None:
    failed = [
        f"{r['check_id']} {r['file_path']} ({r['resource']}): {r['check_name']}"
        for r in report["failed_checks"]
        if _folder(r) != CANARY
    ]
    assert failed == []
    assert report["parsing_errors"] == []
    assert report["skipped_checks"] == []  # no inline suppression anywhere: skipping happens in one file only


def test_checkov_fails_the_insecure_canary(report: dict[str, Any]) -> None:
    failed = {r["check_id"] for r in report["failed_checks"] if _folder(r) == CANARY}
    assert failed >= CANARY_FAILURES, f"checkov did not fail the canary on {sorted(CANARY_FAILURES - failed)}"


def test_checkov_saw_every_stack_and_the_hardening_of_every_workload(
    report: dict[str, Any], stack_manifests: dict[str, list[Manifest]]
) -> None:
    passed: dict[str, set[str]] = {}
    for result in report["passed_checks"]:
        passed.setdefault(result["file_path"].lstrip("/"), set()).add(result["check_id"])
    workloads = [
        f"{name}/{m.filename}"
        for name, manifests in stack_manifests.items()
        for m in manifests
        if m.kind == "Deployment"
    ]
    assert len(workloads) >= 2 * len(stack_manifests)
    for path in workloads:
        missing = WORKLOAD_HARDENING - passed.get(path, set())
        assert not missing, f"{path}: checkov did not pass {sorted(missing)}"
    assert {path.split("/")[0] for path in passed} == {*stack_manifests, CANARY}


def test_skipped_checks_are_exactly_the_listed_ones(report: dict[str, Any], checkov: Path) -> None:
    skips = load_skips()
    listed = {s.id for s in skips}
    reported = {r["check_id"] for key in ("passed_checks", "failed_checks") for r in report[key]}
    assert not listed & reported, f"checkov ran checks the skip list removes: {sorted(listed & reported)}"
    if listed:  # a skip must name a check that exists, or it hides nothing and misleads the reader
        known = subprocess.run(
            [str(checkov), "--list", "--framework", "kubernetes", "--skip-download"],
            capture_output=True,
            text=True,
            timeout=300,
        ).stdout
        assert all(f" {s} " in known for s in listed), f"unknown checks in the skip list: {sorted(listed)}"


def test_the_skip_list_is_passed_to_checkov_as_written(tmp_path: Path) -> None:
    skips = [
        CheckovSkip(
            "CKV_K8S_15", "Images are pinned by digest, so IfNotPresent cannot pull a different image."
        ),
        CheckovSkip(
            "CKV2_K8S_6", "An example reason long enough to say why this check would not apply here."
        ),
    ]
    command = checkov_command(Path("checkov"), tmp_path, skips)
    assert command[command.index("--skip-check") + 1] == "CKV_K8S_15,CKV2_K8S_6"
    assert command.count("--skip-check") == 1 and "--skip-download" in command
    assert "--skip-check" not in checkov_command(Path("checkov"), tmp_path, [])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("skips: [{id: CKV_K8S_15}]\n", "must have exactly 'id' and 'reason'"),
        (
            "skips: [{id: CKV_AWS_1, reason: 'a reason that is long enough to pass the length rule'}]\n",
            "not a",
        ),
        ("skips: [{id: CKV_K8S_15, reason: 'n/a'}]\n", "say why CKV_K8S_15 does not apply"),
        ("skips: {}\n", "holding a list"),
        ("skip: []\n", "exactly one key"),
    ],
)
def test_a_malformed_skip_list_is_an_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "checkov-skips.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_skips(path)


def test_a_check_listed_twice_is_an_error(tmp_path: Path) -> None:
    entry = "{id: CKV_K8S_15, reason: 'a reason that is long enough to pass the length rule'}"
    path = tmp_path / "checkov-skips.yaml"
    path.write_text(f"skips: [{entry}, {entry}]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="listed twice"):
        load_skips(path)
