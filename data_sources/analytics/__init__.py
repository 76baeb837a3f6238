"""Signal analytics: pure functions from the store's aligned panel (or one column of it) to frames and series."""

from __future__ import annotations

from data_sources.analytics.breakouts import BREAKOUT_COLUMNS, breakouts
from data_sources.analytics.correlation import DEFAULT_WINDOWS, rolling_correlation
from data_sources.analytics.event_study import (
    DRAWS,
    STUDY_COLUMNS,
    EventPaths,
    Placebo,
    breakout_dates,
    divergence_starts,
    event_paths,
    event_study,
    fear_greed_crossings,
    liquidity_turns,
    sample_badge,
    spaced_draws,
    statistics,
    variants_note,
)
from data_sources.analytics.forward import (
    DEFAULT_ASSETS,
    DEFAULT_HORIZONS,
    ENTRIES,
    convention,
    entry_anchors,
    forward_returns,
    horizon_column,
    outcomes,
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
from data_sources.analytics.transforms import (
    common_sessions,
    distance_from_ath,
    drawdown,
    log_returns,
    rebase,
    trailing_growth,
)

__all__ = [
    "BREAKOUT_COLUMNS",
    "DEFAULT_ASSETS",
    "DEFAULT_HORIZONS",
    "DEFAULT_WINDOWS",
    "DRAWS",
    "ENTRIES",
    "RESOLUTIONS",
    "STUDY_COLUMNS",
    "EventPaths",
    "Placebo",
    "Resolution",
    "breakout_dates",
    "breakouts",
    "close_dates",
    "common_sessions",
    "convention",
    "distance_from_ath",
    "divergence_starts",
    "drawdown",
    "entry_anchors",
    "event_paths",
    "event_study",
    "fear_greed_crossings",
    "forward_returns",
    "growth_comparison",
    "horizon_column",
    "liquidity_turns",
    "log_returns",
    "outcomes",
    "period_labels",
    "period_starts",
    "rebase",
    "resample_closes",
    "rolling_correlation",
    "sample_badge",
    "spaced_draws",
    "stablecoin_share",
    "statistics",
    "supply_ratio",
    "supply_up_market_down",
    "trailing_growth",
    "variants_note",
]
