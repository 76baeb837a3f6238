"""The background refresher against a fake upstream on 127.0.0.1 that hangs, errors and recovers: pages never wait
on it, the status follows it, the data upgrades; one process per cache is elected to refresh."""

from __future__ import annotations

import functools
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest
from flask import Flask

from components import health
from data_sources import http, snapshot
from data_sources.base import Fetched, validate_series
from data_sources.catalog import SERIES_IDS
from data_sources.config import open_cache
from data_sources.refresher import BackgroundRefresher, Refresher
from data_sources.status import status
from data_sources.store import Store
from tests.data_sources.conftest import open_at
from tests.data_sources.test_store import DERIVATIONS

# Every wait below is on a state, with this deadline only so that a broken build fails instead of hanging.
DEADLINE_SECONDS = 60.0


class FakeUpstream(ThreadingHTTPServer):
    """Serves each series' real history as JSON at /<series_id>, or answers 503, or hangs until released."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mode = "hang"
        self.release = threading.Event()
        self.hanging = threading.Event()  # set while a request is held

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: FakeUpstream

    def do_GET(self) -> None:
        if self.server.mode == "hang":
            self.server.hanging.set()
            self.server.release.wait()
            self.server.hanging.clear()
        if self.server.mode != "ok":
            self.send_error(503)
            return
        series = snapshot.load(self.path.strip("/"))
        body = json.dumps({"dates": [f"{day:%Y-%m-%d}" for day in series.index], "values": series.tolist()})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, format: str, *args: object) -> None:
        pass


class HttpSource:
    """A live source on the fake upstream, through riskon's own HTTP session (so its errors read as usual)."""

    def __init__(self, base: str) -> None:
        self.base = base

    def fetch_series(self, series_id: str) -> Fetched:
        payload = json.loads(http.get_bytes(f"{self.base}/{series_id}", source="fake", series_id=series_id))
        series = pd.Series(payload["values"], index=pd.DatetimeIndex(payload["dates"], name="date"))
        return Fetched(validate_series(series, source="fake", series_id=series_id), "fake upstream", 3600)


@pytest.fixture
def upstream(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeUpstream]:
    monkeypatch.setattr(http, "retry_policy", functools.partial(http.retry_policy, total=0))
    http.session.cache_clear()
    server = FakeUpstream()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    thread.join(DEADLINE_SECONDS)
    http.session.cache_clear()


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.05)


def test_pages_never_wait_on_upstream_the_status_follows_it_and_the_data_upgrades(
    upstream: FakeUpstream, tmp_path: Path
) -> None:
    store = Store(open_cache(tmp_path / "cache"), mode="auto")
    server = Flask(__name__)
    health.register(server, store)
    client = server.test_client()
    refresher = Refresher(store, HttpSource(upstream.url), DERIVATIONS, retry_seconds=0.2)
    background = BackgroundRefresher(refresher, tick_seconds=0.1).start()
    try:
        assert upstream.hanging.wait(DEADLINE_SECONDS), "the refresher asked upstream"
        panel = store.panel(SERIES_IDS)  # returns while upstream holds the refresher's request
        assert upstream.hanging.is_set()
        assert all(meta.source.startswith("snapshot") for meta in panel.meta.values())
        answer = client.get("/healthz")
        assert upstream.hanging.is_set() and answer.status_code == 200
        assert answer.get_json()["state"] == "starting"
        ends = max(snapshot.load(series_id).index[-1] for series_id in SERIES_IDS)
        assert status(store).line == f"Starting · embedded data (ends {ends:%Y-%m-%d}) · first refresh under way"

        upstream.mode = "error"
        upstream.release.set()
        wait_for(lambda: status(store).state == "offline", "every series has failed once")
        line = status(store).line
        assert line.startswith(f"Offline · embedded data (ends {ends:%Y-%m-%d}) · last try ")
        assert line.endswith(": upstream error (HTTP 503)")
        assert client.get("/healthz").get_json()["series"]["btc"]["error"] == "upstream error (HTTP 503)"

        upstream.mode = "ok"
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
    upstream: FakeUpstream, location: str
) -> None:
    upstream.mode = "ok"

    def refresher() -> BackgroundRefresher:
        store = Store(open_at(location), mode="auto")
        return BackgroundRefresher(Refresher(store, HttpSource(upstream.url), DERIVATIONS), tick_seconds=0.1)

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
