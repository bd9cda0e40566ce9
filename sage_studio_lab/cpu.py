"""How many CPU threads a compute loop (the CPU engine's decode loop, a trainer) should run, from the cores that
are actually free.

Why: torch's intra-op threads meet at a barrier after each of the ~300 ops of a decode step. When another process
(a notebook kernel, a second engine) holds one of a 2-core laptop's cores, one of our threads waits for a time
slice at every barrier: measured 9 tok/s [2.9-12.9] with 2 threads vs a steady 16 with 1. Alone, though, 2 threads
are ~1.5x faster. So `ThreadGovernor` samples what *other* processes use (`/proc/stat` minus our own CPU time) every
half second and runs on the cores left, with hysteresis. Without `/proc/stat` (macOS, Windows) or under a CPU quota
(the host's counters say nothing about our share) it keeps a static `usable - 1`, at least 1.

No heavy imports: `apply` (e.g. `torch.set_num_threads`) is handed in. torch keeps the OpenMP thread count per
calling thread, so `update()` must run in the thread that computes.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable

STAT = "/proc/stat"
# Hysteresis, in cores of other processes' use: rise when at most UP_MARGIN of the next core is taken, fall when at
# least DOWN_MARGIN of one of ours is (a barrier on a shared core stalls the whole step).
UP_MARGIN, DOWN_MARGIN = 0.2, 0.5


def cpu_quota() -> float | None:
    """The cgroup CPU limit in cores (v2 `cpu.max`, v1 `cfs_quota_us`), None when unlimited or unknown."""
    try:
        quota, period = open("/sys/fs/cgroup/cpu.max").read().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:
        quota = int(open("/sys/fs/cgroup/cpu/cpu.cfs_quota_us").read())
        period = int(open("/sys/fs/cgroup/cpu/cpu.cfs_period_us").read())
        return quota / period if quota > 0 else None
    except (OSError, ValueError):
        return None


def affinity() -> set[int]:
    try:
        return os.sched_getaffinity(0)
    except AttributeError:  # macOS, Windows
        return set(range(os.cpu_count() or 1))


def usable_cores() -> int:
    cores = len(affinity())
    quota = cpu_quota()
    return max(1, min(cores, math.ceil(quota))) if quota else cores


def static_threads(usable: int | None = None) -> int:
    """Threads when the load cannot be watched: leave a core to Jupyter and the kernels (1 on a 2-core laptop)."""
    return max(1, (usable or usable_cores()) - 1)


class OthersLoad:
    """CPU time used by other processes on our cores, in cores, between two `sample()` calls."""

    def __init__(self, cpus: set[int] | None = None):
        self.cpus = cpus if cpus is not None else affinity()
        self._last: tuple[float, float, float] | None = None

    def _busy_seconds(self) -> float:
        tick = os.sysconf("SC_CLK_TCK")
        busy = 0
        with open(STAT) as fh:
            for line in fh:
                if not line.startswith("cpu") or line.startswith("cpu "):
                    continue
                name, *fields = line.split()
                if int(name[3:]) in self.cpus:
                    values = [int(v) for v in fields[:8]]
                    busy += sum(values) - values[3] - values[4]  # all but idle and iowait
        return busy / tick

    def sample(self) -> float | None:
        """Others' use since the previous call (None on the first call or without /proc/stat)."""
        try:
            now = (time.monotonic(), self._busy_seconds(), time.process_time())
        except (OSError, ValueError):
            return None
        last, self._last = self._last, now
        if last is None or now[0] - last[0] <= 0:
            return None
        others = (now[1] - last[1]) - (now[2] - last[2])
        return max(0.0, others / (now[0] - last[0]))


class ThreadGovernor:
    """Chooses the intra-op thread count: `fixed` when given, else from the free cores (see the module doc)."""

    def __init__(
        self,
        apply: Callable[[int], None],
        fixed: int | None = None,
        max_threads: int | None = None,
        interval_s: float = 0.5,
        load: OthersLoad | None = None,
        report: Callable[[str], None] | None = None,
    ):
        self.apply = apply
        self.report = report  # told each change, e.g. the engine's or the trainer's log
        self.usable = usable_cores()
        self.max_threads = max(1, min(max_threads or self.usable, self.usable))
        self.interval_s = interval_s
        self.fixed = fixed if fixed and fixed > 0 else None
        quota = cpu_quota()
        watchable = os.path.exists(STAT) and not (quota and quota < len(affinity()))
        self.load = (load or OthersLoad()) if watchable and not self.fixed else None
        self.threads = self.fixed or min(static_threads(self.usable), self.max_threads)
        self.others: float | None = None  # last measured use of our cores by other processes
        self.changes = 0
        self._next = 0.0
        self._applied: int | None = None

    @property
    def adaptive(self) -> bool:
        return self.load is not None

    def update(self, now: float | None = None) -> int:
        """Call between steps, in the computing thread: cheap unless `interval_s` has passed."""
        now = time.monotonic() if now is None else now
        if self._applied is None:  # first call: this thread's OpenMP pool gets the starting count
            self._set(self.threads)
            if self.load:
                self.load.sample()
            self._next = now + self.interval_s
            return self.threads
        if self.load is None:
            return self.threads
        if now < self._next:
            return self.threads
        self._next = now + self.interval_s
        others = self.load.sample()
        if others is None:
            return self.threads
        self.others = others
        free = self.usable - others
        up = min(self.max_threads, max(1, math.floor(free + UP_MARGIN)))
        down = min(self.max_threads, max(1, math.floor(free + DOWN_MARGIN)))
        if up > self.threads:
            self._set(up)
        elif down < self.threads:
            self._set(down)
        return self.threads

    def _set(self, n: int) -> None:
        if n != self._applied:
            self.apply(n)
            if self._applied is not None:
                self.changes += 1
                if self.report:
                    self.report(f"torch threads {self._applied} -> {n} (others use {self.others:.1f} cores)")
            self._applied = n
        self.threads = n
