"""Run git in a temporary test repository with a fixed identity (no global git config needed)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

__all__ = ["git"]

_IDENTITY = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.org",
}


def git(repo: Path, *args: str) -> str:
    """``git ARGS`` in ``repo``; raises on failure; returns stdout."""
    result = subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True, env={**os.environ, **_IDENTITY}
    )
    return result.stdout
