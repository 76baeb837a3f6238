"""The one fake upstream on 127.0.0.1: routes a path to an answer to the query and records every request; on it, real
histories that error or hang on command, and a live source that reads them."""

from __future__ import annotations

import functools
import json
import threading
import time
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import MappingProxyType
from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

import pandas as pd

from data_sources import http, snapshot
from data_sources.base import Fetched, validate_series
from data_sources.series import SERIES_IDS

# Every wait below is on a state, with this deadline only so that a broken build fails instead of hanging.
DEADLINE_SECONDS = 60.0


class Reply(NamedTuple):
    status: int
    body: bytes = b""
    headers: Mapping[str, str] = MappingProxyType({})


Route = Callable[[dict[str, str]], Reply]


class Upstream(ThreadingHTTPServer):
    """Answers a path with its route's reply to the query (404 for a path without one); records every request."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: Upstream

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
        self.server.requests.append((parts.path, query))
        route = self.server.routes.get(parts.path)
        status, body, headers = route(query) if route else Reply(404, b"not found")
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Keep test output quiet."""


def history(series_id: str) -> pd.Series:
    """What upstream answers for a series: its real embedded history; a live-only series, which has none, gets
    Bitcoin's as stand-in test data (only its shape matters to the refresher)."""
    return snapshot.load(series_id if snapshot.has(series_id) else "btc").rename(series_id)


class Histories:
    """Each series' real history as JSON at /<series_id> of an upstream, or 503, or held until released."""

    def __init__(self, upstream: Upstream) -> None:
        self.url = upstream.url
        self.upstream = upstream
        self.mode = "hang"
        self.error_status = 503  # what "error" answers: 500, 429...
        self.release = threading.Event()
        self.hanging = threading.Event()  # set while a request is held
        for series_id in SERIES_IDS:
            upstream.routes[f"/{series_id}"] = functools.partial(self._answer, series_id)

    def add_recorded(self, path: str, body: bytes) -> None:
        """Answer `path` with a vendor's recorded real `body` when answering, hanging and erroring as the rest."""
        reply = Reply(200, body, {"Content-Type": "application/json"})
        self.upstream.routes[path] = lambda query: self._failure() or reply

    def _failure(self) -> Reply | None:
        """Hold the request while hanging; then the error reply, unless upstream answers."""
        if self.mode == "hang":
            self.hanging.set()
            self.release.wait()
            self.hanging.clear()
        return None if self.mode == "ok" else Reply(self.error_status)

    def _answer(self, series_id: str, query: dict[str, str]) -> Reply:
        if failure := self._failure():
            return failure
        series = history(series_id)
        body = json.dumps({"dates": [f"{day:%Y-%m-%d}" for day in series.index], "values": series.tolist()})
        return Reply(200, body.encode(), {"Content-Type": "application/json"})


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
