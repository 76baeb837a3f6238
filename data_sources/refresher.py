"""Background refreshing: the only code that asks upstream for data and writes live copies into the store's cache.

Each directly fetched series is refreshed on its own schedule (its source's TTL) and backs off exponentially after
a failure; a derived series (TOTAL2, TOTAL3) is recomputed from its inputs' cached copies whenever one of them
changes. A new copy replaces the kept one only if it is about as long and agrees with it where they overlap.
One process per host (or per Redis cache) runs `BackgroundRefresher`, elected with the cache's lease; on several
hosts the same jobs run on Celery (`data_sources.tasks`). `riskon refresh` is the one-shot form.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import pandas as pd
from tqdm import tqdm

from data_sources.base import Fetched, LiveSource, ParseError, SourceError
from data_sources.registry import derive
from data_sources.series import SERIES, Derived
from data_sources.store import CachedCopy, Lease, RefreshState, Store, copy_key, state_key

log = logging.getLogger("riskon.data")

# Backoff after failures: retry_seconds, then doubling, at most this long.
MAX_BACKOFF_SECONDS = 3600.0
# A new copy must keep at least this share of the kept copy's points (keyless CoinGecko's 365 days once replaced
# 4,662 BTC points) ...
MIN_KEPT_SHARE = 0.9
# ... and agree with it on their common dates: median relative gap. Loose enough for two vendors' closing times
# and coverage, tight enough to catch a wrong unit or a wrong series.
OVERLAP_TOLERANCE = 0.05
# One series' fetch holds its lease at most this long (a Redis lease then expires if its host died).
FETCH_LEASE_SECONDS = 600.0
# The background refresher's election lease on Redis, renewed between series and on every tick.
ELECTION_SECONDS = 120.0
# How often a standby process tries to become the refresher, and the longest the refresher sleeps.
TICK_SECONDS = 15.0
# The cache key naming the process that refreshes now.
REFRESHER_KEY = "refresher"

Outcome = Literal["fetched", "failed", "rejected", "busy", "current"]


@dataclass(frozen=True)
class Result:
    """What one refresh of one series did; `detail` is for people (a range and source, or why not)."""

    series_id: str
    outcome: Outcome
    detail: str
    seconds: float = 0.0


def in_brief(exc: BaseException) -> str:
    """A failure in a few words for the status line: never a URL, a vendor's wording or an exception name."""
    if not isinstance(exc, SourceError):
        return "internal error"
    if isinstance(exc, ParseError):
        return "unexpected answer"
    # The registry joins every vendor's reason into one message, the primary vendor's first: name that one.
    found = [
        (match.start(), words.format(*match.groups()))
        for pattern, words in _REASONS
        if (match := re.search(pattern, exc.reason))
    ]
    return min(found)[1] if found else "unexpected answer"


_REASONS = (
    (r"connection failed", "network unreachable"),
    (r"timed out", "upstream timed out"),
    (r"rate limited", "rate limited"),
    (r"HTTP (\d+)", "upstream error (HTTP {})"),
)


def rejection(new: pd.Series, kept: pd.Series) -> str | None:
    """Why `new` may not replace `kept` (much shorter, or disagreeing where they overlap), or None."""
    if len(new) < MIN_KEPT_SHARE * len(kept):
        return f"{len(new):,} points where {len(kept):,} are kept"
    common = new.index.intersection(kept.index)
    base = kept[common]
    base = base[base != 0]
    if base.empty:
        return "no dates in common with the kept copy"
    gap = float(((new[base.index] - base).abs() / base.abs()).median())
    if gap > OVERLAP_TOLERANCE:
        return f"differs from the kept copy by {gap:.0%} (median over {len(base):,} common days)"
    return None


def backoff_seconds(failures: int, retry_seconds: float) -> float:
    """How long to wait after the `failures`-th failure in a row."""
    return float(min(MAX_BACKOFF_SECONDS, retry_seconds * 2 ** (failures - 1)))


class Refresher:
    """Refreshes the store's live copies from `live` as the series records say: vendors' series on their TTL,
    derived series from their inputs' cached copies."""

    def __init__(self, store: Store, live: LiveSource, *, retry_seconds: float = 60.0) -> None:
        self.store = store
        self.live = live
        self.retry_seconds = retry_seconds
        self.derivations = {key: record.live for key, record in SERIES.items() if isinstance(record.live, Derived)}
        # Series fetched from a vendor; embedded-only ones (no live source) are never refreshed.
        self.direct = tuple(key for key, record in SERIES.items() if record.live and key not in self.derivations)

    def due(self) -> list[str]:
        """The directly fetched series whose next attempt has come."""
        return [series_id for series_id in self.direct if self._due(series_id)]

    def next_due(self) -> pd.Timestamp | None:
        """When the next directly fetched series falls due (None: one is due now)."""
        times = [state.next_attempt if state else None for state in map(self.store.state, self.direct)]
        return None if None in times else min(time for time in times if time is not None)

    def refresh_due(self, keep_going: Callable[[], bool] = lambda: True) -> list[Result]:
        """Refresh every due series, in catalog order, while `keep_going()`."""
        results = []
        for series_id in self.due():
            if not keep_going():
                break
            results.extend(self.refresh(series_id, force=False))
        return results

    def refresh(self, series_id: str, *, force: bool = True) -> list[Result]:
        """Refresh one series now (only if due unless `force`): a derived one through its inputs. One Result per
        series touched, including derived series recomputed from it."""
        derived = self.derivations.get(series_id)
        if not SERIES[series_id].live:
            return [Result(series_id, "failed", "no live source: embedded data only")]
        if derived is None:
            return self._fetch(series_id, force=force)
        results = [result for input_id in derived.inputs for result in self._fetch(input_id, force=force)]
        if not any(result.series_id == series_id for result in results):
            # Nothing new to compute from: an input failed or was not due.
            results.append(Result(series_id, "current" if not force else "failed", "its inputs were not refreshed"))
        return results

    def _due(self, series_id: str) -> bool:
        state = self.store.state(series_id)
        return state is None or state.next_attempt is None or state.next_attempt <= self.store.now()

    def _fetch(self, series_id: str, *, force: bool) -> list[Result]:
        lease = self.store.cache.lease(f"fetch-{series_id}", FETCH_LEASE_SECONDS)
        if lease is None:  # nowhere to keep an answer: leave upstream alone
            return [Result(series_id, "failed", "cache unavailable")]
        if not lease.acquire():
            return [Result(series_id, "busy", "another process is refreshing it")]
        try:
            if not force and not self._due(series_id):  # someone else refreshed it meanwhile
                return [Result(series_id, "current", "refreshed meanwhile")]
            started = time.perf_counter()
            try:
                fetched = self.live.fetch_series(series_id)
            except SourceError as exc:
                log.warning("riskon: refreshing %s failed: %s", series_id, exc)
                return [self._failed(series_id, "failed", in_brief(exc), started)]
            except Exception as exc:  # a bug in an adapter must still leave a failure marker and a backoff
                log.exception("riskon: refreshing %s failed unexpectedly", series_id)
                return [self._failed(series_id, "failed", in_brief(exc), started)]
            result = self._keep(series_id, fetched, started)
        finally:
            lease.release()
        if result.outcome != "fetched":
            return [result]
        dependents = [key for key, derived in self.derivations.items() if series_id in derived.inputs]
        return [result, *(self._derive(key, self.derivations[key]) for key in dependents)]

    def _derive(self, series_id: str, derived: Derived) -> Result:
        started = time.perf_counter()
        copies = [self.store.last_good(input_id) for input_id in derived.inputs]
        parts = [Fetched(copy.series, copy.source, copy.ttl_seconds) for copy in copies if copy is not None]
        if len(parts) < len(copies):
            return self._failed(series_id, "failed", "waiting for its inputs", started, backoff=False)
        try:
            fetched = derive(series_id, derived, parts)
        except SourceError as exc:
            log.warning("riskon: deriving %s failed: %s", series_id, exc)
            return self._failed(series_id, "failed", in_brief(exc), started, backoff=False)
        return self._keep(series_id, fetched, started)

    def _keep(self, series_id: str, fetched: Fetched, started: float) -> Result:
        """Store `fetched` as the new last good copy unless it would lose data."""
        series = fetched.series.rename(series_id)
        kept = self._baseline(series_id)
        reason = None if kept is None else rejection(series, kept.series)
        if reason is not None:
            assert kept is not None
            log.warning(
                "riskon: rejected %s from %s (%s); keeping %s's copy of %s -> %s",
                series_id,
                fetched.source,
                reason,
                kept.source,
                f"{kept.series.index[0]:%Y-%m-%d}",
                f"{kept.series.index[-1]:%Y-%m-%d}",
            )
            return self._failed(series_id, "rejected", f"rejected: {reason}", started)
        now = self.store.now()
        copy = CachedCopy(series, fetched.source, now, fetched.ttl_seconds)
        if not self.store.cache.set(copy_key(series_id), copy):
            return self._failed(series_id, "failed", "cache unavailable", started)
        next_attempt = now + pd.Timedelta(seconds=fetched.ttl_seconds)
        self.store.cache.set(state_key(series_id), RefreshState(now, now, fetched.source, None, 0, next_attempt))
        detail = f"{series.index[0]:%Y-%m-%d} -> {series.index[-1]:%Y-%m-%d}  {fetched.source}"
        return Result(series_id, "fetched", detail, time.perf_counter() - started)

    def _baseline(self, series_id: str) -> CachedCopy | None:
        """What a new copy must not lose: what the store serves now, i.e. the last good copy, else in auto mode the
        embedded snapshot (if the series has one)."""
        kept = self.store.last_good(series_id)
        return kept if kept is not None or self.store.mode != "auto" else self.store.snapshot_copy(series_id)

    def _failed(self, series_id: str, outcome: Outcome, error: str, started: float, *, backoff: bool = True) -> Result:
        """Record a failure (the kept copy stays) and when to try again."""
        now = self.store.now()
        state = self.store.state(series_id) or RefreshState()
        failures = state.failures + 1
        wait = backoff_seconds(failures, self.retry_seconds) if backoff else 0.0
        next_attempt = now + pd.Timedelta(seconds=wait) if backoff else state.next_attempt
        updated = replace(state, last_attempt=now, error=error, failures=failures, next_attempt=next_attempt)
        self.store.cache.set(state_key(series_id), updated)
        return Result(series_id, outcome, error, time.perf_counter() - started)


class BackgroundRefresher:
    """Runs `Refresher.refresh_due` in a daemon thread of every process, but only in the one that holds the
    election lease; the others stand by and take over when its lease is freed (a dead process's, at the latest
    when a Redis lease expires)."""

    def __init__(self, refresher: Refresher, *, tick_seconds: float = TICK_SECONDS) -> None:
        self.refresher = refresher
        self.tick_seconds = tick_seconds
        self._stop = threading.Event()
        self._leading = threading.Event()
        self._thread = threading.Thread(target=self._run, name="riskon-refresher", daemon=True)

    @property
    def leading(self) -> bool:
        """Whether this process is the elected refresher right now."""
        return self._leading.is_set()

    def start(self) -> BackgroundRefresher:
        self._thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        """Stop after the series being fetched (if any) and free the election lease."""
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        cache = self.refresher.store.cache
        lease = None
        while not self._stop.is_set():
            if lease is None or not lease.renew():
                lease = cache.lease("refresher", ELECTION_SECONDS)
                lease = lease if lease is not None and lease.acquire() else None
            if lease is None:
                self._leading.clear()
                self._stop.wait(self.tick_seconds)
                continue
            self._leading.set()
            # Who refreshes, for the status page; it vanishes a few ticks after this process stops.
            cache.set(REFRESHER_KEY, f"{socket.gethostname()} pid {os.getpid()}", expire=3 * self.tick_seconds + 30)
            try:
                self.refresher.refresh_due(functools.partial(self._still_leading, lease))
            except Exception:  # the thread must outlive any bug; the traceback goes to the log
                log.exception("riskon: the background refresh failed")
            self._stop.wait(self._seconds_to_next())
        self._leading.clear()
        if lease is not None:
            lease.release()

    def _still_leading(self, lease: Lease) -> bool:
        return not self._stop.is_set() and lease.renew()

    def _seconds_to_next(self) -> float:
        upcoming = self.refresher.next_due()
        if upcoming is None:
            return self.tick_seconds
        seconds = (upcoming - self.refresher.store.now()).total_seconds()
        return min(self.tick_seconds, max(0.0, seconds))


def refresh_command(refresher: Refresher, series_ids: Sequence[str]) -> int:
    """`riskon refresh`: fetch each series now with a progress bar, print what each did, exit 1 unless every
    requested series was fetched (a series another process is refreshing counts as not fetched)."""
    results: list[Result] = []
    for series_id in tqdm(series_ids, desc="refreshing", unit="series"):
        results.extend(refresher.refresh(series_id))
    by_id = {result.series_id: result for result in results}
    print("\n".join(_line(result) for result in by_id.values()))
    fetched = [series_id for series_id in series_ids if by_id[series_id].outcome == "fetched"]
    print(f"{len(fetched)} of {len(series_ids)} series refreshed")
    return 0 if len(fetched) == len(series_ids) else 1


def _line(result: Result) -> str:
    label = {"fetched": "ok", "busy": "BUSY"}.get(result.outcome, result.outcome.upper())
    return f"{label:8} {result.series_id:20} {result.seconds:5.1f}s  {result.detail}"
