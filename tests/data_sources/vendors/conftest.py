"""A fake upstream on 127.0.0.1: routes a path to a handler of the query, records every request."""

from __future__ import annotations

import functools
import gzip
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from data_sources import http
from tests.conftest import FIXTURES

Handler = Callable[[dict[str, str]], tuple[int, bytes]]


def fixture_bytes(name: str) -> bytes:
    """A fixture's body, gunzipped if it is stored compressed."""
    body = (FIXTURES / name).read_bytes()
    return gzip.decompress(body) if name.endswith(".gz") else body


class Upstream(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Handler] = {}
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
        status, body = route(query) if route else (404, b"not found")
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture
def upstream(monkeypatch: pytest.MonkeyPatch) -> Iterator[Upstream]:
    """A fresh fake upstream, and a shared session that does not retry (each request is one upstream call)."""
    monkeypatch.setattr(http, "retry_policy", functools.partial(http.retry_policy, total=0))
    http.session.cache_clear()
    server = Upstream()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    http.session.cache_clear()
