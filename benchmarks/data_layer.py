"""Benchmark: load every catalog series for the full range from a warm cache (goal: under 20 ms).

Prints median and p95 over repeated runs, plus a floor measured in the same run: one warm cache read of a
single series, so the figure reads as "this many cache reads' worth".
Run: .venv/bin/python -m benchmarks.data_layer
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable

from data_sources.catalog import SERIES_IDS
from data_sources.store import Store, open_cache

RUNS = 200


def timings_ms(work: Callable[[], object], runs: int = RUNS) -> list[float]:
    """Wall-clock milliseconds of `runs` calls to `work`."""
    result = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        result.append((time.perf_counter() - started) * 1000)
    return result


def summary(label: str, values: list[float]) -> str:
    p95 = statistics.quantiles(values, n=20)[-1]
    return f"{label:44} median {statistics.median(values):7.2f} ms   p95 {p95:7.2f} ms"


def main() -> None:
    with tempfile.TemporaryDirectory() as cache_dir:
        store = Store(open_cache(cache_dir))
        store.panel(SERIES_IDS)  # warm the cache
        floor = timings_ms(lambda: store.series("btc"))
        full = timings_ms(lambda: store.panel(SERIES_IDS))
        rows = len(store.panel(SERIES_IDS).frame)
    print(f"riskon data layer, warm diskcache, {len(SERIES_IDS)} series x {rows} aligned rows, {RUNS} runs")
    print(summary("floor: one series from the warm cache", floor))
    print(summary("all series, full range (goal < 20 ms)", full))
    ratio = statistics.median(full) / statistics.median(floor)
    print(f"ratio full panel / one cache read: {ratio:.1f}x for {len(SERIES_IDS)} series")


if __name__ == "__main__":
    main()
