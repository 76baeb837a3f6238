"""Series transforms on the store's aligned panel: common sessions, log returns, rebasing, drawdowns."""

from __future__ import annotations

import datetime as dt
from typing import cast

import numpy as np
import pandas as pd

from data_sources.analytics.resample import FrameOrSeries, Resolution, resample_closes

ATH_COLUMNS = ["ath", "ath_date", "last", "last_date", "distance"]


def common_sessions(frame: pd.DataFrame) -> pd.DataFrame:
    """Only the rows on which every column has a value: the one alignment step before comparing series."""
    return frame.dropna(how="any")


def log_returns(frame: pd.DataFrame, *, resolution: Resolution = "daily") -> pd.DataFrame:
    """Log returns between consecutive common sessions (Friday -> Monday for both), never across a gap in one column."""
    closes = common_sessions(resample_closes(frame, resolution=resolution))
    return cast("pd.DataFrame", np.log(closes)).diff().iloc[1:]  # numpy ufuncs keep a frame a frame


def rebase(
    values: FrameOrSeries, *, at: pd.Timestamp | dt.date | str | None = None, base: float = 100.0
) -> FrameOrSeries:
    """Each column x `base` / its first valid value on or after `at` (default: its first valid value).

    The whole column is rebased, also before `at`, so that a chart panned left of the base date still reads right;
    a column with no value on or after `at` becomes NaN.
    """
    after = values if at is None else values.loc[pd.Timestamp(at) :]
    first = after.bfill().iloc[:1]
    return values / (first.iloc[0] if len(first) else np.nan) * base


def drawdown(frame: pd.DataFrame) -> pd.DataFrame:
    """Each value's distance below the highest value so far in its column (0 at a new high, -0.25 = 25% below)."""
    return frame / frame.cummax() - 1


def distance_from_ath(frame: pd.DataFrame) -> pd.DataFrame:
    """Per column: its all-time high within `frame`, its last value, their dates, and last / high - 1."""
    rows = {}
    for column in frame.columns:
        values = frame[column].dropna()
        if values.empty:
            rows[column] = [np.nan, pd.NaT, np.nan, pd.NaT, np.nan]
            continue
        ath_date, ath, last = values.idxmax(), values.max(), values.iloc[-1]
        rows[column] = [ath, ath_date, last, values.index[-1], last / ath - 1]
    table = pd.DataFrame.from_dict(rows, orient="index", columns=ATH_COLUMNS)
    return table.astype({"ath": "float64", "last": "float64", "distance": "float64"})


def trailing_growth(dates: pd.DatetimeIndex, values: np.ndarray, *, horizon_days: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's growth since the last row on or before `horizon_days` earlier, and that row's position (-1: none).

    `values` holds one column per series (rows = `dates`); growth is NaN where no row is old enough.
    """
    if horizon_days < 1:
        raise ValueError(f"horizon_days must be at least 1, got {horizon_days}")
    base = dates.searchsorted(dates - pd.Timedelta(days=horizon_days), side="right") - 1
    return values / np.where(base[:, None] >= 0, values[base.clip(0)], np.nan) - 1, base
