"""Benchmark: the dashboard's event study per signal, as its callback computes it on a cache miss (signal dates,
the table with both placebos, the chosen asset's paths and band) and the figure, on the whole snapshot.

The budget is 200 ms per study; beyond it the study would need a background callback. The floor, measured in the
same run: one `forward_returns` call for ^RUT's breakouts and BTC (what the signal table computes). Then the
callback over HTTP (Flask's test client, the app as served): a first request (computed) and repeats (cached), with
the size of the answer.
Wall and CPU time (`time.process_time`) are both printed: wall time swings with other processes' load.
Run: .venv/bin/python -m benchmarks.event_study_view
"""

from __future__ import annotations

import functools
import statistics
import tempfile
import time
from pathlib import Path

from app import create_app
from benchmarks.dash_client import callback_body, writes
from benchmarks.timing import summary, timings_ms
from components import ids
from components.charts import event_study
from components.url_state import STUDY_SIGNAL, decode
from data_sources.analytics import breakout_dates, forward_returns
from data_sources.config import open_cache
from data_sources.store import Store
from data_sources.uploads import UploadStore

RUNS = 10


def main() -> None:
    with tempfile.TemporaryDirectory() as cache_dir:
        store = Store(open_cache(cache_dir))
        uploads = UploadStore(Path(cache_dir) / "uploads")
        views = [decode(f"signal={signal}") for signal in STUDY_SIGNAL.options if signal != "upload_high"]
        frames = {view: event_study.study_frame(store, uploads, view) for view in views}
        client = create_app(store).server.test_client()
        spec = next(s for s in client.get("/_dash-dependencies").get_json() if writes(s, ids.STUDY_GRAPH))
        print(f"the study callback over HTTP (first request, then median of {RUNS} repeats)")
        for signal in STUDY_SIGNAL.options:
            prop = f"{ids.STUDY_VIEW}.data"
            body = callback_body(spec, {prop: f"?signal={signal}"}, prop, built=(ids.STUDY_GRAPH,))
            post = functools.partial(client.post, "/_dash-update-component", json=body)
            first = timings_ms(post, 1)[0]
            repeats = timings_ms(post, RUNS)
            size = len(post().data) / 1024
            print(f"  {STUDY_SIGNAL.options[signal]:32} first {first:6.0f} ms   repeat "
                  f"{statistics.median(repeats):5.1f} ms   {size:6.1f} KiB")  # fmt: skip
    rut = frames[views[0]]
    events = breakout_dates(rut["rut"])
    print(f"riskon event-study view, BTC, 6 statistics, placebo 10,000 + other 2,000 draws, {RUNS} runs")
    for clock, name in ((time.perf_counter, "wall"), (time.process_time, "cpu")):
        floor = timings_ms(lambda: forward_returns(rut, signals=events, assets=["btc"]), RUNS, clock=clock)
        print(summary(f"{name}: floor, forward_returns", floor))
        for view, frame in frames.items():
            work = lambda view=view, frame=frame: event_study.figure(event_study.study(frame, view), view)  # noqa: E731
            timings = timings_ms(work, RUNS, clock=clock)
            ratio = statistics.median(timings) / statistics.median(floor)
            label = f"{name}: {STUDY_SIGNAL.options[view.study_signal]}"
            print(f"{summary(label, timings)}   = {ratio:.0f}x the floor")


if __name__ == "__main__":
    main()
