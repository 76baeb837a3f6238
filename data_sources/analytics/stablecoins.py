"""Stablecoin supply against crypto market cap: SSR, share of total cap, growth comparison, divergence periods."""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_sources.analytics.resample import Resolution, period_starts, resample_closes
from data_sources.analytics.transforms import common_sessions, trailing_growth


def supply_ratio(frame: pd.DataFrame, *, mcap: str = "btc_mcap", supply: str = "stablecoin_supply") -> pd.Series:
    """The stablecoin supply ratio (SSR): market cap / stablecoin supply, on days both have a value."""
    both = common_sessions(frame[[mcap, supply]])
    return (both[mcap] / both[supply]).rename("ssr")


def stablecoin_share(frame: pd.DataFrame, *, supply: str = "stablecoin_supply", total: str = "total_mcap") -> pd.Series:
    """Stablecoin supply as a fraction of total crypto market cap, on days both have a value."""
    both = common_sessions(frame[[supply, total]])
    return (both[supply] / both[total]).rename("stablecoin_share")


def growth_comparison(
    frame: pd.DataFrame,
    *,
    supply: str = "stablecoin_supply",
    market: str = "total_mcap",
    horizon_days: int = 30,
    resolution: Resolution = "daily",
) -> pd.DataFrame:
    """Trailing growth of supply and market cap over `horizon_days` (vs the last common close on or before then)."""
    closes = _common_closes(frame, supply=supply, market=market, resolution=resolution)
    dates, values = pd.DatetimeIndex(closes.index), closes.to_numpy()
    growth, _ = trailing_growth(dates, values, horizon_days=horizon_days)
    return pd.DataFrame({"supply_growth": growth[:, 0], "market_growth": growth[:, 1]}, index=dates)


def supply_up_market_down(
    frame: pd.DataFrame,
    *,
    supply: str = "stablecoin_supply",
    market: str = "total_mcap",
    horizon_days: int = 30,
    min_days: int = 30,
    resolution: Resolution = "daily",
) -> pd.DataFrame:
    """Runs of periods in which trailing supply growth > 0 and market growth < 0, covering at least `min_days`.

    `start` and `end` are the run's first and last date; the changes run from the close `horizon_days` before
    `start` (the base of its trailing growth) to the close at `end`: the whole span the run describes.
    """
    closes = _common_closes(frame, supply=supply, market=market, resolution=resolution)
    dates, values = pd.DatetimeIndex(closes.index), closes.to_numpy()
    growth, base = trailing_growth(dates, values, horizon_days=horizon_days)
    diverging = (growth[:, 0] > 0) & (growth[:, 1] < 0)
    # Run boundaries: where the condition switches on (first) and off (last).
    edges = np.diff(np.concatenate(([False], diverging, [False])).astype("int8"))
    first, last = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    # Counted from the first calendar day of the start period, so a one-month run at monthly resolution is ~30 days.
    days = (dates[last] - period_starts(dates[first], resolution=resolution)).days.to_numpy() + 1
    keep = days >= min_days
    first, last = first[keep], last[keep]
    change = values[last] / values[base[first]] - 1
    return pd.DataFrame(
        {
            "start": dates[first],
            "end": dates[last],
            "days": days[keep].astype("int64"),
            "supply_change": change[:, 0],
            "market_change": change[:, 1],
        }
    )


def _common_closes(frame: pd.DataFrame, *, supply: str, market: str, resolution: Resolution) -> pd.DataFrame:
    """Supply and market closes at `resolution`, on the periods both have one."""
    return common_sessions(resample_closes(frame[[supply, market]], resolution=resolution))
