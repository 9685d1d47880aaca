"""``sovereign manifests STACK --out DIR`` end to end: the files, re-runs, and clean errors (exit 2)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sovereign.plan.manifests import GENERATED_MARKER, Manifest

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SOVEREIGN_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "sovereign", "manifests", *args],
        cwd=ROOT,
        env={**env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_writes_one_file_per_object_identical_to_the_plan_and_replaces_an_earlier_run(
    tmp_path: Path, stack_manifests: dict[str, list[Manifest]]
) -> None:
    out = tmp_path / "gb"
    out.mkdir()
    (out / "00-namespace.removed-since.yaml").write_text(f"{GENERATED_MARKER} earlier\n", encoding="utf-8")
    (out / "kustomization.yaml").write_text("resources: []\n", encoding="utf-8")
    result = run("gb-prod", "--out", str(out), "--as-of", "2026-11-22")
    assert result.returncode == 0, result.stderr
    expected = {m.filename: m.text for m in stack_manifests["gb-prod"]}
    assert f"wrote {len(expected)} manifest(s) of gb-prod (Kubernetes 1.35) to {out}" in result.stdout
    # Same bytes as the plan made in this process: the output is deterministic across runs.
    written = {p.name: p.read_text(encoding="utf-8") for p in out.iterdir() if p.name != "kustomization.yaml"}
    assert written == expected
    assert (out / "kustomization.yaml").read_text(encoding="utf-8") == "resources: []\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("de", "--out", "{tmp}/x"), "'de' names 2 stacks (de-prod, de-staging) — name one stack"),
        (("zz-prod", "--out", "{tmp}/x"), "no stack or country 'zz-prod'"),
        (("gb-prod", "--out", "{tmp}/file"), "--out: is a file, not a folder"),
        (("gb-prod", "--out", "{tmp}/x", "--as-of", "22.11.2026"), "'22.11.2026' is not a date"),
    ],
)
def test_invalid_input_exits_2_with_a_clean_message(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    (tmp_path / "file").write_text("not a folder\n", encoding="utf-8")
    result = run(*(a.format(tmp=tmp_path) for a in args))
    assert result.returncode == 2, result.stdout
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x").exists()
