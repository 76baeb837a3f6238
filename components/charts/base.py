"""The chart definition: one record per chart, which layout, render, CSV, server PNG and the URL schema iterate."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import threading
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

import pandas as pd
from cachetools import LRUCache, TTLCache, cached

from components.figures import Line, prepare

if TYPE_CHECKING:
    from components.figures import Figure
    from components.url_state import Control, ViewState
    from data_sources.store import SeriesMeta, Store

DateRange = tuple[dt.date, dt.date]
T = TypeVar("T")
# How long a worker reuses a series and its metadata before asking the store again (each ask unpickles a whole
# history): a refresh shows within this many seconds.
SERVED_SECONDS = 5.0


def data_version(metas: Iterable[SeriesMeta]) -> str:
    """A short digest of what the data is (source, as-of, extent, staleness): traces built on it stay valid."""
    parts = [(m.series_id, m.source, m.as_of, m.first, m.last, m.stale, m.message) for m in metas]
    return hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()


@dataclass(frozen=True, eq=False)
class ChartData:
    """Whole histories of a chart's series (an unavailable one is empty) and their metadata. One object lives as
    long as the data does, so `memo` keeps what charts derive from it (analytics) across windows and views."""

    values: Mapping[str, pd.Series]
    meta: Mapping[str, SeriesMeta]
    version: str = ""  # names the data (sources, as-of, extent): what is built on it stays valid while it holds
    # compute() once per key: requests that ask for a key while it is being computed wait for it (cachetools'
    # condition) instead of computing it again, as they would on new data.
    _memo: Callable[[Hashable, Callable[[], object]], object] = field(
        default_factory=lambda: cached(
            LRUCache(maxsize=64), key=lambda key, _compute: key, condition=threading.Condition()
        )(lambda _key, compute: compute()),
        init=False,
        repr=False,
    )

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()`, computed once per `key` (name the computation and every parameter it reads)."""
        return self._memo(key, compute)  # type: ignore[return-value]

    def line(self, series_id: str) -> Line:
        """One series prepared for drawing over any window (figures.Line)."""
        return self.memo(("line", series_id), lambda: prepare(self.values[series_id]))

    def frame(self, series_ids: tuple[str, ...]) -> pd.DataFrame:
        """The series aligned on the union of their dates, never filled (the store's alignment rule)."""

        def aligned() -> pd.DataFrame:
            frame = pd.concat({sid: self.values[sid] for sid in series_ids}, axis=1, sort=True)
            frame.index = pd.DatetimeIndex(frame.index, name="date")
            return frame

        return self.memo(("frame", series_ids), aligned)


@cached(TTLCache(maxsize=256, ttl=SERVED_SECONDS), lock=threading.Lock())
def served(store: Store, series_id: str) -> tuple[pd.Series, SeriesMeta]:
    """One whole history (empty when unavailable) and its metadata, as `store` serves it now."""
    values, meta = store.series(series_id)
    return (values if values is not None else pd.Series(dtype="float64", name=series_id)), meta


@cached(TTLCache(maxsize=256, ttl=SERVED_SECONDS), lock=threading.Lock())
def load(store: Store, series_ids: tuple[str, ...]) -> ChartData:
    """The series and their metadata as one ChartData: the same object while the data is unchanged, so that what
    is derived from it (ChartData.memo: analytics, traces, the signal table) outlives the cache entry."""
    metas = [served(store, series_id)[1] for series_id in series_ids]
    return _data(store, series_ids, data_version(metas))


# Room for every chart, table and study's series in the views a page offers: an evicted ChartData loses what was
# derived from it (lines, analytics), which its next view recomputes.
@functools.lru_cache(maxsize=128)
def _data(store: Store, series_ids: tuple[str, ...], version: str) -> ChartData:
    pairs = {series_id: served(store, series_id) for series_id in series_ids}
    values = {sid: pair[0] for sid, pair in pairs.items()}
    return ChartData(values, {sid: pair[1] for sid, pair in pairs.items()}, version)


@dataclass(frozen=True)
class Chart:
    """One chart. `build` returns the figure for a view before its y axes are fitted, with lines windowed on
    `x_range` (see figures.line_data). `reads` names every view field `build` and `series` read besides the
    range: the render reuses a figure while they are unchanged. `controls` are drawn on the chart's card."""

    key: str
    title: Callable[[ViewState], str]
    series: Callable[[ViewState], tuple[str, ...]]
    build: Callable[[ChartData, ViewState, DateRange], Figure]
    reads: tuple[str, ...]
    controls: tuple[Control, ...] = ()

    def rebased(self, state: ViewState) -> bool:
        """Whether the values depend on the range start (rebased to 100 there)."""
        return "mode" in self.reads and state.mode == "rebase"


# Each provider's total crypto cap and its altcoin caps: one coin universe per chart, never spliced.
CRYPTO_CAPS: dict[str, dict[str, str]] = {
    "coingecko": {"total": "total_mcap", "total2": "altcoin_mcap", "total3": "altcoin_ex_eth_mcap"},
    "cryptocap": {"total": "cryptocap_total", "total2": "cryptocap_total2", "total3": "cryptocap_total3"},
    "cmc": {"total": "cmc_total", "total2": "cmc_total2", "total3": "cmc_total3"},
}


def crypto_cap(state: ViewState, which: str) -> str:
    """The series id of `which` cap ('total', 'total2' or 'total3') from the view's provider."""
    return CRYPTO_CAPS[state.provider][which]


def export_name(key: str, x_range: DateRange, extension: str) -> str:
    """The file name of a chart's PNG or CSV: chart and range, so that downloads say what they hold."""
    return f"riskon_{key}_{x_range[0]}_{x_range[1]}.{extension}"
