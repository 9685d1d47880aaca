"""Measuring a command: exit code, output, peak memory and CPU, and the workers a forkserver forks."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from benchmarks.measure import ProcessInfo, busy_cores, max_concurrent, run, wait_for_quiet

# Two forkserver workers, each holding 64 MB for half a second at the same time (a barrier lines them up).
_POOL = """
import multiprocessing, time
from concurrent.futures import ProcessPoolExecutor

def hold(barrier):
    block = bytearray(64 * 1024 * 1024)
    barrier.wait()
    time.sleep(0.5)
    return len(block)

if __name__ == "__main__":
    context = multiprocessing.get_context("forkserver")
    barrier = context.Manager().Barrier(2)
    with ProcessPoolExecutor(2, mp_context=context, max_tasks_per_child=1) as pool:
        print(sum(pool.map(hold, [barrier, barrier])))
"""


def test_exit_code_output_and_own_peak_memory() -> None:
    code = "import sys; block = bytearray(48 * 1024 * 1024); print('out'); print('err', file=sys.stderr); sys.exit(3)"
    measured = run([sys.executable, "-c", code])
    assert measured.returncode == 3
    assert (measured.stdout, measured.stderr) == ("out\n", "err\n")
    assert measured.max_rss_kb >= 48 * 1024
    assert measured.wall_s > 0 and measured.cpu_s > 0
    with pytest.raises(RuntimeError, match="exited 3"):
        measured.check()


def test_forkserver_workers_are_found_with_their_memory(tmp_path: Path) -> None:
    script = tmp_path / "pool.py"  # a file: forkserver workers import the function from __main__'s file
    script.write_text(_POOL, encoding="utf-8")
    measured = run([sys.executable, str(script)], interval=0.05).check()
    assert measured.stdout.strip() == str(2 * 64 * 1024 * 1024)
    workers = [w for w in measured.workers() if w.peak_rss_kb >= 64 * 1024]
    assert len(workers) == 2, [(w.pid, w.peak_rss_kb) for w in measured.workers()]
    assert max_concurrent(workers) == 2
    assert all(w.lifetime_s >= 0.4 for w in workers)
    assert measured.tree_peak_rss_kb >= 2 * 64 * 1024
    assert measured.wall_s >= 0.5
    assert 0 <= measured.background_cores <= 2 * (measured.machine_busy_cores + 1)


def _process(started: float, last_seen: float) -> ProcessInfo:
    return ProcessInfo(pid=1, ppid=0, cmdline="", started=started, last_seen=last_seen)


def test_max_concurrent() -> None:
    assert max_concurrent([]) == 0
    assert max_concurrent([_process(0, 2), _process(1, 3), _process(2.5, 4)]) == 2
    assert max_concurrent([_process(0, 1), _process(1, 2)]) == 1  # one ends as the next starts
    assert max_concurrent([_process(0, 5), _process(1, 2), _process(1.5, 3)]) == 3


def test_machine_load_readings() -> None:
    assert 0 <= busy_cores(0.05) <= 1024
    assert wait_for_quiet(max_busy=1024, timeout=0) >= 0
