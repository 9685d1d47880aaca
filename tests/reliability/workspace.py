"""A scratch copy of the country files and stack files, and two ways to run ``sovereign`` against it.

``cli`` calls the console-script entry point (``sovereign.cli.main``) in this process with captured output: the
same argument parsing and the same error handling as the installed command, fast enough for hundreds of
generated cases. ``run`` starts ``python -m sovereign`` as a subprocess, for the cases that must prove the real
process (worker pools, exit status, no traceback on stderr).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2026-11-22"

TRAILER = re.compile(r"\n(?P<count>\d+) problem\(s\); nothing was changed\.\n$")
PROBLEM = re.compile(
    r"^(?P<file>[^\n]+?)(?::(?P<line>\d+))?: (?P<path>\S[^\n]*?): (?P<message>.+) — (?P<fix>.+)$", re.S
)


@dataclass(frozen=True)
class Result:
    code: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class Workspace:
    """``country_configs`` and ``stacks`` copies under ``root``; the CLI finds them through the environment."""

    root: Path

    @property
    def configs(self) -> Path:
        return self.root / "country_configs"

    @property
    def stacks(self) -> Path:
        return self.root / "stacks"

    @property
    def env(self) -> dict[str, str]:
        return {"SOVEREIGN_CONFIG_DIR": str(self.configs), "SOVEREIGN_STACKS_DIR": str(self.stacks)}

    def country(self, code: str) -> Path:
        return self.configs / f"{code}.yaml"

    def stack(self, name: str) -> Path:
        return self.stacks / f"Pulumi.{name}.yaml"


def make_workspace(root: Path, stacks: tuple[str, ...] | None = None) -> Workspace:
    """Copy every country file and the named stack files (default: all) under ``root``."""
    shutil.copytree(ROOT / "country_configs", root / "country_configs")
    (root / "stacks").mkdir(parents=True)
    for path in sorted((ROOT / "stacks").glob("Pulumi.*.yaml")):
        if stacks is None or path.name.removeprefix("Pulumi.").removesuffix(".yaml") in stacks:
            shutil.copy(path, root / "stacks" / path.name)
    return Workspace(root)


def restore(workspace: Workspace, *relative: str) -> None:
    """Put shipped files back (``country_configs/gb.yaml``, ``stacks/Pulumi.gb-prod.yaml``) after a case."""
    for name in relative:
        shutil.copy(ROOT / name, workspace.root / name)


@contextlib.contextmanager
def _environment(values: dict[str, str]):
    saved = {k: os.environ.get(k) for k in (*values, "SOVEREIGN_DEBUG")}
    os.environ.update(values)
    os.environ.pop("SOVEREIGN_DEBUG", None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def cli(workspace: Workspace, *args: str) -> Result:
    """``sovereign ARGS`` through ``sovereign.cli.main`` in this process, output captured."""
    from sovereign.cli import main

    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["sovereign", *args]
    code: int = 0
    try:
        with _environment(workspace.env), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main()
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.argv = argv
    return Result(code, out.getvalue(), err.getvalue())


def run(workspace: Workspace, *args: str, debug: bool = False, timeout: int = 600) -> Result:
    """``python -m sovereign ARGS`` as a subprocess against the workspace."""
    env = {k: v for k, v in os.environ.items() if k != "SOVEREIGN_DEBUG"}
    env.update(workspace.env, COLUMNS="200")
    if debug:
        env["SOVEREIGN_DEBUG"] = "1"
    done = subprocess.run(
        [sys.executable, "-m", "sovereign", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def problems(result: Result, workspace: Workspace) -> list[re.Match[str]]:
    """The problems of a clean invalid-input exit: exit 2, no traceback, every problem `file[:line]: path:
    message — fix` naming a file of the workspace, and the closing count. Fails the test otherwise."""
    both = result.stdout + result.stderr
    assert "Traceback" not in both and "internal error" not in both, both
    assert result.code == 2, f"exit {result.code}, expected 2\n{both}"
    trailer = TRAILER.search(result.stderr)
    assert trailer is not None, result.stderr
    body = result.stderr[: trailer.start()]
    chunks = re.split(rf"\n(?={re.escape(str(workspace.root))})", body)
    assert len(chunks) == int(trailer["count"]), result.stderr
    found = []
    for chunk in chunks:
        match = PROBLEM.match(chunk)
        assert match is not None, f"not 'file:line: path: message — fix': {chunk!r}"
        assert match["file"].startswith(str(workspace.root)), chunk
        found.append(match)
    return found
