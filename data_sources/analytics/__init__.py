"""Signal analytics: pure functions from the store's aligned panel (or one column of it) to frames and series."""

from __future__ import annotations

from data_sources.analytics.breakouts import BREAKOUT_COLUMNS, breakouts
from data_sources.analytics.correlation import DEFAULT_WINDOWS, rolling_correlation
from data_sources.analytics.forward import (
    DEFAULT_ASSETS,
    DEFAULT_HORIZONS,
    ENTRIES,
    convention,
    forward_returns,
    horizon_column,
)
from data_sources.analytics.resample import (
    RESOLUTIONS,
    Resolution,
    close_dates,
    period_labels,
    period_starts,
    resample_closes,
)
from data_sources.analytics.stablecoins import growth_comparison, stablecoin_share, supply_ratio, supply_up_market_down
from data_sources.analytics.transforms import common_sessions, distance_from_ath, drawdown, log_returns, rebase

__all__ = [
    "BREAKOUT_COLUMNS",
    "DEFAULT_ASSETS",
    "DEFAULT_HORIZONS",
    "DEFAULT_WINDOWS",
    "ENTRIES",
    "RESOLUTIONS",
    "Resolution",
    "breakouts",
    "close_dates",
    "common_sessions",
    "convention",
    "distance_from_ath",
    "drawdown",
    "forward_returns",
    "growth_comparison",
    "horizon_column",
    "log_returns",
    "period_labels",
    "period_starts",
    "rebase",
    "resample_closes",
    "rolling_correlation",
    "stablecoin_share",
    "supply_ratio",
    "supply_up_market_down",
]
