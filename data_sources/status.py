"""Where the data stands, in words for people and fields for machines: the status line, the data status page and
/healthz are views of `status(store)`. Reads the cache only."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from data_sources.refresher import REFRESHER_KEY
from data_sources.series import SERIES, SERIES_IDS
from data_sources.store import SourceMode, Store

State = Literal["snapshot", "live", "partial", "offline", "starting"]


@dataclass(frozen=True)
class SeriesStatus:
    """One series: what is served (source, range, fetch time) and how its refreshing goes (all times UTC)."""

    series_id: str
    source: str  # the source of the data served: a vendor, a derivation, or "snapshot (...)"
    live: bool  # served from a live copy, not the embedded snapshot
    stale: bool
    first: pd.Timestamp | None
    last: pd.Timestamp | None
    fetched_at: pd.Timestamp | None  # when the served live copy was fetched
    last_success: pd.Timestamp | None
    last_attempt: pd.Timestamp | None
    error: str | None  # the last attempt's failure in a few words; None after a success
    next_attempt: pd.Timestamp | None

    @property
    def available(self) -> bool:
        return self.last is not None


@dataclass(frozen=True)
class DataStatus:
    """The whole picture: the mode, an overall state and its one-line summary, and one row per series."""

    mode: SourceMode
    state: State
    line: str
    series: tuple[SeriesStatus, ...]
    refresher: str | None  # the host and process that refresh now; None: none (snapshot mode, or none running)


def status(store: Store) -> DataStatus:
    """The data status of `store` now."""
    rows = tuple(_row(store, series_id) for series_id in SERIES_IDS)
    refreshed = tuple(row for row in rows if SERIES[row.series_id].live)  # embedded-only series are never live
    state = _state(store.mode, refreshed)
    refresher = store.cache.get(REFRESHER_KEY)
    who = refresher if isinstance(refresher, str) else None
    return DataStatus(store.mode, state, _line(state, refreshed, store.now()), rows, who)


def _row(store: Store, series_id: str) -> SeriesStatus:
    _, meta = store.series(series_id)
    refresh = store.state(series_id) if store.mode != "snapshot" else None
    live = meta.available and not meta.source.startswith("snapshot")
    return SeriesStatus(
        series_id,
        meta.source,
        live,
        meta.stale,
        meta.first,
        meta.last,
        meta.as_of if live else None,
        refresh.last_success if refresh else None,
        refresh.last_attempt if refresh else None,
        refresh.error if refresh else None,
        refresh.next_attempt if refresh else None,
    )


def _state(mode: SourceMode, rows: tuple[SeriesStatus, ...]) -> State:
    if mode == "snapshot":
        return "snapshot"
    current = [row for row in rows if row.live and not row.stale]
    if len(current) == len(rows):
        return "live"
    if any(row.live for row in rows):
        return "partial"
    return "offline" if any(row.last_attempt is not None for row in rows) else "starting"


def _line(state: State, rows: tuple[SeriesStatus, ...], now: pd.Timestamp) -> str:
    ends = max((row.last for row in rows if row.last is not None), default=None)
    embedded = f"embedded data (ends {ends:%Y-%m-%d})" if ends is not None else "no data"
    if state == "snapshot":
        return f"Embedded data (ends {ends:%Y-%m-%d}) · live sources off" if ends is not None else "No data"
    if state in ("offline", "starting"):
        tried = [row for row in rows if row.last_attempt is not None]
        if not tried:
            return f"Starting · {embedded} · first refresh under way"
        last_try = max(row.last_attempt for row in tried if row.last_attempt is not None)
        error = Counter(row.error for row in tried if row.error).most_common(1)
        why = f": {error[0][0]}" if error else ""
        return f"Offline · {embedded} · last try {last_try:%H:%M}{why}"
    fetched = min(row.fetched_at for row in rows if row.fetched_at is not None)
    upcoming = [row.next_attempt for row in rows if row.next_attempt is not None]
    next_refresh = "now" if not upcoming or min(upcoming) <= now else f"{min(upcoming):%H:%M}"
    tail = f"data as of {fetched:%Y-%m-%d %H:%M} UTC · next refresh {next_refresh}"
    if state == "live":
        return f"Live · {tail}"
    current = sum(row.live and not row.stale for row in rows)
    return f"Partly live · {current} of {len(rows)} series current · {tail}"
