"""A fake upstream on 127.0.0.1 that serves real histories, errors or hangs on command, and a live source on it."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd

from data_sources import http, snapshot
from data_sources.base import Fetched, validate_series


def history(series_id: str) -> pd.Series:
    """What upstream answers for a series: its real embedded history; a live-only series, which has none, gets
    Bitcoin's as stand-in test data (only its shape matters to the refresher)."""
    return snapshot.load(series_id if snapshot.has(series_id) else "btc").rename(series_id)


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
        series = history(self.path.strip("/"))
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


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.05)
