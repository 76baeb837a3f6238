"""Benchmark: load every catalog series for the full range from a warm cache (goal: under 20 ms).

Prints median and p95 over repeated runs, plus a floor measured in the same run: one warm cache read of a
single series, so the figure reads as "this many cache reads' worth".
Run: .venv/bin/python -m benchmarks.data_layer
"""

from __future__ import annotations

import statistics
import tempfile

from benchmarks.timing import summary, timings_ms
from data_sources.config import open_cache
from data_sources.series import SERIES_IDS
from data_sources.store import Store

RUNS = 200


def main() -> None:
    with tempfile.TemporaryDirectory() as cache_dir:
        store = Store(open_cache(cache_dir))
        store.panel(SERIES_IDS)  # warm the cache
        floor = timings_ms(lambda: store.series("btc"), RUNS)
        full = timings_ms(lambda: store.panel(SERIES_IDS), RUNS)
        rows = len(store.panel(SERIES_IDS).frame)
    print(f"riskon data layer, warm diskcache, {len(SERIES_IDS)} series x {rows} aligned rows, {RUNS} runs")
    print(summary("floor: one series from the warm cache", floor))
    print(summary("all series, full range (goal < 20 ms)", full))
    ratio = statistics.median(full) / statistics.median(floor)
    print(f"ratio full panel / one cache read: {ratio:.1f}x for {len(SERIES_IDS)} series")


if __name__ == "__main__":
    main()
