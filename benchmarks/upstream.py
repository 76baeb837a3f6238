"""A slow fake upstream on 127.0.0.1 with Yahoo's recorded real answers, and riskon served on gunicorn with its
background refresher fetching from it over and over: refresh work that overlaps a whole benchmark run.

`SlowUpstream` answers Yahoo's chart API (`/v8/finance/chart/<symbol>`) with the recorded bodies under
tests/fixtures/yahoo/ after `delay` seconds, or holds every request while paused (a refresher waiting on a hanging
vendor does no work); a symbol without a recording is a 404 at once. `refreshing_server()` is `app:server` whose
refresher fetches from the upstream named by RISKON_BENCH_UPSTREAM, every copy due again at once.
"""

from __future__ import annotations

import gzip
import os
import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from flask import Flask

from benchmarks.callbacks import ROOT
from data_sources.base import Fetched, LiveSource
from data_sources.config import default_store
from data_sources.refresher import BackgroundRefresher, Refresher
from data_sources.registry import Registry
from data_sources.series import SERIES, Derived, SeriesDef
from data_sources.store import Store
from data_sources.vendors.yahoo import Yahoo

ENV_UPSTREAM = "RISKON_BENCH_UPSTREAM"
ENV_REFRESHER = "RISKON_BENCH_REFRESHER"
RECORDED = {
    "BTC-USD": ROOT / "tests/fixtures/yahoo/chart_BTC-USD_2014-2026.json.gz",
    "^RUT": ROOT / "tests/fixtures/yahoo/chart_RUT_1999-2026.json.gz",
}
CHART_PATH = "/v8/finance/chart/"


class SlowUpstream(ThreadingHTTPServer):
    """Yahoo's chart API on 127.0.0.1: each recorded body after `delay` seconds; every request held while paused."""

    daemon_threads = True

    def __init__(self, delay: float, bodies: dict[str, Path] = RECORDED) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.delay = delay
        self.bodies = {symbol: gzip.decompress(path.read_bytes()) for symbol, path in bodies.items()}
        self.answering = threading.Event()  # clear: paused, every request held
        self.answered = 0  # bodies sent
        self._count = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> SlowUpstream:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self


class _Handler(BaseHTTPRequestHandler):
    server: SlowUpstream

    def do_GET(self) -> None:
        self.server.answering.wait()
        symbol = self.path.split("?")[0].removeprefix(CHART_PATH)
        body = self.server.bodies.get(symbol.replace("%5E", "^"))
        if body is not None:
            time.sleep(self.server.delay)
        try:
            self.send_response(200 if body else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")
        except OSError:  # the refresher gave up on a held request (its read timeout) and asked again
            return
        with self.server._count:
            self.server.answered += body is not None

    def log_message(self, *args: object) -> None:
        """Keep the benchmark's output to its figures."""


class Recurring:
    """A live source whose every copy is due again at once (TTL 0), so the refresher never rests."""

    def __init__(self, live: LiveSource) -> None:
        self.live = live

    def fetch_series(self, series_id: str) -> Fetched:
        return replace(self.live.fetch_series(series_id), ttl_seconds=0)


def rehosted(base: str) -> Registry:
    """The series records with only their Yahoo adapters, moved to `base`; a series without one asks `base` for a
    symbol nobody recorded, and fails at once (404) and backs off, as with no network."""

    def moved(record: SeriesDef) -> SeriesDef:
        if isinstance(record.live, Derived) or not record.live:  # derived, or embedded only: as it is
            return record
        yahoo = tuple(replace(adapter, host=base) for adapter in record.live if isinstance(adapter, Yahoo))
        return replace(record, live=yahoo or (Yahoo(record.id, host=base),))

    return Registry({key: moved(record) for key, record in SERIES.items()})


def refresher(store: Store) -> BackgroundRefresher:
    """The background refresher of `store`, fetching from RISKON_BENCH_UPSTREAM."""
    source = Recurring(rehosted(os.environ[ENV_UPSTREAM]))
    return BackgroundRefresher(Refresher(store, source, retry_seconds=1.0))


def refreshing_server() -> Flask:
    """What `app:server` builds in each gunicorn worker (app.serving), its refresher fetching from
    RISKON_BENCH_UPSTREAM; with RISKON_BENCH_REFRESHER=process the workers leave refreshing to a process of its own
    (`main`)."""
    from app import create_app
    from components import callbacks, export
    from components.url_state import DEFAULT

    store = default_store()
    server = create_app(store).server
    if os.environ.get(ENV_REFRESHER) != "process":
        refresher(store).start()
    export.warm()
    callbacks.chart_figures(store, DEFAULT)
    return server


def main() -> None:
    """The refresher alone, on the cache the workers share, until killed."""
    refresher(default_store()).start()
    threading.Event().wait()


if __name__ == "__main__":
    main()
