"""Timing helpers shared by the benchmark scripts."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def timings_ms(work: Callable[[], object], runs: int, *, clock: Callable[[], float] = time.perf_counter) -> list[float]:
    """Milliseconds of `runs` calls to `work` by `clock`: wall time, or `time.process_time` for this process's CPU
    time, steadier than wall time on a machine that other processes keep busy."""
    result = []
    for _ in range(runs):
        started = clock()
        work()
        result.append((clock() - started) * 1000)
    return result


def summary(label: str, values: list[float]) -> str:
    """'label  median x ms  p95 y ms', aligned for a table of figures."""
    p95 = statistics.quantiles(values, n=20)[-1]
    return f"{label:44} median {statistics.median(values):7.2f} ms   p95 {p95:7.2f} ms"
