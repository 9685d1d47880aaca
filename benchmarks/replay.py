"""The floor of an offline plan: a plan document's registrations replayed through the bare SDK mock runtime.

``sovereign plan`` runs the real stack program (typed provider classes, components, Output chains, config
validation, sovereignty checks). The floor is what any Pulumi program declaring *the same resources* pays at
the least: every recorded resource registered again, in recorded order, with its type, name, parent,
provider, inputs, dependencies, protect, retain-on-delete and aliases, through generic
``pulumi.CustomResource`` / ``ComponentResource`` / ``ProviderResource`` under ``pulumi.runtime.set_mocks``
with the SDK's own ``MockMonitor`` and a mock that echoes inputs. No toolkit module is imported here (this
module imports only the standard library and ``pulumi``), so the replay's cost is the SDK's alone.

Run as ``python -m benchmarks.replay PLAN.json [--import-from PROBE.json]`` in a fresh process; it prints one JSON
line with its timings and the URNs it registered. ``--import-from`` loads modules (the provider SDK packages the
real plan loaded) before the replay, to separate the provider SDKs' import cost from the toolkit's own.

Non-goals: invokes (``getClientConfig`` and the like) and provider-computed outputs are not replayed; the
document does not record them, and they are a small part of a plan (see benchmarks/RESULTS.md).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["replay_document"]

_TOOLKIT = ("sovereign", "stacks", "components")
SECRET = "[secret]"
"""How a plan document shows a secret input; replayed as a secret so serialisation does the same work."""


def _secrets_restored(value: Any) -> Any:
    import pulumi

    if value == SECRET:
        return pulumi.Output.secret(SECRET)
    if isinstance(value, Mapping):
        return {k: _secrets_restored(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_secrets_restored(v) for v in value]
    return value


def _aliases(recorded: list[str]) -> list[Any]:
    import pulumi

    # The document keeps alias URNs and alias names in one list (sovereign.engine.recorder).
    return [a if a.startswith("urn:pulumi:") else pulumi.Alias(name=a) for a in recorded]


def _in_dependency_order(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Parents, providers and dependencies before the resources that name them (plan documents are sorted by
    URN, which puts a component's grandchildren before it when their type sorts first)."""
    by_urn = {r["urn"]: r for r in resources}
    ordered: list[dict[str, Any]] = []
    done: set[str] = set()

    def visit(urn: str) -> None:
        if urn in done or urn not in by_urn:
            return
        done.add(urn)
        r = by_urn[urn]
        provider = (r.get("provider") or "").rsplit("::", 1)[0]
        for before in (r.get("parent") or "", provider, *r["dependencies"]):
            visit(before)
        ordered.append(r)

    for r in resources:
        visit(r["urn"])
    return ordered


def _program(resources: list[dict[str, Any]]) -> None:
    import pulumi

    declared: dict[str, pulumi.Resource] = {}
    for r in _in_dependency_order(resources):
        provider_ref = r.get("provider")
        # A provider reference is "<provider urn>::<id>"; the URN is everything before the last "::".
        provider = declared.get(provider_ref.rsplit("::", 1)[0]) if provider_ref else None
        opts = pulumi.ResourceOptions(
            parent=declared.get(r["parent"] or ""),
            depends_on=[declared[d] for d in r["dependencies"] if d in declared],
            provider=provider if isinstance(provider, pulumi.ProviderResource) else None,
            protect=r["protect"],
            retain_on_delete=r.get("retain_on_delete") or None,
            aliases=_aliases(r.get("aliases") or []) or None,
        )
        inputs = _secrets_restored(r["inputs"])
        if r["type"].startswith("pulumi:providers:"):
            package = r["type"].removeprefix("pulumi:providers:")
            resource: pulumi.Resource = pulumi.ProviderResource(package, r["name"], inputs, opts)
        elif r["custom"]:
            resource = pulumi.CustomResource(r["type"], r["name"], inputs, opts)
        else:
            component = pulumi.ComponentResource(r["type"], r["name"], inputs, opts)
            component.register_outputs({})
            resource = component
        declared[r["urn"]] = resource


def replay_document(
    document: Mapping[str, Any], *, project: str = "sovereign-ai", monitor: Any = None
) -> list[str]:
    """Register every resource of ``document`` under the SDK's mock runtime; return the URNs registered.

    ``monitor``: a ``MockMonitor`` (or subclass, e.g. a recording one for tests) built on any mocks; by
    default the SDK's own ``MockMonitor`` with mocks that echo inputs. The SDK keeps global state: run
    this in a process of its own, or reset the SDK settings between programs as tests do.
    """
    import pulumi
    from pulumi.runtime import settings
    from pulumi.runtime.mocks import MockMonitor
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    class EchoMocks(pulumi.runtime.Mocks):
        """The least a mock can do: an id from the name, the inputs as the state."""

        def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
            return f"{args.name}-id", dict(args.inputs)

        def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
            return {}, []

    resources = list(document["resources"])
    settings.reset_options()
    monitor = monitor or MockMonitor(EchoMocks())
    pulumi.runtime.set_mocks(monitor.mocks, project=project, stack=document["stack"], monitor=monitor)
    try:
        _sync_await(run_pulumi_func(lambda: _program(resources)))
    finally:
        settings.reset_options()
    return list(monitor.resources)


def main(argv: list[str] | None = None) -> None:
    started = time.perf_counter()
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.replay", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("plan", type=Path, help="a plan document (sovereign plan --format json --out DIR)")
    parser.add_argument(
        "--import-from",
        type=Path,
        help="a JSON file whose 'provider_modules' list is imported first (benchmarks.probe writes it)",
    )
    parser.add_argument(
        "--count", action="store_true", help="count the SDK objects created (benchmarks.probe.SdkCounter)"
    )
    args = parser.parse_args(argv)
    counter = None
    if args.count:
        from benchmarks.probe import SdkCounter  # stdlib and pulumi only, like this module

        counter = SdkCounter()
        counter.install()
    t0 = time.perf_counter()
    imports = json.loads(args.import_from.read_text())["provider_modules"] if args.import_from else []
    for name in imports:
        module = importlib.import_module(name)
        hasattr(module, "__all__")  # touch it: a provider SDK's lazy placeholder loads on first access
    t1 = time.perf_counter()
    import pulumi  # noqa: F401  (timed: the SDK itself is part of the floor)

    t2 = time.perf_counter()
    data = json.loads(args.plan.read_text(encoding="utf-8"))
    document = data[0] if isinstance(data, list) else data
    urns = replay_document(document)
    t3 = time.perf_counter()
    result = {
        "imports_s": t1 - t0,
        "import_pulumi_s": t2 - t1,
        "replay_s": t3 - t2,
        "in_process_s": t3 - started,
        "urns": urns,
        "sdk_counts": dict(counter.counts) if counter else {},
        "toolkit_modules": sorted(m for m in sys.modules if m.split(".")[0] in _TOOLKIT),
    }
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
