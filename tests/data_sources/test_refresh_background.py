"""The background refresher against a fake upstream on 127.0.0.1 that hangs, errors and recovers: pages never wait
on it, the status follows it, the data upgrades; one process per cache is elected to refresh."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from flask import Flask

from components import health
from data_sources import snapshot
from data_sources.config import open_cache
from data_sources.refresher import BackgroundRefresher, Refresher
from data_sources.series import SERIES, SERIES_IDS
from data_sources.status import status
from data_sources.store import Store
from tests.data_sources.conftest import open_at
from tests.data_sources.fake_upstream import DEADLINE_SECONDS, Histories, HttpSource, wait_for


def test_pages_never_wait_on_upstream_the_status_follows_it_and_the_data_upgrades(
    histories: Histories, tmp_path: Path
) -> None:
    store = Store(open_cache(tmp_path / "cache"), mode="auto")
    server = Flask(__name__)
    health.register(server, store)
    client = server.test_client()
    refresher = Refresher(store, HttpSource(histories.url), retry_seconds=0.2)
    background = BackgroundRefresher(refresher, tick_seconds=0.1).start()
    try:
        assert histories.hanging.wait(DEADLINE_SECONDS), "the refresher asked upstream"
        panel = store.panel(SERIES_IDS)  # returns while upstream holds the refresher's request
        assert histories.hanging.is_set()
        assert all(meta.source.startswith("snapshot") for meta in panel.meta.values() if meta.available)
        answer = client.get("/healthz")
        assert histories.hanging.is_set() and answer.status_code == 200
        assert answer.get_json()["state"] == "starting"
        ends = max(snapshot.load(key).index[-1] for key, record in SERIES.items() if record.live and snapshot.has(key))
        assert status(store).line == f"Starting · embedded data (ends {ends:%Y-%m-%d}) · first refresh under way"

        histories.mode = "error"
        histories.release.set()
        wait_for(lambda: status(store).state == "offline", "every series has failed once")
        line = status(store).line
        assert line.startswith(f"Offline · embedded data (ends {ends:%Y-%m-%d}) · last try ")
        assert line.endswith(": upstream error (HTTP 503)")
        assert client.get("/healthz").get_json()["series"]["btc"]["error"] == "upstream error (HTTP 503)"

        histories.mode = "ok"
        wait_for(lambda: status(store).state == "live", "every series is live")
        assert status(store).line.startswith("Live · data as of ")
        meta = store.series("altcoin_mcap")[1]
        assert meta.source == "fake upstream (total - BTC)" and not meta.stale
        pd.testing.assert_series_equal(store.series("btc")[0], snapshot.load("btc"))  # type: ignore[arg-type]
        body = client.get("/healthz").get_json()
        assert body["status"] == "ok" and body["series"]["btc"]["live"] and body["series"]["btc"]["error"] is None
    finally:
        background.stop(DEADLINE_SECONDS)
    assert not background.leading


def test_one_process_per_cache_refreshes_and_another_takes_over_when_it_stops(
    histories: Histories, location: str
) -> None:
    histories.mode = "ok"

    def refresher() -> BackgroundRefresher:
        store = Store(open_at(location), mode="auto")
        return BackgroundRefresher(Refresher(store, HttpSource(histories.url)), tick_seconds=0.1)

    first, second = refresher().start(), refresher().start()
    try:
        wait_for(lambda: first.leading or second.leading, "one is elected")
        leader, standby = (first, second) if first.leading else (second, first)
        assert not standby.leading
        leader.stop(DEADLINE_SECONDS)
        wait_for(lambda: standby.leading, "the standby takes over")
    finally:
        first.stop(DEADLINE_SECONDS)
        second.stop(DEADLINE_SECONDS)
