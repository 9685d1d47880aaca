"""Read files of a git revision without touching the working tree: ``git ls-tree`` and ``git cat-file --batch``.

The base of a comparison must come from git objects, never from the checkout (which holds the head, or local edits
that are not part of either revision). Non-goals: no worktrees, no checkouts, no writes to the repository.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from sovereign.config.errors import ConfigError, Problem

__all__ = ["GitRepository"]


class GitRepository:
    """A repository read through plumbing commands; every failure is a ConfigError naming the option at fault."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _run(self, args: list[str], *, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(["git", *args], cwd=self.root, input=stdin, capture_output=True, check=False)

    def _problem(self, option: str, message: str, fix: str) -> ConfigError:
        return ConfigError([Problem(self.root, None, option, message, fix)])

    def commit(self, ref: str, option: str) -> str:
        """The full commit id ``ref`` names, or a clean error (a shallow CI clone is the usual cause)."""
        result = self._run(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"])
        if result.returncode != 0:
            raise self._problem(
                option,
                f"'{ref}' is not a commit in this repository",
                "fetch it first (in GitHub Actions: actions/checkout with fetch-depth: 0), or fix the ref",
            )
        return result.stdout.decode().strip()

    def merge_base(self, base: str, head: str) -> str:
        """Where ``head`` branched from ``base``: the changes of a pull request, not those merged since."""
        result = self._run(["merge-base", base, head])
        if result.returncode != 0:
            raise self._problem(
                "--base",
                f"{base[:12]} and {head[:12]} have no common history",
                "fetch the full history (fetch-depth: 0), or compare with a ref on the same branch line",
            )
        return result.stdout.decode().strip()

    def changed_paths(self, old: str, new: str) -> list[str]:
        """Paths added, modified or deleted between two commits; a rename counts as a deletion and an addition."""
        result = self._run(["diff", "--name-only", "--no-renames", "-z", old, new, "--"])
        if result.returncode != 0:
            raise self._problem(
                "--base", f"git diff failed: {result.stderr.decode().strip()}", "check the refs"
            )
        return sorted(p for p in result.stdout.decode().split("\0") if p)

    def list_files(self, commit: str, folders: list[str]) -> set[str]:
        """Every file path (POSIX, from the repository root) under ``folders`` at ``commit``."""
        result = self._run(["ls-tree", "-r", "--name-only", "-z", commit, "--", *folders])
        if result.returncode != 0:
            raise self._problem(
                "--head", f"git ls-tree failed: {result.stderr.decode().strip()}", "check the refs"
            )
        return {p for p in result.stdout.decode().split("\0") if p}

    def read_files(self, commit: str, paths: list[str]) -> dict[str, bytes]:
        """The contents of ``paths`` at ``commit`` in one ``git cat-file --batch`` call (missing paths left out)."""
        if not paths:
            return {}
        request = "".join(f"{commit}:{p}\n" for p in paths).encode()
        result = self._run(["cat-file", "--batch"], stdin=request)
        if result.returncode != 0:
            raise self._problem(
                "--head", f"git cat-file failed: {result.stderr.decode().strip()}", "check the refs"
            )
        out, data, at = {}, result.stdout, 0
        for path in paths:
            end = data.index(b"\n", at)
            header = data[at:end]
            at = end + 1
            if header.endswith((b" missing", b" ambiguous")):
                continue
            _, kind, size = header.rsplit(b" ", 2)
            if kind == b"blob":
                out[path] = data[at : at + int(size)]
            at += int(size) + 1  # every object's content is followed by a newline
        return out
