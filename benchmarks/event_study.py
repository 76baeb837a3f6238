"""Benchmark: the full event study for one signal over the whole snapshot, 10,000 placebo draws (goal < 200 ms).

"Full study" = for ^RUT's prior-high breakouts (detected once, 3 ms) and each of BTC, TOTAL2, TOTAL3, total
crypto cap and ^RUT itself: every statistic (return at 30/90/180/365 days, peak, max drawdown) against its every-day
baseline, hit rate and 10,000-draw placebo; plus BTC's event paths and placebo band at 365 days for the chart.
The floor, measured in the same run: one `forward_returns` call for the same signal and assets (the signal table).
Also printed: the heaviest signal in the snapshot, Fear & Greed entering extreme fear (over a hundred events),
with each placebo.
Wall and CPU time (`time.process_time`) are both printed: wall time swings with other processes' load.
Run: .venv/bin/python -m benchmarks.event_study
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable

import pandas as pd

from benchmarks.timing import summary, timings_ms
from data_sources.analytics import (
    Placebo,
    breakout_dates,
    event_paths,
    event_study,
    fear_greed_crossings,
    forward_returns,
)
from data_sources.config import open_cache
from data_sources.series import SERIES_IDS
from data_sources.store import Store

RUNS = 20
ASSETS = ("btc", "altcoin_mcap", "altcoin_ex_eth_mcap", "total_mcap", "rut")


def full_study(frame: pd.DataFrame, signal: str, events: pd.DatetimeIndex, placebo: Placebo = "spaced") -> list[object]:
    """Everything the event-study view shows for one signal (detected beforehand): the table and the BTC chart."""
    since = pd.Timestamp(frame[signal].dropna().index[0])
    table = event_study(frame, events=events, assets=ASSETS, since=since, placebo=placebo)
    return [table, event_paths(frame, events=events, asset="btc", horizon=365, since=since)]


def main() -> None:
    with tempfile.TemporaryDirectory() as cache_dir:
        frame = Store(open_cache(cache_dir)).panel(SERIES_IDS).frame
    breakouts = breakout_dates(frame["rut"])
    fear = fear_greed_crossings(frame["fear_greed"])
    studies: list[tuple[str, Callable[[], object]]] = [
        (f"^RUT breakouts, {len(breakouts)} (goal < 200 ms)", lambda: full_study(frame, "rut", breakouts)),
        (f"F&G into extreme fear, {len(fear)}", lambda: full_study(frame, "fear_greed", fear)),
        (f"F&G, {len(fear)}, shifted placebo", lambda: full_study(frame, "fear_greed", fear, "shifted")),
    ]
    print(f"riskon event study, {len(ASSETS)} assets x 6 statistics, 10,000 placebo draws, {RUNS} runs")
    for clock, name in ((time.perf_counter, "wall"), (time.process_time, "cpu")):
        floor = timings_ms(lambda: forward_returns(frame, signals=breakouts, assets=ASSETS), RUNS, clock=clock)
        print(summary(f"{name}: floor, forward_returns", floor))
        for label, work in studies:
            timings = timings_ms(work, RUNS, clock=clock)
            ratio = statistics.median(timings) / statistics.median(floor)
            print(f"{summary(f'{name}: {label}', timings)}   = {ratio:.1f}x the floor")


if __name__ == "__main__":
    main()
