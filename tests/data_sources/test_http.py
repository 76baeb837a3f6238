"""The shared session against a real local HTTP server: retries, Retry-After, timeouts, errors, secrets."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from data_sources import http
from data_sources.base import FetchError

_POLICY = http.retry_policy  # the real policy, before any test swaps it
Reply = tuple[int, dict[str, str], bytes, float]  # status, headers, body, delay before answering


class ScriptedServer(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), ScriptedHandler)
        self.replies: list[Reply] = []
        self.paths: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/data"


class ScriptedHandler(BaseHTTPRequestHandler):
    server: ScriptedServer

    def do_GET(self) -> None:
        self.server.paths.append(self.path)
        status, headers, body, delay = self.server.replies.pop(0)
        time.sleep(delay)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedServer]:
    monkeypatch.setattr(http, "TIMEOUT_SECONDS", (1.0, 0.5))
    http.session.cache_clear()
    monkeypatch.setattr(http, "retry_policy", functools.partial(http.retry_policy, total=2, backoff_factor=0.01))
    scripted = ScriptedServer()
    thread = threading.Thread(target=scripted.serve_forever, daemon=True)
    thread.start()
    yield scripted
    scripted.shutdown()
    http.session.cache_clear()


def _get(server: ScriptedServer, **params: str) -> bytes:
    return http.get_bytes(server.url, source="vendor", series_id="btc", params=params or None)


def test_success_sends_the_user_agent(server: ScriptedServer) -> None:
    server.replies = [(200, {}, b"ok", 0)]
    assert _get(server) == b"ok"
    assert str(http.session().headers["User-Agent"]).startswith("riskon/")


def test_5xx_is_retried_then_succeeds(server: ScriptedServer) -> None:
    server.replies = [(503, {}, b"", 0), (502, {}, b"", 0), (200, {}, b"ok", 0)]
    assert _get(server) == b"ok"
    assert len(server.paths) == 3


def test_5xx_exhausted_is_a_fetch_error_with_the_status(server: ScriptedServer) -> None:
    server.replies = [(500, {}, b"", 0)] * 3
    with pytest.raises(FetchError, match=r"^vendor / btc: HTTP 500 from http://127.0.0.1:\d+/data$"):
        _get(server)


def test_429_honours_a_short_retry_after(server: ScriptedServer) -> None:
    server.replies = [(429, {"Retry-After": "1"}, b"", 0), (200, {}, b"ok", 0)]
    started = time.perf_counter()
    assert _get(server) == b"ok"
    assert time.perf_counter() - started >= 0.9


def test_a_long_retry_after_is_capped_and_then_reported(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http, "MAX_RETRY_AFTER_SECONDS", 0.2)
    server.replies = [(429, {"Retry-After": "3600"}, b"", 0)] * 3
    started = time.perf_counter()
    with pytest.raises(FetchError, match=r"rate limited \(HTTP 429, Retry-After 3600\)"):
        _get(server)
    assert time.perf_counter() - started < 3


def test_timeout_is_a_fetch_error(server: ScriptedServer) -> None:
    server.replies = [(200, {}, b"late", 2.0)] * 3
    with pytest.raises(FetchError, match=r"timed out"):
        _get(server)


@pytest.mark.usefixtures("server")
def test_connection_refused_is_a_fetch_error() -> None:
    with pytest.raises(FetchError, match=r"connection failed"):
        http.get_bytes("http://127.0.0.1:9/nothing", source="vendor", series_id="btc")


def test_api_keys_in_the_query_never_reach_the_message(server: ScriptedServer) -> None:
    server.replies = [(401, {}, b"", 0)]
    with pytest.raises(FetchError) as info:
        _get(server, apikey="SECRET123")
    assert "SECRET123" not in str(info.value)
    assert "apikey=SECRET123" in server.paths[0]


def test_an_unreachable_host_is_retried_once_while_bad_statuses_get_the_full_backoff() -> None:
    policy = http.retry_policy()
    assert (policy.total, policy.connect) == (3, 1)
    assert set(http.RETRY_STATUSES) <= set(policy.status_forcelist or ())


def test_a_hanging_vendor_is_given_up_once_the_retry_budget_is_spent(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http, "RETRY_BUDGET_SECONDS", 0.5)
    monkeypatch.setattr(http, "retry_policy", functools.partial(_POLICY, total=50, backoff_factor=0))
    http.session.cache_clear()
    server.replies = [(200, {}, b"late", 0.8)] * 50
    with pytest.raises(FetchError, match=r"timed out"):
        _get(server)
    # 50 retries would wait out 50 read timeouts; the budget stops at the first failure past it.
    assert len(server.paths) == 2


def test_a_flapping_vendor_answers_with_its_last_status_once_the_budget_is_spent(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http, "RETRY_BUDGET_SECONDS", 0.3)
    monkeypatch.setattr(http, "retry_policy", functools.partial(_POLICY, total=50, backoff_factor=0))
    http.session.cache_clear()
    server.replies = [(503, {}, b"", 0.2)] * 50
    with pytest.raises(FetchError, match=r"HTTP 503"):
        _get(server)
    assert len(server.paths) <= 4
