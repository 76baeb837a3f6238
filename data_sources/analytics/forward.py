"""Forward returns of assets after signal dates: fixed horizons, peak return and max drawdown within a window.

Entry is a close at the signal's resolution: the close of the signal bar (`entry="signal"`: known when the signal
is) or of the bar before it (`entry="prior"`: the whole move including the breakout bar). Everything after entry
is read from the asset's own daily closes, so a 30-day horizon means 30 calendar days at any resolution. A
number whose window runs past the asset's last close, or whose entry falls outside its history, is NaN.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NamedTuple, get_args

import numpy as np
import pandas as pd

from data_sources.analytics.resample import Resolution, check_resolution, period_starts

Entry = Literal["signal", "prior"]
ENTRIES: tuple[Entry, ...] = get_args(Entry)
DEFAULT_ASSETS = ("btc", "altcoin_mcap", "total_mcap")
DEFAULT_HORIZONS = (30, 90, 180, 365)
_BAR = {"daily": "day", "weekly": "week", "monthly": "month"}


def horizon_column(days: int) -> str:
    """The forward-return column for a horizon of `days` calendar days."""
    return f"return_{days}d"


def convention(
    *, resolution: Resolution, entry: Entry, window_days: int, until: pd.Timestamp | str | None = None
) -> str:
    """How `forward_returns` produced its numbers, in words, for the table's `convention` column."""
    bar = _BAR[check_resolution(resolution)]
    entered = f"close of the signal {bar}" if entry == "signal" else f"last close before the signal {bar}"
    window = f"through {pd.Timestamp(until):%Y-%m-%d}" if until is not None else f"{window_days} days after entry"
    return (
        f"{resolution} signals; entry = {entered}; return_Nd = daily close N days after entry (last on or before); "
        f"peak, max drawdown = daily closes from entry {window}"
    )


def forward_returns(
    prices: pd.DataFrame,
    *,
    signals: pd.DatetimeIndex | pd.Series,
    assets: Sequence[str] = DEFAULT_ASSETS,
    resolution: Resolution = "daily",
    entry: Entry = "signal",
    horizons: Sequence[int] = DEFAULT_HORIZONS,
    window_days: int = 365,
    until: pd.Timestamp | str | None = None,
) -> pd.DataFrame:
    """One row per signal x asset: entry, horizon returns, peak return and max drawdown (see the module docstring)."""
    missing = [asset for asset in assets if asset not in prices.columns]
    if missing:
        raise ValueError(f"no price column for {', '.join(missing)}")
    labels = pd.DatetimeIndex(signals).as_unit("us")
    anchors = entry_anchors(labels, resolution=resolution, entry=entry)

    def rows(asset: str, closes: pd.Series, signal: pd.DatetimeIndex, at: pd.DatetimeIndex) -> pd.DataFrame:
        part = outcomes(closes, anchors=at, horizons=horizons, window_days=window_days, until=until)
        part.insert(0, "asset", asset)
        part.insert(0, "signal", signal)
        return part

    parts = [rows(asset, prices[asset].dropna(), labels, anchors) for asset in assets]
    parts = parts or [rows("", pd.Series(dtype="float64"), labels[:0], anchors[:0])]  # no assets: no rows
    # Each part is indexed by signal position: a stable sort puts the rows signal by signal, assets in order.
    table = pd.concat(parts).sort_index(kind="stable").reset_index(drop=True)
    text = convention(resolution=resolution, entry=entry, window_days=window_days, until=until)
    return table.assign(convention=text).astype({"asset": "str", "convention": "str"})


def entry_anchors(labels: pd.DatetimeIndex, *, resolution: Resolution, entry: Entry) -> pd.DatetimeIndex:
    """The day whose last close (on or before it) is the entry after each signal label."""
    if entry not in ENTRIES:
        raise ValueError(f"unknown entry {entry!r}; expected one of {', '.join(ENTRIES)}")
    if entry == "signal":
        return labels
    return period_starts(labels, resolution=resolution) - pd.Timedelta(days=1)


def outcomes(
    closes: pd.Series,
    *,
    anchors: pd.DatetimeIndex,
    horizons: Sequence[int] = DEFAULT_HORIZONS,
    window_days: int = 365,
    until: pd.Timestamp | str | None = None,
) -> pd.DataFrame:
    """Entry, horizon returns, window end, peak and max drawdown of one asset's `closes` after each anchor day.

    Vectorised: the event study asks this for every day of an asset's history. Entry is the last close on or
    before the anchor; an anchor outside the closes' span gives a row of NaN/NaT.
    """
    if window_days < 0 or any(days < 1 for days in horizons):
        raise ValueError("window_days must be at least 0 and every horizon at least 1 day")
    dates = closes.index.to_numpy().astype("datetime64[us]")
    values = closes.to_numpy(dtype="float64")
    points = np.asarray(pd.DatetimeIndex(anchors).as_unit("us"))
    if not len(values):
        dates, values = np.array(["NaT"], dtype="datetime64[us]"), np.array([np.nan])
    last = dates[-1]
    inside = (points >= dates[0]) & (points <= last)
    start = (np.searchsorted(dates, points, side="right") - 1).clip(0)
    entry_date = np.where(inside, dates[start], np.datetime64("NaT"))
    entry_close = np.where(inside, values[start], np.nan)
    columns: dict[str, np.ndarray] = {"entry_date": entry_date, "entry_close": entry_close}
    for days in horizons:
        target = entry_date + np.timedelta64(days, "D")
        later = values[np.searchsorted(dates, target, side="right") - 1]
        columns[horizon_column(days)] = np.where(target <= last, later / entry_close - 1, np.nan)
    if until is None:
        window_end = entry_date + np.timedelta64(window_days, "D")
    else:
        window_end = np.where(inside, np.datetime64(pd.Timestamp(until).as_unit("us")), np.datetime64("NaT"))
    valid = (entry_date <= window_end) & (window_end <= last)
    stop = np.where(valid, np.searchsorted(dates, window_end, side="right"), start + 1)
    peak, high, worst = _window_extremes(values, start, stop)
    columns["window_end"] = window_end
    columns["peak_date"] = np.where(valid, dates[peak], np.datetime64("NaT"))
    columns["peak_return"] = np.where(valid, high / entry_close - 1, np.nan)
    columns["max_drawdown"] = np.where(valid, worst, np.nan)
    return pd.DataFrame(columns)


class _Span(NamedTuple):
    """A run of closes summarised: its highest close (first position of it), lowest close, and max drawdown."""

    peak: np.ndarray
    high: np.ndarray
    low: np.ndarray
    worst: np.ndarray

    def then(self, later: _Span) -> _Span:
        """This run followed by `later`: the worst fall is within either, or from this high to `later`'s low."""
        first = self.high >= later.high  # ties keep the earlier peak, as argmax does
        return _Span(
            np.where(first, self.peak, later.peak),
            np.where(first, self.high, later.high),
            np.minimum(self.low, later.low),
            np.minimum(np.minimum(self.worst, later.worst), later.low / self.high - 1),
        )


def _window_extremes(values: np.ndarray, start: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, ...]:
    """Peak position, peak close and max drawdown (`transforms.drawdown`'s minimum) of values[start:stop], per row.

    Summaries of runs of 1, 2, 4... closes from every position are built by doubling; each window is then the
    runs of its length's binary digits, joined left to right: O(n log window) for every start day at once.
    """
    positions = np.arange(len(values))
    levels = [_Span(positions, values, values, np.zeros(len(values)))]
    longest = int((stop - start).max(initial=1))
    while 2 ** len(levels) <= longest:
        size, run = 2 ** (len(levels) - 1), levels[-1]
        right = (positions + size).clip(max=len(values) - 1)  # runs past the end are never asked for
        levels.append(run.then(_Span(*(part[right] for part in run))))
    rest = stop - start - 1
    at = start + 1
    window = _Span(*(part[start] for part in levels[0]))
    for bit in reversed(range(len(levels))):
        take = (rest >> bit) & 1 == 1
        joined = window.then(_Span(*(part[at.clip(max=len(values) - 1)] for part in levels[bit])))
        window = _Span(*(np.where(take, new, old) for new, old in zip(joined, window, strict=True)))
        at = at + (take << bit)
    return window.peak, window.high, window.worst
