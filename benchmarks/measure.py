"""Run a command in a fresh process and measure it: wall time, peak memory, and its worker processes.

Peak memory comes from two places. ``wait4`` gives the exact peak RSS of the command's own process (what a
single ``sovereign plan STACK`` uses, since it plans in-process). Worker processes (``sovereign plan --all``
forks one per stack from a multiprocessing forkserver) are sampled from ``/proc`` every ``interval``
seconds: each one's ``VmHWM`` (its own peak RSS, monotone, so a late sample loses at most the growth of
the last interval), its start time (from ``/proc/<pid>/stat``, 10 ms resolution) and the last time it was
seen, its CPU time, and the sum of ``VmRSS`` over the whole process tree (shared pages counted once per
process, so an upper bound of the machine memory in use).

The machine is shared: ``/proc/stat`` before and after tells how many cores were busy during a run, and
:func:`wait_for_quiet` lets a benchmark wait until other work has stopped before it measures.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ProcessInfo", "Run", "busy_cores", "max_concurrent", "median", "run", "wait_for_quiet"]

_TICKS = os.sysconf("SC_CLK_TCK")


def _boottime() -> float:
    """Seconds since boot, the clock of ``/proc/<pid>/stat`` start times."""
    return time.clock_gettime(time.CLOCK_BOOTTIME)


@dataclass
class ProcessInfo:
    pid: int
    ppid: int
    cmdline: str
    started: float
    """Seconds since boot."""
    last_seen: float
    peak_rss_kb: int = 0
    cpu_s: float = 0.0
    """User + system CPU seconds at the last sample."""

    @property
    def lifetime_s(self) -> float:
        return self.last_seen - self.started


@dataclass
class Run:
    argv: list[str]
    pid: int
    wall_s: float
    returncode: int
    stdout: str
    stderr: str
    max_rss_kb: int
    """Peak RSS of the command's own process, or of a waited-for child if larger (``wait4``)."""
    cpu_s: float
    """User + system CPU of the command's own process and the children it waited for (``wait4``)."""
    tree_peak_rss_kb: int = 0
    processes: dict[int, ProcessInfo] = field(default_factory=dict)
    machine_busy_cores: float = 0.0
    """Cores the whole machine kept busy on average during the run (this command included)."""

    @property
    def tree_cpu_s(self) -> float:
        """CPU of the command and of its grandchildren and deeper (workers are reaped by the forkserver,
        which the command never waits for, so ``wait4`` alone misses them)."""
        return self.cpu_s + sum(p.cpu_s for p in self.processes.values() if p.ppid != self.pid)

    @property
    def background_cores(self) -> float:
        """Cores busy with other work during the run (approximate: machine busy minus this command)."""
        return max(0.0, self.machine_busy_cores - self.tree_cpu_s / self.wall_s) if self.wall_s else 0.0

    def workers(self) -> list[ProcessInfo]:
        """The processes a multiprocessing forkserver forked: one per planned stack with ``--all``."""
        servers = {p.pid for p in self.processes.values() if "multiprocessing.forkserver" in p.cmdline}
        return sorted((p for p in self.processes.values() if p.ppid in servers), key=lambda p: p.started)

    def check(self) -> Run:
        if self.returncode != 0:
            raise RuntimeError(
                f"{' '.join(self.argv)} exited {self.returncode}:\n{self.stderr[-3000:] or self.stdout[-3000:]}"
            )
        return self


def _stat(pid: int) -> tuple[int, float, float] | None:
    """(parent pid, start time in seconds since boot, CPU seconds used) of a live process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may contain spaces and parentheses: split after its closing one.
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), int(fields[19]) / _TICKS, (int(fields[11]) + int(fields[12])) / _TICKS


def _cpu_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies of all cores since boot, from ``/proc/stat``."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def busy_cores(seconds: float = 0.5) -> float:
    """How many cores the machine keeps busy right now (sampled over ``seconds``)."""
    busy0, total0 = _cpu_jiffies()
    time.sleep(seconds)
    busy1, total1 = _cpu_jiffies()
    return (busy1 - busy0) / max(1, total1 - total0) * (os.cpu_count() or 1)


def wait_for_quiet(max_busy: float = 0.3, timeout: float = 60.0) -> float:
    """Wait until other work on the machine uses at most ``max_busy`` cores, or ``timeout`` passed; return
    the last reading. Timings on a shared machine are only comparable when nothing else runs."""
    deadline = time.monotonic() + timeout
    while True:
        busy = busy_cores()
        if busy <= max_busy or time.monotonic() >= deadline:
            return busy
        time.sleep(1.5)


def _status_kb(pid: int) -> dict[str, int]:
    found: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                found[key] = int(rest.split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


class _Sampler:
    """Samples the descendants of one process; remembers every pid's parent, read once per pid."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.processes: dict[int, ProcessInfo] = {}
        self._parents: dict[int, int | None] = {}

    def _descendants(self) -> set[int]:
        live = {int(e.name) for e in os.scandir("/proc") if e.name.isdigit()}
        for pid in live - self._parents.keys():
            stat = _stat(pid)
            self._parents[pid] = stat[0] if stat else None
        for pid in self._parents.keys() - live:
            del self._parents[pid]
        tree: set[int] = set()
        frontier = {self.root}
        while frontier:
            frontier = {pid for pid, ppid in self._parents.items() if ppid in frontier} - tree
            tree |= frontier
        return tree

    def sample(self) -> int:
        """Update the processes seen; return the total RSS (kB) of the descendants alive now."""
        now = _boottime()
        total = 0
        for pid in self._descendants():
            status, stat = _status_kb(pid), _stat(pid)
            if not status or stat is None:
                continue  # exited between the scan and the reads
            info = self.processes.get(pid)
            if info is None:
                info = self.processes[pid] = ProcessInfo(pid, stat[0], "", stat[1], now)
            # Read again each time: a process seen between its fork and its exec still shows its parent's.
            info.cmdline = _cmdline(pid) or info.cmdline
            info.cpu_s = stat[2]
            info.last_seen = now
            info.peak_rss_kb = max(info.peak_rss_kb, status.get("VmHWM", 0))
            total += status.get("VmRSS", 0)
        return total


def run(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    interval: float = 0.1,
    timeout: float = 1800.0,
) -> Run:
    """Run ``argv`` to completion (stdout/stderr captured through files, so big outputs cannot block it)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        busy0, total0 = _cpu_jiffies()
        started = time.perf_counter()
        proc = subprocess.Popen(list(argv), stdout=out, stderr=err, env=dict(env) if env else None, cwd=cwd)
        sampler = _Sampler(proc.pid)
        tree_peak = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > timeout:
                proc.kill()
                raise TimeoutError(f"{' '.join(argv)} ran longer than {timeout} s")
            own = _status_kb(proc.pid).get("VmRSS", 0)
            tree_peak = max(tree_peak, own + sampler.sample())
            time.sleep(interval)
        wall = time.perf_counter() - started
        busy1, total1 = _cpu_jiffies()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(
            argv=list(argv),
            pid=proc.pid,
            wall_s=wall,
            returncode=proc.returncode,
            stdout=out.read(),
            stderr=err.read(),
            max_rss_kb=usage.ru_maxrss,
            cpu_s=usage.ru_utime + usage.ru_stime,
            tree_peak_rss_kb=tree_peak,
            processes=sampler.processes,
            machine_busy_cores=(busy1 - busy0) / max(1, total1 - total0) * (os.cpu_count() or 1),
        )


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def max_concurrent(processes: Iterable[ProcessInfo]) -> int:
    """Most processes alive at the same moment (from their start and last-seen times)."""
    events = sorted(
        [(p.started, 1) for p in processes] + [(p.last_seen, -1) for p in processes],
        key=lambda e: (e[0], e[1]),
    )
    alive = peak = 0
    for _, delta in events:
        alive += delta
        peak = max(peak, alive)
    return peak
