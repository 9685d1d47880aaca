"""Checkov in its own environment: install it once (locked, by hash), read the skip list, run a scan.

checkov pins ``packaging`` below what pulumi needs, so it never goes into the project's ``.venv``. The test
tooling installs ``verification/checkov-requirements.txt`` into a separate virtual environment in pytest's
cache folder (``.pytest_cache/d/checkov/``, ignored by git), keyed by the lock's hash and the Python version,
so a new lock gets a fresh environment and an unchanged one is reused across runs. uv does the install when
it is available (``$UV`` under ``uv run``, ``uv`` on PATH, or the Makefile's ``.tools/bin/uv``): a few
seconds warm, about 25 s cold; plain ``python -m venv`` + pip otherwise (about 35 s).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

__all__ = [
    "REQUIREMENTS",
    "SKIPS_FILE",
    "CheckovSkip",
    "checkov_command",
    "install_checkov",
    "load_skips",
    "run_checkov",
]

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = ROOT / "verification" / "checkov-requirements.txt"
SKIPS_FILE = ROOT / "verification" / "checkov-skips.yaml"
_CHECK_ID = re.compile(r"^CKV2?_K8S_\d+$")
_MIN_REASON = 40
_INSTALL_TIMEOUT_S = 900
_SCAN_TIMEOUT_S = 600


@dataclass(frozen=True)
class CheckovSkip:
    id: str
    reason: str


def load_skips(path: Path = SKIPS_FILE) -> list[CheckovSkip]:
    """The checked-in skip list; a malformed entry is an error, never silently ignored."""
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or set(data) != {"skips"} or not isinstance(data["skips"], list):
        raise ValueError(f"{path}: must be a mapping with exactly one key, 'skips', holding a list")
    skips: list[CheckovSkip] = []
    for index, entry in enumerate(data["skips"]):
        where = f"{path}: skips[{index}]"
        if not isinstance(entry, dict) or set(entry) != {"id", "reason"}:
            raise ValueError(f"{where}: must have exactly 'id' and 'reason'")
        check_id, reason = entry["id"], entry["reason"]
        if not isinstance(check_id, str) or not _CHECK_ID.fullmatch(check_id):
            raise ValueError(f"{where}.id: {check_id!r} is not a checkov Kubernetes check (CKV_K8S_<n>)")
        if not isinstance(reason, str) or len(reason.strip()) < _MIN_REASON:
            raise ValueError(f"{where}.reason: say why {check_id} does not apply (at least a sentence)")
        if any(s.id == check_id for s in skips):
            raise ValueError(f"{where}.id: {check_id} is listed twice")
        skips.append(CheckovSkip(check_id, reason.strip()))
    return skips


def _find_uv() -> str | None:
    for candidate in (os.environ.get("UV"), shutil.which("uv"), str(ROOT / ".tools" / "bin" / "uv")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=_INSTALL_TIMEOUT_S)
    if result.returncode != 0:
        raise RuntimeError(
            f"{what} failed ({' '.join(command)}):\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )


def _clean_env() -> dict[str, str]:
    """The environment without the project's virtualenv, so nothing leaks into checkov's."""
    return {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}


def install_checkov(cache_dir: Path) -> Path:
    """The ``checkov`` executable of an environment built from the lock; built once, under a file lock
    (several pytest processes may share the checkout), and marked complete only when the install finished."""
    lock_text = REQUIREMENTS.read_bytes()
    key = hashlib.sha256(lock_text + sys.version.encode()).hexdigest()[:16]
    target = cache_dir / f"venv-{key}"
    executable = target / "bin" / "checkov"
    complete = target / ".complete"
    cache_dir.mkdir(parents=True, exist_ok=True)
    with (cache_dir / f"venv-{key}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if complete.is_file() and executable.is_file():
            return executable
        shutil.rmtree(target, ignore_errors=True)  # an interrupted install: start over
        env = {**_clean_env(), "UV_COMPILE_BYTECODE": "1"}
        uv = _find_uv()
        if uv is not None:
            _run([uv, "venv", "--quiet", "--python", sys.executable, str(target)], env, "uv venv")
            python = str(target / "bin" / "python")
            install = [uv, "pip", "install", "--quiet", "--python", python, "--require-hashes"]
            _run([*install, "-r", str(REQUIREMENTS)], env, "installing checkov with uv")
        else:
            _run([sys.executable, "-m", "venv", str(target)], env, "python -m venv")
            pip = [
                str(target / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ]
            _run([*pip, "--require-hashes", "-r", str(REQUIREMENTS)], env, "installing checkov with pip")
        if not executable.is_file():
            raise RuntimeError(f"the install finished but {executable} does not exist")
        complete.write_text(REQUIREMENTS.name + "\n", encoding="utf-8")
    return executable


def checkov_command(executable: Path, directory: Path, skips: list[CheckovSkip]) -> list[str]:
    """The scan: the Kubernetes framework only, every check except exactly the listed skips.

    ``--skip-download`` keeps it offline (no Prisma Cloud guideline lookup); ``--soft-fail`` because the
    caller reads the verdict from the JSON report, where a nonzero exit would hide a crash from a finding.
    """
    command = [str(executable), "--directory", str(directory), "--framework", "kubernetes"]
    command += ["--output", "json", "--compact", "--skip-download", "--soft-fail"]
    if skips:
        command += ["--skip-check", ",".join(s.id for s in skips)]
    return command


def run_checkov(command: list[str]) -> dict[str, Any]:
    """Run a scan and return checkov's JSON report for the Kubernetes framework."""
    result = subprocess.run(
        command, env=_clean_env(), capture_output=True, text=True, timeout=_SCAN_TIMEOUT_S
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(
            f"checkov exited {result.returncode} without a JSON report:\n{result.stdout[-3000:]}"
            f"{result.stderr[-3000:]}"
        ) from None
    reports = report if isinstance(report, list) else [report]
    found = [r for r in reports if r.get("check_type") == "kubernetes"]
    if len(found) != 1:
        raise RuntimeError(f"checkov returned no Kubernetes report: {result.stdout[:2000]}")
    return found[0]
