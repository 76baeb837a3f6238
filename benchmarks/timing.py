"""Timing helpers shared by the benchmark scripts."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def timings_ms(work: Callable[[], object], runs: int) -> list[float]:
    """Wall-clock milliseconds of `runs` calls to `work`."""
    result = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        result.append((time.perf_counter() - started) * 1000)
    return result


def summary(label: str, values: list[float]) -> str:
    """'label  median x ms  p95 y ms', aligned for a table of figures."""
    p95 = statistics.quantiles(values, n=20)[-1]
    return f"{label:44} median {statistics.median(values):7.2f} ms   p95 {p95:7.2f} ms"
