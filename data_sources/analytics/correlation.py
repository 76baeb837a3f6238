"""Rolling correlation of log returns between two series, on their common sessions."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from data_sources.analytics.resample import Resolution
from data_sources.analytics.transforms import log_returns

DEFAULT_WINDOWS = (30, 90, 180)


def rolling_correlation(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    windows: Sequence[int] = DEFAULT_WINDOWS,
    resolution: Resolution = "daily",
) -> pd.DataFrame:
    """Pearson correlation of x's and y's log returns over the last N common-session returns; a column per window."""
    if x == y:
        raise ValueError(f"correlating {x!r} with itself")
    if any(window < 2 for window in windows):
        raise ValueError(f"correlation windows need at least 2 returns, got {list(windows)}")
    returns = log_returns(frame[[x, y]], resolution=resolution)
    return pd.DataFrame(
        {f"corr_{window}": returns[x].rolling(window).corr(returns[y]) for window in windows}, index=returns.index
    )
