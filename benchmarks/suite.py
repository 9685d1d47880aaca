"""The measurements of issue 8: footprint, plan overhead against the SDK floor, scale and ``--all`` speed-up.

Each function runs real commands in fresh processes through :class:`Bench` and returns plain data for
``benchmarks/report.py``. The commands: ``python -m sovereign ...`` (the ``sovereign`` console script),
``python -m benchmarks.replay`` (the floor) and ``python -m benchmarks.probe`` (in-process views of the
same CLI commands: modules loaded, phases, SDK object counts; ``plan-many`` for more stacks than one config
folder can hold).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.measure import ProcessInfo, Run, max_concurrent, median, run, wait_for_quiet

__all__ = ["PHASES", "Bench", "Settings", "footprint", "overhead", "scale"]

ROOT = Path(__file__).resolve().parents[1]

PHASES = {
    "startup_s": "interpreter start and exit",
    "provider_sdk_import_s": "provider SDK import",
    "toolkit_import_s": "toolkit import (with typer, rich, pydantic, ruamel)",
    "config_s": "config validation",
    "registration_s": "resource registration (program + SDK)",
    "checks_s": "sovereignty checks",
    "document_s": "plan document",
    "cli_and_output_s": "CLI, JSON output",
}


@dataclass(frozen=True)
class Settings:
    as_of: str = "2026-11-22"
    reps: int = 5
    scale_reps: int = 3
    """Repetitions of the scale runs up to ``speedup_count`` stacks; larger runs are measured once."""
    counts: tuple[int, ...] = (1, 10, 50)
    speedup_count: int = 10
    """The count at which ``--workers 1`` is timed against all cores."""
    speedup_reps: int = 2
    azure_stack: str = "de-prod"
    oci_stack: str = "fr-prod"
    quiet_budget_s: float = 300.0
    """Total time the run may spend waiting for other work on the machine to stop."""


@dataclass
class Bench:
    """Runs measured commands; before each, waits (within a budget) until the machine is otherwise idle:
    on a shared 2-core machine, other people's test runs would decide the numbers."""

    settings: Settings
    work: Path
    background: list[float] = field(default_factory=list)
    """Cores other work kept busy during each measured run."""
    waited_s: float = 0.0

    def measure(self, argv: list[str], env: dict[str, str] | None = None) -> Run:
        left = self.settings.quiet_budget_s - self.waited_s
        if left > 0:
            start = time.monotonic()
            wait_for_quiet(timeout=min(60.0, left))
            self.waited_s += time.monotonic() - start
        measured = run(argv, env=env or environment(), cwd=ROOT).check()
        self.background.append(measured.background_cores)
        return measured

    def probe(
        self, name: str, args: list[str], env: dict[str, str] | None = None
    ) -> tuple[Run, dict[str, Any]]:
        result = self.work / f"{name}.json"
        measured = self.measure(python("-m", "benchmarks.probe", "--result", str(result), *args), env)
        return measured, json.loads(result.read_text(encoding="utf-8"))


def python(*args: str) -> list[str]:
    return [sys.executable, *args]


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOVEREIGN_")}
    env.update(extra)
    return env


def package_counts(modules: list[str]) -> dict[str, int]:
    return dict(sorted(Counter(m.split(".")[0] for m in modules).items()))


def footprint(bench: Bench) -> dict[str, Any]:
    """validate: time and provider modules; one plan per cloud: provider modules loaded and peak RSS."""
    s = bench.settings
    validate_runs = [
        bench.measure(python("-m", "sovereign", "validate", "--as-of", s.as_of)) for _ in range(s.reps)
    ]
    _, validate = bench.probe("validate", ["--as-of", s.as_of, "validate"])
    match = re.search(r"valid: (\d+) country-environment", validate_runs[0].stdout)
    plans = {}
    for cloud, stack in (("azure", s.azure_stack), ("oci", s.oci_stack)):
        name = f"footprint-{stack}"
        measured, probe = bench.probe(
            name, ["--as-of", s.as_of, "plan", stack, "--out", str(bench.work / "fp")]
        )
        plans[cloud] = {
            "stack": stack,
            "provider_packages": package_counts(probe["provider_modules"]),
            "peak_rss_mb": measured.max_rss_kb / 1024,
            "wall_s": measured.wall_s,
            "probe_file": str(bench.work / f"{name}.json"),
        }
    return {
        "validate_wall_s": median(r.wall_s for r in validate_runs),
        "validate_peak_rss_mb": median(r.max_rss_kb for r in validate_runs) / 1024,
        "validate_environments": int(match[1]) if match else 0,
        "validate_provider_modules": validate["provider_modules"],
        "plans": plans,
    }


def overhead(bench: Bench, azure_probe: Path) -> dict[str, Any]:
    """``sovereign plan STACK`` against the floor (its registrations replayed through the bare SDK)."""
    s = bench.settings
    out = bench.work / "overhead"
    plan_argv = python("-m", "sovereign", "plan", s.azure_stack, "--format", "json", "--out", str(out))
    plan_runs = [bench.measure([*plan_argv, "--as-of", s.as_of]) for _ in range(s.reps)]
    document_file = out / f"{s.azure_stack}.json"
    document = json.loads(document_file.read_text(encoding="utf-8"))
    replay_argv = python("-m", "benchmarks.replay", str(document_file))
    floor_runs = [bench.measure(replay_argv) for _ in range(s.reps)]
    with_sdk = [*replay_argv, "--import-from", str(azure_probe)]
    floor_sdk_runs = [bench.measure(with_sdk) for _ in range(s.reps)]
    floor_counts = json.loads(bench.measure([*replay_argv, "--count"]).stdout)["sdk_counts"]
    replay = json.loads(floor_runs[0].stdout)
    if set(replay["urns"]) != {r["urn"] for r in document["resources"]} or replay["toolkit_modules"]:
        raise RuntimeError("the floor did not replay exactly the recorded resources without toolkit code")
    phase_args = ["--as-of", s.as_of, "plan", s.azure_stack, "--out", str(bench.work / "phases")]
    phase_args += ["--preload-from", str(azure_probe)]
    phase_runs = [bench.probe(f"phases-{rep}", phase_args) for rep in range(min(3, s.reps))]
    # What the providers' API-version type aliases cost: the same plan with them dropped (measurement only).
    unaliased = [
        bench.probe(f"unaliased-{rep}", [*phase_args, "--without-provider-aliases"])[1]
        for rep in range(min(3, s.reps))
    ]

    def stats(runs: list[Run]) -> dict[str, float]:
        return {
            "wall_s": median(r.wall_s for r in runs),
            "cpu_s": median(r.cpu_s for r in runs),
            "peak_rss_mb": median(r.max_rss_kb for r in runs) / 1024,
        }

    plan, floor, floor_sdk = stats(plan_runs), stats(floor_runs), stats(floor_sdk_runs)
    return {
        "stack": s.azure_stack,
        "resources": len(document["resources"]),
        "plan": plan,
        "floor": floor,
        "floor_sdk": floor_sdk,
        "floor_replay_s": median(json.loads(r.stdout)["replay_s"] for r in floor_runs),
        "floor_sdk_import_s": median(json.loads(r.stdout)["imports_s"] for r in floor_sdk_runs),
        "ratio": plan["wall_s"] / floor["wall_s"],
        "ratio_cpu": plan["cpu_s"] / floor["cpu_s"],
        "ratio_with_sdk_imports": plan["wall_s"] / floor_sdk["wall_s"],
        "ratio_with_sdk_imports_cpu": plan["cpu_s"] / floor_sdk["cpu_s"],
        "phases": {key: median(_phases(m, p)[key] for m, p in phase_runs) for key in PHASES},
        "plan_counts": phase_runs[0][1]["sdk_counts"],
        "floor_counts": floor_counts,
        "registration_without_provider_aliases_s": median(p["phases"]["registration_s"] for p in unaliased),
        "alias_urns_without_provider_aliases": unaliased[0]["sdk_counts"].get("alias_urns", 0),
    }


def _phases(measured: Run, probe: dict[str, Any]) -> dict[str, float]:
    """One probe's phases; 'startup' is the process's wall time that the probe could not time itself."""
    return {
        "startup_s": max(0.0, measured.wall_s - probe["in_process_s"]),
        "provider_sdk_import_s": probe["provider_sdk_import_s"],
        "toolkit_import_s": probe["toolkit_import_s"],
        **probe["phases"],
    }


def scale(bench: Bench) -> dict[str, Any]:
    """Plan time and memory per country for each count, and the speed-up of all cores over one worker.

    Up to the number of distinct stacks, ``sovereign plan --all`` itself plans a stacks folder holding the
    first N of them; past it, ``probe plan-many`` calls the same ``plan_stacks`` with stacks repeated.
    """
    from benchmarks.synthetic import build_synthetic

    s = bench.settings
    synthetic = build_synthetic(
        ROOT / "country_configs", bench.work / "synthetic", as_of=dt.date.fromisoformat(s.as_of)
    )
    ordered = synthetic.stacks()
    rows, single = [], None
    for count in s.counts:
        if count == s.speedup_count:
            # One worker and all cores in turns, so that other work on the machine weighs on both alike.
            parallel_runs, single_runs = [], []
            for rep in range(s.scale_reps):
                parallel_runs.append(_scale_run(bench, synthetic.config_dir, ordered, count, None, rep))
                if rep < s.speedup_reps:
                    single_runs.append(_scale_run(bench, synthetic.config_dir, ordered, count, 1, rep))
            rows.append(_summary(count, None, parallel_runs))
            single = _summary(count, 1, single_runs)
        else:
            reps = s.scale_reps if count < s.speedup_count else 1
            runs = [_scale_run(bench, synthetic.config_dir, ordered, count, None, rep) for rep in range(reps)]
            rows.append(_summary(count, None, runs))
    if single is None:
        raise ValueError(f"counts {s.counts} must include the speed-up count {s.speedup_count}")
    parallel = next(r for r in rows if r["count"] == s.speedup_count)
    return {
        "distinct_stacks": len(ordered),
        "copies": synthetic.copies,
        "cores": os.cpu_count() or 1,
        "rows": rows,
        "speedup": {
            "count": s.speedup_count,
            "reps": single["reps"],
            "one_worker_s": single["wall_s"],
            "all_cores_s": parallel["wall_s"],
            "workers": parallel["max_concurrent_workers"],
            "speedup": single["wall_s"] / parallel["wall_s"],
            "background_cores": max(single["background_cores"], parallel["background_cores"]),
        },
    }


ScaleRun = tuple[Run, list[dict[str, Any]], str]


def _scale_run(
    bench: Bench, config_dir: Path, ordered: list[Any], count: int, workers: int | None, rep: int
) -> ScaleRun:
    """Plan ``count`` stacks once: (the measured run, its plan documents, how it was run)."""
    s = bench.settings
    tag = f"scale-{count}-{workers or 'all'}-{rep}"
    worker_args = ["--workers", str(workers)] if workers else []
    out = bench.work / tag
    if count <= len(ordered):
        # The CLI itself, on a stacks folder holding the first `count` stacks.
        via = "sovereign plan --all"
        stacks_dir = bench.work / f"stacks-{count}"
        if not stacks_dir.exists():
            stacks_dir.mkdir()
            for stack in ordered[:count]:
                shutil.copy(stack.path, stacks_dir / stack.path.name)
        env = environment(SOVEREIGN_CONFIG_DIR=str(config_dir), SOVEREIGN_STACKS_DIR=str(stacks_dir))
        argv = python("-m", "sovereign", "plan", "--all", "--format", "json", "--out", str(out))
        measured = bench.measure([*argv, "--as-of", s.as_of, *worker_args], env)
    else:
        via = "plan_stacks, stacks repeated"
        env = environment(
            SOVEREIGN_CONFIG_DIR=str(config_dir), SOVEREIGN_STACKS_DIR=str(ordered[0].path.parent)
        )
        args = ["--as-of", s.as_of, "plan-many", "--count", str(count), "--out", str(out), *worker_args]
        measured = bench.probe(tag, args, env)[0]
    documents = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(out.glob("*.json"))]
    if len(documents) != count or any(d["summary"]["checks_failed"] for d in documents):
        raise RuntimeError(f"{tag}: expected {count} plans with every check passing")
    return measured, documents, via


def _summary(count: int, workers: int | None, runs: list[ScaleRun]) -> dict[str, Any]:
    measured = [m for m, _, _ in runs]
    documents, via = runs[0][1], runs[0][2]
    wall = median(r.wall_s for r in measured)
    return {
        "count": count,
        "via": via,
        "workers": workers,
        "reps": len(runs),
        "distinct": len({d["stack"] for d in documents}),
        "clouds": dict(sorted(Counter(d["cloud"] for d in documents).items())),
        "resources": sum(d["summary"]["resources"] for d in documents),
        "wall_s": wall,
        "max_concurrent_workers": max(max_concurrent(r.workers()) for r in measured) or 1,
        "wall_per_country_s": wall / count,
        **_per_country(measured),
        "tree_peak_rss_mb": median(r.tree_peak_rss_kb for r in measured) / 1024,
        "parent_peak_rss_mb": median(r.max_rss_kb for r in measured) / 1024,
        "background_cores": median(r.background_cores for r in measured),
    }


IDLE_WORKER_CPU_S = 0.2
"""A worker that used less CPU never got a stack: the pool starts a replacement after each one-task worker
exits, and the last replacements find no task left (a real plan uses 1.5 s or more)."""


def _per_country(measured: list[Run]) -> dict[str, float]:
    """Per planned stack: its worker's lifetime (median), CPU and peak RSS (means, because Azure and OCI plans
    differ and a median of the two groups jumps between them); or the command's own when it plans in-process."""
    workers: list[ProcessInfo] = [w for r in measured for w in r.workers() if w.cpu_s >= IDLE_WORKER_CPU_S]
    if workers:
        return {
            "plan_s": median(w.lifetime_s for w in workers),
            "plan_cpu_s": statistics.fmean(w.cpu_s for w in workers),
            "plan_peak_rss_mb": statistics.fmean(w.peak_rss_kb for w in workers) / 1024,
            "plan_max_rss_mb": max(w.peak_rss_kb for w in workers) / 1024,
        }
    return {
        "plan_s": median(r.wall_s for r in measured),
        "plan_cpu_s": statistics.fmean(r.cpu_s for r in measured),
        "plan_peak_rss_mb": statistics.fmean(r.max_rss_kb for r in measured) / 1024,
        "plan_max_rss_mb": max(r.max_rss_kb for r in measured) / 1024,
    }
