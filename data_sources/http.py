"""The one HTTP session every adapter uses: timeout on every request, backoff on 429/5xx, a User-Agent."""

from __future__ import annotations

import time
from functools import cache
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3 import BaseHTTPResponse
from urllib3.connectionpool import ConnectionPool
from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.util.retry import Retry

from data_sources.base import FetchError

USER_AGENT = "riskon/0.1 (+https://github.com/riskon/riskon)"
TIMEOUT_SECONDS = (3.05, 15.0)  # (connect, read) per attempt
RETRY_STATUSES = (429, 500, 502, 503, 504)
# Sleep at most this long for one Retry-After; longer asks end in a FetchError the store turns into stale data.
MAX_RETRY_AFTER_SECONDS = 10
# No retry starts later than this after a request's first failure, so a vendor that hangs holds one request for
# at most two attempts' timeouts plus this: (3 + 15) x 2 + 20, under a minute, whatever the retry counts allow.
RETRY_BUDGET_SECONDS = 20.0


class BudgetedRetry(Retry):
    """urllib3's Retry, giving up once RETRY_BUDGET_SECONDS have passed since the first failed attempt."""

    def __init__(self, *args: Any, deadline: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deadline = deadline

    def new(self, **kw: Any) -> Self:
        retry = super().new(**kw)
        retry.deadline = self.deadline
        return retry

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        # Raises MaxRetryError once the counts run out; urllib3 then returns the last response of a status retry.
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        now = time.monotonic()
        if retry.deadline is None:
            retry.deadline = now + RETRY_BUDGET_SECONDS
        elif now >= retry.deadline:
            raise MaxRetryError(_pool, url, error or ResponseError("retry budget spent"))  # type: ignore[arg-type]
        return retry


def retry_policy(*, total: int = 3, backoff_factor: float = 0.5) -> Retry:
    """Exponential backoff on RETRY_STATUSES and read errors, honouring Retry-After up to MAX_RETRY_AFTER_SECONDS,
    within RETRY_BUDGET_SECONDS; one retry when the connection itself fails, since a host that cannot be reached
    (no network, DNS down) rarely comes back within seconds and every fallback vendor would otherwise wait out
    the full backoff."""
    return BudgetedRetry(
        total=total,
        connect=min(total, 1),
        backoff_factor=backoff_factor,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
        retry_after_max=MAX_RETRY_AFTER_SECONDS,
        raise_on_status=False,
    )


@cache
def session() -> requests.Session:
    """The process-wide session (connection pooling, retries, User-Agent)."""
    shared = requests.Session()
    shared.headers["User-Agent"] = USER_AGENT
    adapter = HTTPAdapter(max_retries=retry_policy())
    shared.mount("https://", adapter)
    shared.mount("http://", adapter)
    return shared


def public_url(url: str) -> str:
    """The URL without its query string: safe to show, since API keys may travel in the query."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _is_timeout(exc: requests.RequestException) -> bool:
    """requests reports a read timeout that exhausted the retries as a ConnectionError wrapping urllib3's."""
    reason = getattr(exc.args[0] if exc.args else None, "reason", None)
    if isinstance(reason, urllib3.exceptions.NewConnectionError):  # a subclass of ConnectTimeoutError, for history
        return False
    return isinstance(exc, requests.Timeout) or isinstance(reason, urllib3.exceptions.TimeoutError)


def get_bytes(
    url: str,
    *,
    source: str,
    series_id: str,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    """GET `url` through the shared session; any failure becomes a FetchError naming source and series."""
    where = public_url(url)
    try:
        response = session().get(url, params=params, headers=headers, timeout=TIMEOUT_SECONDS)
    except requests.RequestException as exc:
        if _is_timeout(exc):
            raise FetchError(source, series_id, f"timed out after retries ({where})") from exc
        raise FetchError(source, series_id, f"connection failed after retries ({where}): {type(exc).__name__}") from exc
    if response.status_code == 429:
        wait = response.headers.get("Retry-After", "unspecified")
        raise FetchError(source, series_id, f"rate limited (HTTP 429, Retry-After {wait}) at {where}")
    if response.status_code >= 400:
        raise FetchError(source, series_id, f"HTTP {response.status_code} from {where}")
    return response.content
