"""Compare two plans of a stack: added, removed, changed (property level) and REPLACED resources.

A URN is a resource's identity: when a change moves a resource to another URN (renamed, re-parented), Pulumi
destroys the real resource and creates a new one; for a vault, a bucket or a cluster that is data loss, so
such pairs are reported as replaced, loudly. Changes that touch sovereignty are listed first: a change is
sovereignty-relevant when its path is one a sovereignty rule reads (``Rule.reads`` in ``sovereign.policies``),
so the diff and the checks can never disagree about what matters. The register records of the deployed models
(the documents' ``models`` section) are compared too, under ``models.yaml#<model id>``: an approval changes no
resource.
"""

from __future__ import annotations

import difflib
import fnmatch
import functools
import re
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["StackDiff", "diff_documents", "is_sovereignty_relevant", "render_diff_markdown"]

_INDEX = re.compile(r"\[\d+\]")


@functools.cache
def _sovereign_paths() -> tuple[str, ...]:
    from sovereign.policies import ALL_RULES

    return tuple(dict.fromkeys(pattern for rule in ALL_RULES if rule.sovereignty for pattern in rule.reads))


def is_sovereignty_relevant(path: str) -> bool:
    """Whether a flattened plan path (``inputs.spec.template.spec.containers[0].image``) is read by a rule."""
    generic = _INDEX.sub("", path)  # list positions do not matter: containers[1].image -> containers.image
    return any(fnmatch.fnmatchcase(generic, pattern) for pattern in _sovereign_paths())


@dataclass(frozen=True)
class Change:
    path: str
    before: Any
    after: Any
    sovereignty: bool


@dataclass
class StackDiff:
    stack: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    replaced: list[dict[str, str]] = field(default_factory=list)
    renamed: list[dict[str, str]] = field(default_factory=list)
    """New URNs that keep an old one through an alias: the engine updates the real resource in place."""
    changed: dict[str, list[Change]] = field(default_factory=dict)
    checks_newly_failing: list[dict[str, Any]] = field(default_factory=list)

    @property
    def sovereignty_changes(self) -> dict[str, list[Change]]:
        return {
            urn: [c for c in cs if c.sovereignty]
            for urn, cs in self.changed.items()
            if any(c.sovereignty for c in cs)
        }

    @property
    def empty(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.replaced
            or self.renamed
            or self.changed
            or self.checks_newly_failing
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "replaced": self.replaced,
            "renamed": self.renamed,
            "sovereignty_changes": {u: [asdict(c) for c in cs] for u, cs in self.sovereignty_changes.items()},
            "added": self.added,
            "removed": self.removed,
            "changed": {u: [asdict(c) for c in cs] for u, cs in self.changed.items()},
            "checks_newly_failing": self.checks_newly_failing,
        }


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out or {prefix: {}}
    if isinstance(value, list):
        out = {}
        for i, v in enumerate(value):
            out.update(_flatten(v, f"{prefix}[{i}]"))
        return out or {prefix: []}
    return {prefix: value}


def _comparable(resource: dict[str, Any]) -> dict[str, Any]:
    return {
        "inputs": resource["inputs"],
        "protect": resource["protect"],
        "provider": resource.get("provider"),
    }


def _changes(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    a, b = _flatten(_comparable(before)), _flatten(_comparable(after))
    changes = []
    for path in sorted(set(a) | set(b)):
        if a.get(path, None) != b.get(path, None) or (path in a) != (path in b):
            changes.append(Change(path, a.get(path), b.get(path), is_sovereignty_relevant(path)))
    return changes


MODELS_KEY = "models.yaml#"
"""Changes of a deployed model's register record are listed under ``models.yaml#<model id>``."""


def _model_changes(base: dict[str, Any], head: dict[str, Any]) -> dict[str, list[Change]]:
    """Changes of the register records of the deployed models (the documents' ``models`` sections): an approval
    changes no resource, so without them a new expiry or country would be 'No changes'. Paths are
    ``models.<field>``, relevant where the approved-models rule reads the field."""
    old = {m["model"]: m for m in base.get("models", [])}
    new = {m["model"]: m for m in head.get("models", [])}
    out: dict[str, list[Change]] = {}
    for model_id in sorted(set(old) | set(new)):
        a, b = (_record_paths(side.get(model_id)) for side in (old, new))
        changes = [
            Change(path, a.get(path), b.get(path), is_sovereignty_relevant(path))
            for path in sorted(set(a) | set(b))
            if a.get(path) != b.get(path) or (path in a) != (path in b)
        ]
        if changes:
            out[f"{MODELS_KEY}{model_id}"] = changes
    return out


def _record_paths(record: dict[str, Any] | None) -> dict[str, Any]:
    return _flatten({k: v for k, v in record.items() if k != "model"}, "models") if record else {}


def _logical_name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def _depth(urn: str, resources: dict[str, dict[str, Any]]) -> int:
    depth = 0
    parent = resources[urn].get("parent")
    while parent in resources and depth < 100:
        depth += 1
        parent = resources[parent].get("parent")
    return depth


def diff_documents(stack: str, base: dict[str, Any] | None, head: dict[str, Any] | None) -> StackDiff:
    result = StackDiff(stack)
    old = {r["urn"]: r for r in (base or {}).get("resources", [])}
    new = {r["urn"]: r for r in (head or {}).get("resources", [])}
    # Parents before children (depth in the parent chain), so children can follow a paired parent.
    gone = sorted((u for u in old if u not in new), key=lambda u: (_depth(u, old), u))
    came = [u for u in new if u not in old]
    # A new URN that lists a vanished one among its aliases is that resource renamed: the engine finds the old
    # state through the alias and updates in place. Compare the two as one resource.
    kept: dict[str, str] = {}
    for urn in list(came):
        alias = next((a for a in new[urn].get("aliases", []) if a in gone and a not in kept), None)
        if alias is not None:
            kept[alias] = urn
            gone.remove(alias)
            came.remove(urn)
            result.renamed.append({"from": alias, "to": urn, "type": new[urn]["type"]})
    # A vanished URN paired with a new one of the same type, under the same parent or under the new URN of its
    # paired parent, is the same logical resource renamed or re-parented: the engine would delete the real
    # resource and create another. Components (custom=False) are paired only to follow their children.
    parent_map: dict[str | None, str | None] = {}
    for urn in list(gone):
        r = old[urn]
        parents = {r["parent"], parent_map.get(r["parent"], r["parent"])}
        candidates = [u for u in came if new[u]["type"] == r["type"] and new[u]["parent"] in parents]
        if not candidates:
            continue
        name = _logical_name(urn)
        match = max(candidates, key=lambda u: difflib.SequenceMatcher(None, name, _logical_name(u)).ratio())
        parent_map[urn] = match
        gone.remove(urn)
        came.remove(match)
        if r["custom"]:
            result.replaced.append({"from": urn, "to": match, "type": r["type"]})
    result.removed = sorted(gone)
    result.added = sorted(came)
    for before, after in sorted([*((u, u) for u in set(old) & set(new)), *kept.items()], key=lambda p: p[1]):
        changes = _changes(old[before], new[after])
        if changes:
            result.changed[after] = changes
    result.changed.update(_model_changes(base or {}, head or {}))
    failing_before = {
        (c["policy"], c["urn"]) for c in (base or {}).get("checks", []) if c["status"] == "fail"
    }
    result.checks_newly_failing = [
        c
        for c in (head or {}).get("checks", [])
        if c["status"] == "fail" and (c["policy"], c["urn"]) not in failing_before
    ]
    return result


def _short(urn: str) -> str:
    return urn.split("::", 2)[-1] if "::" in urn else urn


def _value(v: Any) -> str:
    text = "∅" if v is None else str(v)
    return text if len(text) <= 70 else text[:67] + "..."


def render_diff_markdown(diffs: list[StackDiff], base_ref: str) -> str:
    out = [f"## Sovereign diff against `{base_ref}`", ""]
    for d in diffs:
        out.append(f"### `{d.stack}`")
        if d.empty:
            out += ["No changes.", ""]
            continue
        summary = (
            f"{len(d.added)} added, {len(d.removed)} removed, {len(d.changed)} changed, "
            f"{len(d.renamed)} renamed, **{len(d.replaced)} replaced**"
        )
        out += [summary, ""]
        if d.replaced:
            out.append("#### ⚠️ REPLACED: the real resource is destroyed and created again")
            out += [f"- `{_short(r['from'])}` → `{_short(r['to'])}`" for r in d.replaced]
            out.append("")
        if d.checks_newly_failing:
            out.append("#### ❌ Newly failing sovereignty checks")
            out += [f"- `{c['policy']}`: {c['message']}" for c in d.checks_newly_failing]
            out.append("")
        sovereign = d.sovereignty_changes
        if sovereign:
            out.append("#### Sovereignty-relevant changes")
            for urn, changes in sovereign.items():
                out.append(f"- `{_short(urn)}`")
                out += [f"  - `{c.path}`: `{_value(c.before)}` → `{_value(c.after)}`" for c in changes]
            out.append("")
        if d.renamed:
            out.append("#### Renamed, kept through aliases (updated in place, not recreated)")
            out += [f"- `{_short(r['from'])}` → `{_short(r['to'])}`" for r in d.renamed]
            out.append("")
        for title, urns in (("Added", d.added), ("Removed", d.removed)):
            if urns:
                out.append(f"#### {title}")
                out += [f"- `{_short(u)}`" for u in urns]
                out.append("")
        others = {u: [c for c in cs if not c.sovereignty] for u, cs in d.changed.items()}
        others = {u: cs for u, cs in others.items() if cs}
        if others:
            out.append("#### Other changes")
            for urn, changes in others.items():
                out.append(
                    f"- `{_short(urn)}`: "
                    + ", ".join(f"`{c.path}`" for c in changes[:8])
                    + (f" (+{len(changes) - 8} more)" if len(changes) > 8 else "")
                )
            out.append("")
    return "\n".join(out) + "\n"
