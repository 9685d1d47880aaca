"""The floor replays a plan's registrations faithfully, and with no toolkit code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pulumi

from benchmarks.replay import replay_document
from sovereign.engine.recorder import (
    Recording,
    Registration,
    _make_mocks_class,
    _make_monitor_class,
    run_program,
)

ROOT = Path(__file__).resolve().parents[2]


def _program() -> None:
    """Every registration feature a plan document records, on generic resources."""
    provider = pulumi.ProviderResource("example", "prov", {"region": "germanywestcentral"})
    parent = pulumi.ComponentResource("sovereign:test:Unit", "unit")
    vault = pulumi.CustomResource(
        "example:index:Vault",
        "vault",
        {"sku": {"name": "premium"}, "tags": {"country": "de"}},
        pulumi.ResourceOptions(parent=parent, provider=provider, protect=True, retain_on_delete=True),
    )
    pulumi.CustomResource(
        "example:index:Key",
        "key",
        {"vault": "vault-id", "size": 3072, "password": pulumi.Output.secret("hunter2"), "ops": ["wrap"]},
        pulumi.ResourceOptions(
            parent=parent, provider=provider, depends_on=[vault], aliases=[pulumi.Alias(name="old-key")]
        ),
    )
    parent.register_outputs({})


def _document(recording: Recording) -> dict[str, Any]:
    """The resources as ``sovereign.plan.document`` writes them."""
    return {
        "stack": "test",
        "resources": [
            {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "custom": r.custom,
                "parent": r.parent,
                "provider": r.provider,
                "protect": r.protect,
                "dependencies": list(r.dependencies),
                "inputs": r.inputs,
                "retain_on_delete": r.retain_on_delete,
                "aliases": list(r.aliases),
            }
            for r in recording.registrations
        ],
    }


def _essence(r: Registration) -> tuple[Any, ...]:
    provider_urn = r.provider.rsplit("::", 1)[0] if r.provider else None  # ids differ between mocks
    return (
        r.type,
        r.name,
        r.custom,
        r.parent,
        provider_urn,
        r.protect,
        r.retain_on_delete,
        frozenset(r.dependencies),
        r.aliases,
        json.dumps(r.inputs, sort_keys=True),
        frozenset(r.secret_paths),
    )


def test_replay_registers_what_the_program_registered() -> None:
    original = run_program(_program, stack="test")
    document = _document(original)
    monitor = _make_monitor_class()(_make_mocks_class()())
    urns = replay_document(document, monitor=monitor)
    replayed = monitor.recording.by_urn()

    assert sorted(urns) == sorted(r.urn for r in original.registrations)
    assert len(original.registrations) == 4
    for r in original.registrations:
        assert _essence(replayed[r.urn]) == _essence(r), r.urn
    key = replayed["urn:pulumi:test::sovereign-ai::sovereign:test:Unit$example:index:Key::key"]
    assert key.inputs["password"] == "[secret]" and "password" in key.secret_paths
    assert len(key.aliases) == 1 and key.aliases[0].split("::")[-1] == "old-key"  # a name or its URN
    assert key.dependencies == (
        "urn:pulumi:test::sovereign-ai::sovereign:test:Unit$example:index:Vault::vault",
    )


def test_replay_command_loads_no_toolkit_module(tmp_path: Path) -> None:
    document = _document(run_program(_program, stack="test"))
    plan = tmp_path / "test.json"
    plan.write_text(json.dumps(document), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.replay", str(plan), "--count"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert sorted(out["urns"]) == sorted(r["urn"] for r in document["resources"])
    assert out["toolkit_modules"] == []
    assert out["sdk_counts"]["resources"] == 4 + 1  # and the root stack
    assert out["replay_s"] > 0
