"""Human renderings of plan documents: a terminal tree, and markdown for a pull-request comment."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from typing import Any

from rich.console import Group
from rich.tree import Tree

from sovereign.plan.document import checks_failed

__all__ = ["component_tree", "render_markdown", "render_table"]


def component_tree(document: dict[str, Any]) -> dict[str | None, list[dict[str, Any]]]:
    """Children by parent URN (the root stack's children under None or the stack URN)."""
    children: dict[str | None, list[dict[str, Any]]] = {}
    for r in document["resources"]:
        children.setdefault(r["parent"], []).append(r)
    return children


def _roots(
    document: dict[str, Any], children: dict[str | None, list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    urns = {r["urn"] for r in document["resources"]}
    return [r for parent, kids in children.items() if parent not in urns for r in kids]


def _short(type_token: str) -> str:
    return type_token.rsplit(":", 1)[-1]


def _subtree_count(urn: str, children: dict[str | None, list[dict[str, Any]]]) -> int:
    return sum(1 + _subtree_count(c["urn"], children) for c in children.get(urn, []))


def render_table(document: dict[str, Any]) -> Group:
    children = component_tree(document)
    failed = checks_failed(document)
    status = "[red]FAIL[/red]" if failed else "[green]pass[/green]"
    title = (
        f"[bold]{document['stack']}[/bold] ({document['cloud']}): {document['summary']['resources']} resources, "
        f"{failed} failed check(s) {status}"
    )
    tree = Tree(title)

    def add(node: Tree, resource: dict[str, Any]) -> None:
        kids = children.get(resource["urn"], [])
        if resource["custom"]:
            return
        label = (
            f"{resource['name']} [dim]{resource['type']}[/dim] ({_subtree_count(resource['urn'], children)})"
        )
        branch = node.add(label)
        leaves = Counter(_short(k["type"]) for k in kids if k["custom"])
        for kind, count in sorted(leaves.items()):
            branch.add(f"{kind} x{count}" if count > 1 else kind)
        for kid in kids:
            add(branch, kid)

    roots = _roots(document, children)
    for root in roots:
        add(tree, root)
    loose = Counter(_short(r["type"]) for r in roots if r["custom"])
    for kind, count in sorted(loose.items()):
        tree.add(f"{kind} x{count}" if count > 1 else kind)
    failures = [c for c in document["checks"] if c["status"] == "fail"]
    lines = [f"[red]✗ {c['policy']}[/red]: {c['message']} [dim]{c['urn'] or ''}[/dim]" for c in failures]
    return Group(tree, *lines)


def _mermaid_id(urn: str) -> str:
    digest = hashlib.sha256(urn.encode()).hexdigest()[:8]  # stable across runs, unlike hash()
    return "n" + re.sub(r"[^A-Za-z0-9]", "_", urn.rsplit("::", maxsplit=1)[-1])[:40] + digest


def render_markdown(documents: list[dict[str, Any]]) -> str:
    out = ["## Sovereign plan", ""]
    out += ["| stack | cloud | resources | failed checks |", "|---|---|---|---|"]
    for d in documents:
        failed = checks_failed(d)
        out.append(
            f"| `{d['stack']}` | {d['cloud']} | {d['summary']['resources']} | {'❌ ' if failed else '✅ '}{failed} |"
        )
    for d in documents:
        out += ["", f"### `{d['stack']}`", ""]
        failures = [c for c in d["checks"] if c["status"] == "fail"]
        if failures:
            out += ["| policy | resource | problem |", "|---|---|---|"]
            out += [
                f"| `{c['policy']}` | `{(c['urn'] or 'stack').split('::')[-1]}` | {c['message']} |"
                for c in failures
            ]
        else:
            out.append(f"All {len(d['checks'])} sovereignty checks pass.")
        for note in d.get("notes", []):
            out.append(f"> {note}")
        out += ["", "```mermaid", "graph TD"]
        children = component_tree(d)
        ids: dict[str, str] = {}
        for r in d["resources"]:
            if not r["custom"]:
                ids[r["urn"]] = _mermaid_id(r["urn"])
                count = sum(1 for k in children.get(r["urn"], []) if k["custom"])
                out.append(f'    {ids[r["urn"]]}["{r["name"]}<br/>{_short(r["type"])} ({count})"]')
        for r in d["resources"]:
            if not r["custom"] and r["parent"] in ids:
                out.append(f"    {ids[r['parent']]} --> {ids[r['urn']]}")
        out.append("```")
    return "\n".join(out) + "\n"
