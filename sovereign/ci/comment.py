"""The one sticky pull-request comment: every affected stack's offline plan and diff, under a hidden marker.

The workflow finds its earlier comment by the marker and edits it, so a pull request carries one comment that
follows its latest push instead of one per push. GitHub refuses comments over 65,536 characters: sections that
do not fit are named with a link to the full output instead of being cut mid-table. Non-goals: no GitHub API
calls (the workflow posts), no plan rendering (the sections come from ``sovereign plan`` / ``sovereign diff``).
"""

from __future__ import annotations

from pathlib import Path

from sovereign.config.errors import ConfigError, Problem

__all__ = ["COMMENT_MARKER", "MAX_COMMENT_CHARS", "assemble_comment", "read_sections"]

COMMENT_MARKER = "<!-- sovereign-plan -->"
"""First line of the comment; the workflow edits the bot's comment that starts with it."""
MAX_COMMENT_CHARS = 65_536
"""GitHub's limit for an issue or pull-request comment body."""
_RESERVE = 2_000
"""Kept free for the header and the list of sections left out."""


def read_sections(folder: Path) -> list[tuple[str, str]]:
    """``(stack, markdown)`` for every ``<stack>.md`` in ``folder``, sorted by stack name."""
    if not folder.is_dir():
        raise ConfigError(
            [Problem(folder, None, "SECTIONS", "is not a folder", "pass the folder of <stack>.md files")]
        )
    return [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.md"))]


def assemble_comment(
    sections: list[tuple[str, str]], *, details_url: str | None = None, limit: int = MAX_COMMENT_CHARS
) -> str:
    """The comment body: marker, summary, one collapsible section per stack, within ``limit`` characters."""
    where = f" ([full output]({details_url}))" if details_url else ""
    if not sections:
        return f"{COMMENT_MARKER}\n## Sovereign plan\n\nNo stack is affected by this change.{where}\n"
    names = ", ".join(f"`{stack}`" for stack, _ in sections)
    header = f"{COMMENT_MARKER}\n## Sovereign plan\n\n{len(sections)} stack(s) affected: {names}{where}\n\n"
    budget = limit - len(header) - _RESERVE
    body, left_out = [], []
    for stack, markdown in sections:
        block = f"<details><summary><b>{stack}</b></summary>\n\n{markdown.strip()}\n\n</details>\n\n"
        if len(block) <= budget:
            body.append(block)
            budget -= len(block)
        else:
            left_out.append(stack)
    tail = ""
    if left_out:
        shown = ", ".join(f"`{s}`" for s in left_out[:50]) + (" ..." if len(left_out) > 50 else "")
        tail = (
            f"**{len(left_out)} stack(s) left out** (GitHub limits a comment to {limit:,} characters): "
            f"{shown}. Their plans are in the workflow run's job summaries{where}.\n"
        )
    return header + "".join(body) + tail
