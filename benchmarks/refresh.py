"""Benchmark: a page's data read costs the same online, offline and mid-outage, and while a refresh is stuck.

Times `Store.panel` over every series (what one render reads) on a warm diskcache in each situation, against the
floor of snapshot mode in the same run. "Stuck" runs the background refresher against an upstream that holds
every request for 30 s, as a hanging vendor does.
Run: .venv/bin/python -m benchmarks.refresh
"""

from __future__ import annotations

import statistics
import tempfile
import threading
from pathlib import Path

from benchmarks.timing import summary, timings_ms
from data_sources import snapshot
from data_sources.base import Fetched, FetchError
from data_sources.config import open_cache
from data_sources.refresher import BackgroundRefresher, Refresher
from data_sources.series import SERIES_IDS
from data_sources.store import Store

RUNS = 100


class Upstream:
    """Real histories, a failure for every series, or a request held until released."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.release = threading.Event()

    def fetch_series(self, series_id: str) -> Fetched:
        if self.mode == "hang":
            self.release.wait(30)
        if self.mode != "ok":
            raise FetchError("bench", series_id, "connection failed after retries (bench): ConnectionError")
        # A live-only series has no embedded history: Bitcoin's stands in (only the shape matters here).
        return Fetched(snapshot.load(series_id if snapshot.has(series_id) else "btc").rename(series_id), "bench", 3600)


def _read(store: Store) -> list[float]:
    store.panel(SERIES_IDS)  # warm
    return timings_ms(lambda: store.panel(SERIES_IDS), RUNS)


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        floor = _read(Store(open_cache(root / "snapshot"), mode="snapshot"))
        offline = Store(open_cache(root / "offline"), mode="auto")
        Refresher(offline, Upstream("fail")).refresh_due()
        online = Store(open_cache(root / "online"), mode="auto")
        Refresher(online, Upstream("ok")).refresh_due()
        outage = Store(open_cache(root / "online"), mode="auto")
        results = {"offline, embedded data": _read(offline), "online, live copies": _read(online)}
        for series_id in SERIES_IDS:  # every series due again, and every vendor down
            online.cache.delete(f"state:{series_id}")
        Refresher(online, Upstream("fail")).refresh_due()
        results["mid-outage, last good copies"] = _read(outage)
        stuck = Store(open_cache(root / "stuck"), mode="auto")
        hanging = Upstream("hang")
        background = BackgroundRefresher(Refresher(stuck, hanging)).start()
        results["refresh stuck on a hanging vendor"] = _read(stuck)
        hanging.release.set()
        background.stop(60)
    print(f"riskon page data read: Store.panel over {len(SERIES_IDS)} series, warm diskcache, {RUNS} runs")
    print(summary("floor: snapshot mode", floor))
    for label, timings in results.items():
        ratio = statistics.median(timings) / statistics.median(floor)
        print(summary(label, timings) + f"  ({ratio:.2f}x floor)")


if __name__ == "__main__":
    main()
