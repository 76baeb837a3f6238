"""Prior-high breakouts (a close above a high at least N days old, after a real drawdown) and their retests.

Definitions, on closes at the chosen resolution (`resample_closes`):
- Level: the highest close dated at least `min_age_days` before the bar (an all-time high as far as the data
  given goes, so pass the whole history, not a zoomed range).
- Breakout: the first close above level x (1 + margin) since the level was set, provided some close between the
  level and the breakout was at least `min_drawdown` below the level.
- Retest: after the price has closed more than `retest_tolerance` above the level, the first close back at or
  below level x (1 + retest_tolerance), within `retest_within_days` of the breakout.
- Holds: every close from the retest through `hold_days` calendar days after it stays at or above
  level x (1 - retest_tolerance): the old resistance acted as support. Otherwise the retest failed; "pending"
  means the data ends before the outcome is known, "none" that no retest came within the window.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from data_sources.analytics.resample import Resolution, close_dates, resample_closes

RetestStatus = Literal["held", "failed", "pending", "none"]
BREAKOUT_COLUMNS = [
    "date",
    "close_date",
    "close",
    "level",
    "level_date",
    "drawdown",
    "above_level",
    "retest_date",
    "retest_close",
    "retest_status",
]


def breakouts(
    closes: pd.Series,
    *,
    resolution: Resolution = "daily",
    min_age_days: int = 90,
    min_drawdown: float = 0.15,
    margin: float = 0.0,
    retest_tolerance: float = 0.03,
    retest_within_days: int = 90,
    hold_days: int = 20,
) -> pd.DataFrame:
    """One row per breakout of a prior high (see the module docstring), with its retest; `date` is the bar label."""
    if min_age_days < 1 or retest_within_days < 0 or hold_days < 0:
        raise ValueError("min_age_days must be at least 1, retest_within_days and hold_days at least 0")
    if not (0 < min_drawdown < 1 and margin >= 0 and 0 <= retest_tolerance < 1):
        raise ValueError("min_drawdown must lie in (0, 1), margin >= 0 and retest_tolerance in [0, 1)")
    bars = resample_closes(closes.dropna(), resolution=resolution)
    sources = close_dates(closes, resolution=resolution).to_numpy()
    dates = bars.index.to_numpy()
    values = bars.to_numpy(dtype="float64")

    running_max = np.maximum.accumulate(values)
    max_before = np.concatenate(([-np.inf], running_max[:-1]))
    positions = np.arange(len(values))
    high_position = np.maximum.accumulate(np.where(values > max_before, positions, 0))
    aged = np.searchsorted(dates, dates - np.timedelta64(min_age_days, "D"), side="right") - 1
    level = np.where(aged >= 0, running_max[aged.clip(0)], np.nan)
    threshold = level * (1 + margin)
    # A first crossing: above the threshold now, never above it before (NaN levels compare False).
    crossings = np.flatnonzero((values > threshold) & (max_before <= threshold))

    rows = []
    for bar in crossings:
        high = high_position[aged[bar]]
        if bar - high < 2:
            continue
        trough = high + 1 + int(np.argmin(values[high + 1 : bar]))
        fall = values[trough] / values[high] - 1
        if fall > -min_drawdown:
            continue
        retest = _retest(dates, values, int(bar), values[high], retest_tolerance, retest_within_days, hold_days)
        above = values[bar] / values[high] - 1
        rows.append((dates[bar], sources[bar], values[bar], values[high], sources[high], fall, above, *retest))
    return _table(rows)


def _retest(
    dates: np.ndarray,
    values: np.ndarray,
    bar: int,
    level: float,
    tolerance: float,
    within_days: int,
    hold_days: int,
) -> tuple[np.datetime64, float, RetestStatus]:
    """(date, close, status) of the breakout's retest; NaT and NaN when there is none."""
    window_end = dates[bar] + np.timedelta64(within_days, "D")
    last = np.searchsorted(dates, window_end, side="right")
    band_top = level * (1 + tolerance)
    away = np.flatnonzero(values[bar:last] > band_top)
    back = np.flatnonzero(values[bar + away[0] : last] <= band_top) if len(away) else np.array([], dtype=int)
    if not len(back):
        return np.datetime64("NaT"), np.nan, "pending" if dates[-1] < window_end else "none"
    retest = bar + away[0] + back[0]
    hold_end = dates[retest] + np.timedelta64(hold_days, "D")
    held_through = np.searchsorted(dates, hold_end, side="right")
    if (values[retest:held_through] < level * (1 - tolerance)).any():
        status: RetestStatus = "failed"
    else:
        status = "pending" if dates[-1] < hold_end else "held"
    return dates[retest], values[retest], status


def _table(rows: Sequence[tuple[object, ...]]) -> pd.DataFrame:
    """The breakout rows as a frame with stable dtypes, also when there are none."""
    table = pd.DataFrame(rows, columns=BREAKOUT_COLUMNS)
    dtypes = dict.fromkeys(["date", "close_date", "level_date", "retest_date"], "datetime64[us]")
    dtypes |= dict.fromkeys(["close", "level", "drawdown", "above_level", "retest_close"], "float64")
    return table.astype(dtypes | {"retest_status": "str"})
