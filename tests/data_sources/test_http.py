"""The shared session against a real local HTTP server: retries, Retry-After, timeouts, errors, secrets."""

from __future__ import annotations

import functools
import time

import pytest

from data_sources import http
from data_sources.base import FetchError
from tests.data_sources.fake_upstream import Reply, Upstream

_POLICY = http.retry_policy  # the real policy, before any test swaps it


@pytest.fixture
def server(upstream: Upstream, monkeypatch: pytest.MonkeyPatch) -> Upstream:
    """The fake upstream, reached with short timeouts and two quick retries."""
    monkeypatch.setattr(http, "TIMEOUT_SECONDS", (1.0, 0.5))
    monkeypatch.setattr(http, "retry_policy", functools.partial(http.retry_policy, total=2, backoff_factor=0.01))
    http.session.cache_clear()
    return upstream


def _script(server: Upstream, *replies: Reply, delay: float = 0.0) -> None:
    """Answer /data with `replies` in turn, each after `delay` seconds."""
    queue = list(replies)

    def answer(query: dict[str, str]) -> Reply:
        time.sleep(delay)
        return queue.pop(0)

    server.routes["/data"] = answer


def _get(server: Upstream, **params: str) -> bytes:
    return http.get_bytes(f"{server.url}/data", source="vendor", series_id="btc", params=params or None)


def test_success_sends_the_user_agent(server: Upstream) -> None:
    _script(server, Reply(200, b"ok"))
    assert _get(server) == b"ok"
    assert str(http.session().headers["User-Agent"]).startswith("riskon/")


def test_5xx_is_retried_then_succeeds(server: Upstream) -> None:
    _script(server, Reply(503), Reply(502), Reply(200, b"ok"))
    assert _get(server) == b"ok"
    assert len(server.requests) == 3


def test_5xx_exhausted_is_a_fetch_error_with_the_status(server: Upstream) -> None:
    _script(server, *[Reply(500)] * 3)
    with pytest.raises(FetchError, match=r"^vendor / btc: HTTP 500 from http://127.0.0.1:\d+/data$"):
        _get(server)


def test_429_honours_a_short_retry_after(server: Upstream) -> None:
    _script(server, Reply(429, headers={"Retry-After": "1"}), Reply(200, b"ok"))
    started = time.perf_counter()
    assert _get(server) == b"ok"
    assert time.perf_counter() - started >= 0.9


def test_a_long_retry_after_is_capped_and_then_reported(server: Upstream, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http, "MAX_RETRY_AFTER_SECONDS", 0.2)
    _script(server, *[Reply(429, headers={"Retry-After": "3600"})] * 3)
    started = time.perf_counter()
    with pytest.raises(FetchError, match=r"rate limited \(HTTP 429, Retry-After 3600\)"):
        _get(server)
    assert time.perf_counter() - started < 3


def test_timeout_is_a_fetch_error(server: Upstream) -> None:
    _script(server, *[Reply(200, b"late")] * 3, delay=2.0)
    with pytest.raises(FetchError, match=r"timed out"):
        _get(server)


@pytest.mark.usefixtures("server")
def test_connection_refused_is_a_fetch_error() -> None:
    with pytest.raises(FetchError, match=r"connection failed"):
        http.get_bytes("http://127.0.0.1:9/nothing", source="vendor", series_id="btc")


def test_api_keys_in_the_query_never_reach_the_message(server: Upstream) -> None:
    _script(server, Reply(401))
    with pytest.raises(FetchError) as info:
        _get(server, apikey="SECRET123")
    assert "SECRET123" not in str(info.value)
    assert server.requests[0][1]["apikey"] == "SECRET123"


def test_an_unreachable_host_is_retried_once_while_bad_statuses_get_the_full_backoff() -> None:
    policy = http.retry_policy()
    assert (policy.total, policy.connect) == (3, 1)
    assert set(http.RETRY_STATUSES) <= set(policy.status_forcelist or ())


@pytest.mark.parametrize(
    ("budget", "reply", "delay", "message", "requests"),
    [
        # 50 retries would wait out 50 read timeouts; the budget stops at the first failure past it.
        pytest.param(0.5, Reply(200, b"late"), 0.8, r"timed out", range(2, 3), id="hanging"),
        pytest.param(0.3, Reply(503), 0.2, r"HTTP 503", range(1, 5), id="flapping"),
    ],
)
def test_a_failing_vendor_is_given_up_with_its_last_error_once_the_retry_budget_is_spent(
    server: Upstream,
    monkeypatch: pytest.MonkeyPatch,
    budget: float,
    reply: Reply,
    delay: float,
    message: str,
    requests: range,
) -> None:
    monkeypatch.setattr(http, "RETRY_BUDGET_SECONDS", budget)
    monkeypatch.setattr(http, "retry_policy", functools.partial(_POLICY, total=50, backoff_factor=0))
    http.session.cache_clear()
    _script(server, *[reply] * 50, delay=delay)
    with pytest.raises(FetchError, match=message):
        _get(server)
    assert len(server.requests) in requests
