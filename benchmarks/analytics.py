"""Benchmark: every signal analytic over the full snapshot range, per resolution (goal: under 50 ms per resolution).

"Every analytic" = breakouts + retests of rut and iwm, the forward-returns table of btc/altcoin_mcap/total_mcap
after both, rolling correlations (30/90/180) of btc and altcoin_mcap against iwm and rut, drawdown, distance from
ATH and rebase of the panel, and the stablecoin ratio, share, growth comparison and divergence periods.
Prints median and p95 over repeated runs, plus two floors measured in the same run: a warm-cache load of the
panel, and one trivial pandas op on it (a common-sessions dropna of two columns).
Run: .venv/bin/python -m benchmarks.analytics
"""

from __future__ import annotations

import statistics
import tempfile
from functools import partial

import pandas as pd

from benchmarks.timing import summary, timings_ms
from data_sources import snapshot
from data_sources.analytics import (
    RESOLUTIONS,
    Resolution,
    breakouts,
    distance_from_ath,
    drawdown,
    forward_returns,
    growth_comparison,
    rebase,
    rolling_correlation,
    stablecoin_share,
    supply_ratio,
    supply_up_market_down,
)
from data_sources.config import open_cache
from data_sources.series import SERIES_IDS
from data_sources.store import Store

RUNS = 50
CRYPTO = ("btc", "altcoin_mcap")
EQUITIES = ("iwm", "rut")


def all_analytics(frame: pd.DataFrame, resolution: Resolution) -> list[object]:
    """Everything the dashboard's analytics could show at one resolution, over the whole panel."""
    results: list[object] = []
    for equity in EQUITIES:
        events = breakouts(frame[equity], resolution=resolution)
        results += [events, forward_returns(frame, signals=events["date"], resolution=resolution)]
    results += [rolling_correlation(frame, x=x, y=y, resolution=resolution) for x in CRYPTO for y in EQUITIES]
    results += [drawdown(frame), distance_from_ath(frame), rebase(frame)]
    results += [supply_ratio(frame), stablecoin_share(frame)]
    results += [growth_comparison(frame, resolution=resolution), supply_up_market_down(frame, resolution=resolution)]
    return results


def main() -> None:
    with tempfile.TemporaryDirectory() as cache_dir:
        store = Store(open_cache(cache_dir))
        frame = store.panel(snapshot.manifest()).frame  # also warms the cache
        load = timings_ms(lambda: store.panel(snapshot.manifest()), RUNS)
    trivial = timings_ms(lambda: frame[["btc", "iwm"]].dropna(), RUNS)
    print(f"riskon analytics, {len(SERIES_IDS)} series x {len(frame)} aligned rows (full snapshot), {RUNS} runs")
    print(summary("floor: load the panel from a warm cache", load))
    print(summary("floor: one common-sessions dropna", trivial))
    for resolution in RESOLUTIONS:
        all_analytics(frame, resolution)  # warm-up (imports, first-call caches)
        full = timings_ms(partial(all_analytics, frame, resolution), RUNS)
        ratio = statistics.median(full) / statistics.median(load)
        print(f"{summary(f'all analytics, {resolution} (goal < 50 ms)', full)}   = {ratio:.1f}x the panel load")


if __name__ == "__main__":
    main()
