"""Forward returns of assets after signal dates: fixed horizons, peak return and max drawdown within a window.

Entry is a close at the signal's resolution: the close of the signal bar (`entry="signal"`: known when the signal
is) or of the bar before it (`entry="prior"`: the whole move including the breakout bar). Everything after entry
is read from the asset's own daily closes, so a 30-day horizon means 30 calendar days at any resolution. A
number whose window runs past the asset's last close, or whose entry falls outside its history, is NaN.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, get_args

import numpy as np
import pandas as pd

from data_sources.analytics.resample import Resolution, check_resolution, period_starts
from data_sources.analytics.transforms import drawdown

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
    if entry not in ENTRIES:
        raise ValueError(f"unknown entry {entry!r}; expected one of {', '.join(ENTRIES)}")
    if window_days < 0 or any(days < 1 for days in horizons):
        raise ValueError("window_days must be at least 0 and every horizon at least 1 day")
    missing = [asset for asset in assets if asset not in prices.columns]
    if missing:
        raise ValueError(f"no price column for {', '.join(missing)}")
    labels = pd.DatetimeIndex(signals).as_unit("us")
    anchors = labels if entry == "signal" else period_starts(labels, resolution=resolution) - pd.Timedelta(days=1)
    end = pd.Timestamp(until).as_unit("us") if until is not None else None
    text = convention(resolution=resolution, entry=entry, window_days=window_days, until=until)
    closes = {asset: prices[asset].dropna() for asset in assets}
    rows = [
        (label, asset, *_outcome(closes[asset], anchor, horizons, window_days, end), text)
        for label, anchor in zip(labels, anchors, strict=True)
        for asset in assets
    ]
    columns = [
        "signal",
        "asset",
        "entry_date",
        "entry_close",
        *map(horizon_column, horizons),
        "window_end",
        "peak_date",
        "peak_return",
        "max_drawdown",
        "convention",
    ]
    dtypes = dict.fromkeys(["signal", "entry_date", "window_end", "peak_date"], "datetime64[us]")
    dtypes |= dict.fromkeys(["entry_close", *map(horizon_column, horizons), "peak_return", "max_drawdown"], "float64")
    return pd.DataFrame(rows, columns=columns).astype(dtypes | {"asset": "str", "convention": "str"})


def _outcome(
    closes: pd.Series, anchor: pd.Timestamp, horizons: Sequence[int], window_days: int, until: pd.Timestamp | None
) -> tuple[object, ...]:
    """(entry date, entry close, *horizon returns, window end, peak date, peak return, max drawdown) of one asset."""
    nothing = (pd.NaT, np.nan, *[np.nan] * len(horizons), pd.NaT, pd.NaT, np.nan, np.nan)
    if closes.empty or not closes.index[0] <= anchor <= closes.index[-1]:
        return nothing
    dates = closes.index
    values = closes.to_numpy()
    start = int(dates.searchsorted(anchor, side="right")) - 1
    entry_date, entry_close = dates[start], values[start]
    returns = [_close_on_or_before(closes, entry_date + pd.Timedelta(days=days)) / entry_close - 1 for days in horizons]
    window_end = until if until is not None else entry_date + pd.Timedelta(days=window_days)
    if not entry_date <= window_end <= dates[-1]:
        return (entry_date, entry_close, *returns, window_end, pd.NaT, np.nan, np.nan)
    window = closes.iloc[start : int(dates.searchsorted(window_end, side="right"))]
    worst = float(drawdown(window.to_frame()).iloc[:, 0].min())
    return (entry_date, entry_close, *returns, window_end, window.idxmax(), window.max() / entry_close - 1, worst)


def _close_on_or_before(closes: pd.Series, date: pd.Timestamp) -> float:
    """The last close on or before `date`; NaN when `date` is past the last close."""
    if date > closes.index[-1]:
        return np.nan
    return float(closes.iloc[int(closes.index.searchsorted(date, side="right")) - 1])
