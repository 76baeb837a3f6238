"""Stablecoin ratios, growth comparison and supply-up/market-down periods on hand-built frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data_sources.analytics.stablecoins import growth_comparison, stablecoin_share, supply_ratio, supply_up_market_down

NAN = np.nan
START = pd.Timestamp("2024-01-01")


def days(count: int) -> pd.DatetimeIndex:
    return pd.date_range(START, periods=count, freq="D", name="date", unit="us")


def day(offset: int) -> pd.Timestamp:
    return (START + pd.Timedelta(days=offset)).as_unit("us")


def test_ratio_and_share_use_only_days_with_both_values() -> None:
    frame = pd.DataFrame(
        {
            "btc_mcap": [200.0, 300.0, NAN, 400.0],
            "stablecoin_supply": [100.0, NAN, 100.0, 50.0],
            "total_mcap": [1000.0, 900.0, 800.0, NAN],
        },
        index=days(4),
    )
    expected_ssr = pd.Series([2.0, 8.0], index=days(4)[[0, 3]], name="ssr")
    expected_share = pd.Series([0.1, 0.125], index=days(4)[[0, 2]], name="stablecoin_share")
    pd.testing.assert_series_equal(supply_ratio(frame), expected_ssr, check_freq=False)
    pd.testing.assert_series_equal(stablecoin_share(frame), expected_share, check_freq=False)


def test_growth_is_against_the_last_common_close_on_or_before_the_horizon() -> None:
    frame = pd.DataFrame(
        {"stablecoin_supply": [100.0, NAN, 121.0, 150.0], "total_mcap": [10.0, 11.0, 9.0, 12.0]}, index=days(4)
    )
    expected = pd.DataFrame(
        # Day 1 has no supply, so day 3's 2-day base is day 0, the last common day on or before day 1.
        {"supply_growth": [NAN, 0.21, 0.5], "market_growth": [NAN, -0.1, 0.2]},
        index=days(4)[[0, 2, 3]],
    )
    pd.testing.assert_frame_equal(growth_comparison(frame, horizon_days=2), expected)


@pytest.fixture
def divergence() -> pd.DataFrame:
    """Supply rises every day; the market rises 5/day to day 20, falls 4/day to day 45, then rises 4/day."""
    t = np.arange(60.0)
    market = np.where(t <= 20, 100 + 5 * t, np.where(t <= 45, 200 - 4 * (t - 20), 100 + 4 * (t - 45)))
    return pd.DataFrame({"stablecoin_supply": 1000 + 10 * t, "total_mcap": market}, index=days(60))


def test_supply_up_market_down_finds_the_run_and_its_span(divergence: pd.DataFrame) -> None:
    # 5-day market growth is negative from day 23 (188 vs 190) to day 47 (108 vs 112); day 23's base is day 18.
    expected = pd.DataFrame(
        {
            "start": [day(23)],
            "end": [day(47)],
            "days": [25],
            "supply_change": [1470 / 1180 - 1],
            "market_change": [108 / 190 - 1],
        }
    )
    pd.testing.assert_frame_equal(supply_up_market_down(divergence, horizon_days=5, min_days=25), expected)
    assert supply_up_market_down(divergence, horizon_days=5, min_days=26).empty


def test_a_one_month_run_at_monthly_resolution_covers_the_whole_month() -> None:
    index = pd.date_range("2024-01-01", "2024-04-30", freq="D", name="date", unit="us")
    march = (index >= pd.Timestamp("2024-03-01")) & (index <= pd.Timestamp("2024-03-31"))
    market: pd.Series = pd.Series(np.where(march, 1.0, 2.0), index=index).cumsum() * np.where(march, 0.5, 1.0)
    frame = pd.DataFrame({"stablecoin_supply": np.arange(1.0, len(index) + 1), "total_mcap": market}, index=index)
    periods = supply_up_market_down(frame, resolution="monthly", min_days=31)
    assert periods[["start", "end", "days"]].to_dict("records") == [
        {"start": pd.Timestamp("2024-03-31"), "end": pd.Timestamp("2024-03-31"), "days": 31}
    ]
    assert supply_up_market_down(frame, resolution="monthly", min_days=32).empty


def test_horizon_must_be_positive(divergence: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="horizon_days must be at least 1"):
        growth_comparison(divergence, horizon_days=0)
