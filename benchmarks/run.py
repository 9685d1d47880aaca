"""Benchmarks of the offline plan (issue 8): prints a table and writes ``benchmarks/RESULTS.md``.

    .venv/bin/python -m benchmarks.run            # the full run: about 4 minutes on 2 idle cores
    .venv/bin/python -m benchmarks.run --quick    # 1, 2 and 4 stacks, 2 repetitions: under 2 minutes
    .venv/bin/python -m benchmarks.run --json r.json && .venv/bin/python -m benchmarks.run --render r.json

Measures (``benchmarks/suite.py``): ``sovereign validate`` and one plan per cloud (time, peak RSS,
provider SDK modules loaded); ``sovereign plan de-prod`` against the floor, its recorded registrations
replayed through the bare SDK mock runtime (``benchmarks/replay.py``), with the plan's time split by phase;
plan time and memory per country for 1, 10 and 50 synthetic countries (``benchmarks/synthetic.py``) and the
speed-up of ``--all`` on every core over one worker. Every number comes from fresh processes running the
real commands (``benchmarks/measure.py``). Not part of CI (minutes, and timings on shared runners are
noise); its pieces are tested in ``tests/benchmarks``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
from dataclasses import asdict, replace
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.measure import median
from benchmarks.report import render_markdown, render_table
from benchmarks.suite import ROOT, Bench, Settings, footprint, overhead, scale

__all__ = ["main"]

QUICK = Settings(reps=2, scale_reps=1, counts=(1, 2, 4), speedup_count=4, speedup_reps=1, quiet_budget_s=60.0)


def _machine() -> dict[str, Any]:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    packages = ("pulumi", "pulumi-azure-native", "pulumi-oci", "pulumi-kubernetes")
    git = ["git", "-C", str(ROOT)]
    commit = subprocess.run(
        [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    # Other work in the same checkout changes what is measured: name the toolkit files that differ from HEAD.
    changed = subprocess.run(
        [*git, "status", "--porcelain", "--", "sovereign", "stacks", "components", "country_configs"],
        capture_output=True,
        text=True,
    ).stdout.split()[1::2]
    return {
        "commit": commit or "unknown",
        "uncommitted": changed,
        "date": dt.date.today().isoformat(),
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "packages": ", ".join(f"{p} {metadata.version(p)}" for p in packages),
    }


def _step(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="1, 2 and 4 stacks; 2 repetitions")
    parser.add_argument("--reps", type=int, help="repetitions of each single-process measurement (default 5)")
    parser.add_argument("--as-of", default=Settings.as_of, help="validation date of every plan")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    parser.add_argument("--json", type=Path, help="also write every measured number to this JSON file")
    parser.add_argument(
        "--render", type=Path, help="measure nothing: write the table and --out from a --json file"
    )
    args = parser.parse_args(argv)
    if args.render:
        results = json.loads(args.render.read_text(encoding="utf-8"))
        sys.stdout.write(render_table(results))
        args.out.write_text(render_markdown(results), encoding="utf-8")
        _step(f"wrote {args.out}")
        return
    settings = replace(QUICK if args.quick else Settings(), as_of=args.as_of)
    if args.reps:
        settings = replace(settings, reps=args.reps)
    results: dict[str, Any] = {"machine": _machine(), "quick": args.quick, "settings": asdict(settings)}
    with tempfile.TemporaryDirectory(prefix="sovereign-bench-") as tmp:
        bench = Bench(settings, Path(tmp))
        _step("footprint: sovereign validate, one plan per cloud ...")
        results["footprint"] = footprint(bench)
        _step("overhead: sovereign plan against the floor ...")
        azure_probe = Path(results["footprint"]["plans"]["azure"]["probe_file"])
        results["overhead"] = overhead(bench, azure_probe)
        _step(f"scale: {', '.join(map(str, settings.counts))} stacks, and one worker ...")
        results["scale"] = scale(bench)
    results["waited_s"] = bench.waited_s
    results["background_cores"] = {"median": median(bench.background), "max": max(bench.background)}
    sys.stdout.write(render_table(results))
    args.out.write_text(render_markdown(results), encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    _step(f"wrote {args.out}")


if __name__ == "__main__":
    main()
