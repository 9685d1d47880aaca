"""In-process probes, each run in a fresh process by ``benchmarks/run.py``; results go to ``--result FILE``.

``validate``: ``sovereign validate`` through the real CLI entry point; reports its time and which provider
SDK modules it loaded (it must load none).

``plan STACK``: ``sovereign plan STACK --format json`` through the real CLI entry point, timed by phase
(config validation, resource registration, sovereignty checks, document), with the provider SDK modules
it loaded, counts of the SDK objects it created (resources, outputs, ``apply`` calls, alias URNs) and the
process's peak RSS. ``--preload-from FILE`` first imports the modules another probe reported as loaded, so
that import cost is timed on its own, apart from the phases. ``--without-provider-aliases`` (measurement
only) drops the providers' API-version type aliases, to time what they cost.

``plan-many``: what ``sovereign plan --all --workers W`` does (``plan_stacks``: one fresh worker process per
stack from a forkserver, on W cores), for the first ``--count`` stacks of the stacks folder in the order of
:func:`benchmarks.synthetic.interleave`, repeating stacks past the distinct ones (see that module).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import importlib
import json
import resource
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["PROVIDER_PACKAGES", "PhaseTimer", "loaded_modules"]

PROVIDER_PACKAGES = ("pulumi_azure_native", "pulumi_oci", "pulumi_kubernetes")
TOOLKIT_PACKAGES = ("sovereign", "stacks", "components")


def loaded_modules(prefixes: tuple[str, ...]) -> list[str]:
    """Modules under ``prefixes`` whose code has run. Provider SDKs register their subpackages as lazy
    placeholders in ``sys.modules``; a placeholder has loaded nothing, so it does not count."""
    names = []
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] in prefixes and type(module).__name__ != "_LazyModule":
            names.append(name)
    return sorted(names)


def peak_rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class PhaseTimer:
    """Exclusive wall time per phase of wrapped functions (a wrapped call inside another is not counted
    twice), installed by replacing a function everywhere the toolkit's modules hold it."""

    def __init__(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self._children: list[float] = []

    def wrap(self, fn: Callable[..., Any], phase: str) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            self._children.append(0.0)
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - start
                self.seconds[phase] += elapsed - self._children.pop()
                if self._children:
                    self._children[-1] += elapsed

        return timed

    def install(self, module_name: str, attribute: str, phase: str) -> None:
        replace_everywhere(module_name, attribute, lambda original: self.wrap(original, phase))


def replace_everywhere(module_name: str, attribute: str, make: Callable[[Any], Any]) -> None:
    """Replace a toolkit function by ``make(original)`` in its module and in every toolkit module that
    imported it by name."""
    original = getattr(importlib.import_module(module_name), attribute)
    replacement = make(original)
    for name, module in list(sys.modules.items()):
        if (
            name.split(".")[0] in (*TOOLKIT_PACKAGES, "benchmarks")
            and getattr(module, attribute, None) is original
        ):
            setattr(module, attribute, replacement)


def drop_provider_type_aliases() -> None:
    """Measurement only, never in a real plan: register no provider-declared type alias, to time what they
    cost. azure-native and pulumi-kubernetes resources alias every older API version of their type
    (``Alias(type_="azure-native:network/v20150501preview:VirtualNetwork")`` and 60 more for a virtual
    network), and the SDK computes a URN for each one as the resource is constructed."""
    import copy

    import pulumi

    def transformation(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        package = args.type_.split(":", 1)[0]

        def provider_declared(alias: Any) -> bool:
            return (
                isinstance(alias, pulumi.Alias)
                and isinstance(alias.type_, str)
                and alias.type_.split(":", 1)[0] == package
                and all(v is ... for v in (alias.name, alias.parent, alias.stack, alias.project))
            )

        aliases = list(args.opts.aliases or [])
        kept = [a for a in aliases if not provider_declared(a)]
        if len(kept) == len(aliases):
            return None
        opts = copy.copy(args.opts)
        opts.aliases = kept or None
        return pulumi.ResourceTransformationResult(args.props, opts)

    def make(run_program: Callable[..., Any]) -> Callable[..., Any]:
        def without_aliases(program: Callable[[], None], **kwargs: Any) -> Any:
            def wrapped() -> None:
                pulumi.runtime.register_stack_transformation(transformation)
                program()

            return run_program(wrapped, **kwargs)

        return without_aliases

    replace_everywhere("sovereign.engine.recorder", "run_program", make)


class SdkCounter:
    """Counts Pulumi SDK objects as the program creates them (cheap: one integer add per call)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def install(self) -> None:
        import pulumi
        from pulumi.runtime import resource as runtime_resource

        self._count(pulumi.Output, "_track", "outputs")  # every Output, however built
        self._count(pulumi.Output, "apply", "apply_calls")
        self._count(pulumi.Resource, "__init__", "resources")
        self._count(runtime_resource, "collapse_alias_to_urn", "alias_urns")

    def _count(self, owner: Any, attribute: str, key: str) -> None:
        original = getattr(owner, attribute)

        @functools.wraps(original)
        def counted(*args: Any, **kwargs: Any) -> Any:
            self.counts[key] += 1
            return original(*args, **kwargs)

        setattr(owner, attribute, counted)
        if owner.__name__ == "pulumi.runtime.resource":
            # pulumi.resource imported the function by name; count its calls too.
            import pulumi.resource

            pulumi.resource.collapse_alias_to_urn = counted  # type: ignore[attr-defined]


def _run_cli(argv: list[str]) -> int:
    from sovereign.cli import main

    sys.argv = ["sovereign", *argv]
    try:
        main()
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0


def probe_validate(as_of: str) -> dict[str, Any]:
    start = time.perf_counter()
    code = _run_cli(["validate", "--as-of", as_of])
    return {
        "exit": code,
        "in_process_s": time.perf_counter() - start,
        "provider_modules": loaded_modules(PROVIDER_PACKAGES),
        "peak_rss_kb": peak_rss_kb(),
    }


def probe_plan(
    stack: str, as_of: str, out: Path, preload: list[str], *, without_provider_aliases: bool = False
) -> dict[str, Any]:
    start = time.perf_counter()
    imports: dict[str, float] = {}
    for group, prefixes in (("provider_sdk_import_s", PROVIDER_PACKAGES), ("toolkit_import_s", None)):
        t0 = time.perf_counter()
        for name in preload:
            if (name.split(".")[0] in PROVIDER_PACKAGES) == (prefixes is not None):
                module = importlib.import_module(name)
                hasattr(module, "__all__")  # touch it: loads a lazy placeholder
        imports[group] = time.perf_counter() - t0
    importlib.import_module("sovereign.plan.runner")
    if without_provider_aliases:
        drop_provider_type_aliases()
    timer = PhaseTimer()
    for module_name, attribute, phase in (
        ("sovereign.config.loader", "load_country", "config_s"),
        ("sovereign.config.loader", "load_register", "config_s"),
        ("sovereign.engine.recorder", "run_program", "registration_s"),
        ("sovereign.policies", "evaluate", "checks_s"),
        ("sovereign.policies", "view_of_registration", "checks_s"),
        ("sovereign.plan.document", "build_document", "document_s"),
    ):
        timer.install(module_name, attribute, phase)
    counter = SdkCounter()
    counter.install()
    t0 = time.perf_counter()
    code = _run_cli(["plan", stack, "--format", "json", "--out", str(out), "--as-of", as_of])
    cli_s = time.perf_counter() - t0
    phases = dict(timer.seconds)
    phases["cli_and_output_s"] = cli_s - sum(phases.values())
    return {
        "exit": code,
        "in_process_s": time.perf_counter() - start,
        **imports,
        "phases": phases,
        "sdk_counts": dict(counter.counts),
        "provider_modules": loaded_modules(PROVIDER_PACKAGES),
        "toolkit_modules": loaded_modules(TOOLKIT_PACKAGES),
        "peak_rss_kb": peak_rss_kb(),
    }


def probe_plan_many(count: int, workers: int | None, as_of: str, out: Path) -> dict[str, Any]:
    from benchmarks.synthetic import interleave, take
    from sovereign.config.loader import default_config_dir
    from sovereign.plan.runner import plan_stacks
    from sovereign.plan.stackfiles import default_stacks_dir, find_stacks

    config_dir = default_config_dir()

    def cloud_of(stack: Any) -> str:
        text = (config_dir / f"{stack.country}.yaml").read_text(encoding="utf-8")
        return "oci" if "\ncloud: oci" in text else "azure"

    stacks = take(interleave(find_stacks(default_stacks_dir()), cloud_of), count)
    start = time.perf_counter()
    documents = plan_stacks(stacks, as_of=dt.date.fromisoformat(as_of), workers=workers)
    out.mkdir(parents=True, exist_ok=True)
    for i, document in enumerate(documents):
        (out / f"{i:03d}-{document['stack']}.json").write_text(json.dumps(document), encoding="utf-8")
    return {
        "seconds": time.perf_counter() - start,
        "stacks": [d["stack"] for d in documents],
        "distinct": len({d["stack"] for d in documents}),
        "clouds": dict(Counter(d["cloud"] for d in documents)),
        "resources": sum(d["summary"]["resources"] for d in documents),
        "checks_failed": sum(d["summary"]["checks_failed"] for d in documents),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.probe")
    parser.add_argument("--result", type=Path, required=True, help="write the JSON result here")
    parser.add_argument("--as-of", default="2026-11-22")
    sub = parser.add_subparsers(dest="probe", required=True)
    sub.add_parser("validate")
    plan = sub.add_parser("plan")
    plan.add_argument("stack")
    plan.add_argument("--out", type=Path, required=True)
    plan.add_argument("--preload-from", type=Path, help="a plan probe's result: import its modules first")
    plan.add_argument(
        "--without-provider-aliases",
        action="store_true",
        help="measurement only: drop the providers' API-version type aliases, to time what they cost",
    )
    many = sub.add_parser("plan-many")
    many.add_argument("--count", type=int, required=True)
    many.add_argument("--workers", type=int)
    many.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.probe == "validate":
        result = probe_validate(args.as_of)
    elif args.probe == "plan":
        preload: list[str] = []
        if args.preload_from:
            previous = json.loads(args.preload_from.read_text(encoding="utf-8"))
            preload = previous["provider_modules"] + previous["toolkit_modules"]
        result = probe_plan(
            args.stack, args.as_of, args.out, preload, without_provider_aliases=args.without_provider_aliases
        )
    else:
        result = probe_plan_many(args.count, args.workers, args.as_of, args.out)
    args.result.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
