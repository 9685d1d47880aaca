"""Drift from ``pulumi preview --refresh --expect-no-changes --json``: which resources differ from the program.

After a refresh, the preview compares what runs in the cloud with what the program declares: any step other than
``same`` (an update, a replacement, a re-creation of something deleted out of band) is drift. Non-goals: no
Pulumi CLI calls and no GitHub API calls (the drift workflow runs the preview and opens or updates the issue).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sovereign.config.errors import ConfigError, Problem

__all__ = ["DriftedResource", "drift_marker", "parse_preview", "render_drift_issue"]

NO_CHANGE_OPS = frozenset({"same", "read", "refresh"})
"""Steps that change nothing: unchanged resources, reads of existing ones, and the refresh itself."""


@dataclass(frozen=True)
class DriftedResource:
    urn: str
    op: str
    properties: tuple[str, ...]

    @property
    def type(self) -> str:
        return self.urn.split("::")[-2].split("$")[-1] if self.urn.count("::") >= 3 else ""

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]


def parse_preview(path: Path) -> list[DriftedResource]:
    """The drifted resources of a preview digest, or a ConfigError when the preview did not finish."""
    try:
        digest: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(
            [
                Problem(
                    path, None, "PREVIEW", f"not a preview JSON document ({exc})", "run pulumi preview --json"
                )
            ]
        ) from None
    if not isinstance(digest, dict) or not isinstance(digest.get("steps"), list):
        messages = [
            str(d.get("message", "")).strip()
            for d in (digest.get("diagnostics") or [] if isinstance(digest, dict) else [])
            if isinstance(d, dict)
        ]
        raise ConfigError(
            [
                Problem(
                    path,
                    None,
                    "steps",
                    "the preview did not finish: " + ("; ".join(m for m in messages if m) or "no steps"),
                    "fix the error the preview reports (credentials, backend, program) and run it again",
                )
            ]
        )
    drifted = []
    for step in digest["steps"]:
        if not isinstance(step, dict) or step.get("op") in NO_CHANGE_OPS:
            continue
        detailed: Any = step.get("detailedDiff")
        keys = (
            step.get("diffReasons")
            or step.get("replaceReasons")
            or list(detailed if isinstance(detailed, dict) else {})
        )
        drifted.append(
            DriftedResource(str(step.get("urn", "")), str(step.get("op", "")), tuple(map(str, keys)))
        )
    return sorted(drifted, key=lambda d: d.urn)


def drift_marker(stack: str) -> str:
    """Hidden first line of a stack's drift issue: the workflow finds the open issue to update by it."""
    return f"<!-- sovereign-drift:{stack} -->"


def render_drift_issue(stack: str, drifted: list[DriftedResource], *, run_url: str | None = None) -> str:
    """Issue body naming the stack and every drifted resource with the properties that differ."""
    rows = "\n".join(
        f"| `{d.op}` | `{d.type}` | `{d.name}` | {', '.join(f'`{p}`' for p in d.properties) or '-'} |"
        for d in drifted
    )
    seen = (
        f"Found by [the nightly drift check]({run_url})." if run_url else "Found by the nightly drift check."
    )
    return (
        f"{drift_marker(stack)}\n"
        f"Stack **{stack}** differs from its declared state: {len(drifted)} resource(s) changed outside the "
        f"pipeline. {seen}\n\n"
        "| operation to restore | type | resource | properties |\n|---|---|---|---|\n"
        f"{rows}\n\n"
        "Either restore the declared state (run the deploy workflow for this stack: `pulumi up` reverts the "
        "out-of-band change) or adopt the change in the country file through a pull request. Every change "
        "outside the pipeline is a sovereignty finding: record who made it and why.\n"
    )
