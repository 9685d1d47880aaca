"""Plan stacks as they were at a git ref, in a temporary ``git worktree``, with that ref's own code.

The worktree is checked out detached and removed afterwards. When the ref carries the toolkit itself
(``sovereign/`` at the repository root), the base plan runs that ref's code (``PYTHONPATH``); a repository that
holds only country files and stacks is planned with the installed toolkit. The base plan runs in a separate
process: the Pulumi SDK keeps global state, and the two trees must not share imports.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from sovereign.config.errors import ConfigError, Problem

__all__ = ["plan_at_ref", "repository_root"]


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)


def repository_root(inside: Path) -> Path:
    result = _git(["rev-parse", "--show-toplevel"], inside)
    if result.returncode != 0:
        raise ConfigError(
            [Problem(inside, None, "--base", "not inside a git repository", "run it in a clone")]
        )
    return Path(result.stdout.strip())


def plan_at_ref(
    ref: str, stack_names: list[str], *, config_dir: Path, stacks_dir: Path, as_of: dt.date
) -> dict[str, dict[str, Any]]:
    """Plan documents of ``stack_names`` as of ``ref`` (stacks that did not exist there are left out)."""
    root = repository_root(config_dir)
    if _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root).returncode != 0:
        raise ConfigError(
            [Problem(root, None, "--base", f"'{ref}' is not a commit here", "fetch it or fix the ref")]
        )
    with tempfile.TemporaryDirectory(prefix="sovereign-base-") as scratch:
        tree = Path(scratch) / "tree"
        added = _git(["worktree", "add", "--detach", "--quiet", str(tree), ref], root)
        if added.returncode != 0:
            raise ConfigError(
                [
                    Problem(
                        root, None, "--base", f"git worktree failed: {added.stderr.strip()}", "check the ref"
                    )
                ]
            )
        try:
            return _plan_tree(tree, root, stack_names, config_dir, stacks_dir, as_of, Path(scratch) / "plans")
        finally:
            _git(["worktree", "remove", "--force", str(tree)], root)


def _plan_tree(
    tree: Path, root: Path, names: list[str], config_dir: Path, stacks_dir: Path, as_of: dt.date, out: Path
) -> dict[str, dict[str, Any]]:
    base_stacks = tree / stacks_dir.resolve().relative_to(root)
    present = [n for n in names if (base_stacks / f"Pulumi.{n}.yaml").exists()]
    if not present:
        return {}
    env = {
        **os.environ,
        "SOVEREIGN_CONFIG_DIR": str(tree / config_dir.resolve().relative_to(root)),
        "SOVEREIGN_STACKS_DIR": str(base_stacks),
    }
    if (tree / "sovereign" / "__init__.py").exists():
        env["PYTHONPATH"] = os.pathsep.join([str(tree), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    command = [
        sys.executable,
        "-m",
        "sovereign",
        "plan",
        *present,
        "--format",
        "json",
        "--out",
        str(out),
        "--as-of",
        as_of.isoformat(),
    ]
    result = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, check=False)
    if result.returncode not in (0, 1):  # 1 = the base already failed a check: still a plan to compare
        raise ConfigError(
            [
                Problem(
                    base_stacks,
                    None,
                    "--base",
                    f"the base could not be planned: {result.stderr.strip()[-2000:]}",
                    "fix the base ref, or diff against another one",
                )
            ]
        )
    return {n: json.loads((out / f"{n}.json").read_text(encoding="utf-8")) for n in present}
