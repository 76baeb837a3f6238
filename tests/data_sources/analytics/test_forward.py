"""Forward returns after signals on hand-built price paths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data_sources.analytics.forward import convention, forward_returns, outcomes
from data_sources.analytics.resample import Resolution
from data_sources.analytics.transforms import drawdown

START = pd.Timestamp("2020-01-01")
POINTS = ([0, 40, 60, 100, 365], [100.0, 140.0, 70.0, 200.0, 300.0])


def day(offset: int) -> pd.Timestamp:
    return (START + pd.Timedelta(days=offset)).as_unit("us")


def close(offset: int) -> float:
    return float(np.interp(offset, *POINTS))


@pytest.fixture
def prices() -> pd.DataFrame:
    """`a` daily for 366 days (up to 140 on day 40, down to 70 on day 60, then up); `late` only from day 152."""
    index = pd.date_range(START, periods=366, freq="D", name="date", unit="us")
    a = pd.Series(np.interp(np.arange(366), *POINTS), index=index)
    return pd.DataFrame({"a": a, "late": a.where(index >= day(152))})


def test_horizons_peak_and_drawdown_after_a_daily_signal(prices: pd.DataFrame) -> None:
    signals = pd.DatetimeIndex([day(10)])
    table = forward_returns(prices, signals=signals, assets=["a"], horizons=(30, 90), window_days=60)
    expected = pd.DataFrame(
        {
            "signal": [day(10)],
            "asset": ["a"],
            "entry_date": [day(10)],
            "entry_close": [110.0],
            "return_30d": [140 / 110 - 1],
            "return_90d": [close(100) / 110 - 1],
            "window_end": [day(70)],
            "peak_date": [day(40)],
            "peak_return": [140 / 110 - 1],
            "max_drawdown": [-0.5],
            "convention": [convention(resolution="daily", entry="signal", window_days=60)],
        }
    ).astype({"asset": "str", "convention": "str"})
    pd.testing.assert_frame_equal(table, expected)


def _row(table: pd.DataFrame, signal: pd.Timestamp, asset: str) -> pd.Series:
    return table[(table["signal"] == signal) & (table["asset"] == asset)].iloc[0]


def test_windows_past_the_data_and_signals_outside_an_assets_history_are_nan(prices: pd.DataFrame) -> None:
    table = forward_returns(
        prices, signals=pd.DatetimeIndex([day(10), day(300)]), assets=["a", "late"], horizons=(30, 90)
    )
    assert _row(table, day(10), "late").drop(["signal", "asset", "convention"]).isna().all()
    late_signal = _row(table, day(300), "a")
    assert late_signal["return_30d"] == pytest.approx(close(330) / close(300) - 1)
    assert np.isnan(late_signal["return_90d"]) and np.isnan(late_signal["peak_return"])
    assert late_signal["window_end"] == day(665)


def test_until_ends_the_peak_window_at_a_date(prices: pd.DataFrame) -> None:
    table = forward_returns(prices, signals=pd.DatetimeIndex([day(10), day(80)]), assets=["a"], until="2020-03-01")
    first, after_until = table.iloc[0], table.iloc[1]
    assert first["window_end"] == day(60) and first["peak_date"] == day(40) and first["max_drawdown"] == -0.5
    assert np.isnan(after_until["peak_return"]) and pd.isna(after_until["peak_date"])
    assert (table["convention"].str.endswith("daily closes from entry through 2020-03-01")).all()


@pytest.mark.parametrize(
    ("resolution", "label", "entry_day"),
    [("daily", day(10), 9), ("weekly", pd.Timestamp("2020-01-12"), 4), ("monthly", pd.Timestamp("2020-03-31"), 59)],
)
def test_prior_entry_is_the_last_close_before_the_signal_period(
    prices: pd.DataFrame, resolution: Resolution, label: pd.Timestamp, entry_day: int
) -> None:
    table = forward_returns(
        prices,
        signals=pd.DatetimeIndex([label]),
        assets=["a"],
        resolution=resolution,
        entry="prior",
    )
    assert table.loc[0, "entry_date"] == day(entry_day)
    assert table.loc[0, "entry_close"] == pytest.approx(close(entry_day))


def test_signal_entry_at_monthly_resolution_is_the_close_of_the_signal_month(prices: pd.DataFrame) -> None:
    table = forward_returns(prices, signals=pd.Series([pd.Timestamp("2020-03-31")]), assets=["a"], resolution="monthly")
    assert table.loc[0, "entry_date"] == pd.Timestamp("2020-03-31")
    assert str(table.loc[0, "convention"]).startswith("monthly signals; entry = close of the signal month;")


def test_convention_names_the_entry_and_window() -> None:
    assert convention(resolution="monthly", entry="prior", window_days=365, until="2021-04-30") == (
        "monthly signals; entry = last close before the signal month; return_Nd = daily close N days after entry "
        "(last on or before); peak, max drawdown = daily closes from entry through 2021-04-30"
    )


def test_bad_arguments_are_clear_errors(prices: pd.DataFrame) -> None:
    signals = pd.DatetimeIndex([day(10)])
    with pytest.raises(ValueError, match="no price column for btc"):
        forward_returns(prices, signals=signals, assets=["a", "btc"])
    with pytest.raises(ValueError, match="unknown entry 'open'"):
        forward_returns(prices, signals=signals, assets=["a"], entry="open")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="every horizon at least 1 day"):
        forward_returns(prices, signals=signals, assets=["a"], horizons=(0,))


def test_outcomes_for_every_day_match_the_definitions_window_by_window() -> None:
    """The vectorised windows against a direct slice per day, on a random walk with weekend gaps."""
    index = pd.date_range(START, periods=200, freq="D", name="date", unit="us")
    walk = pd.Series(100 * np.exp(np.cumsum(np.random.default_rng(11).normal(0, 0.03, 200))), index=index)
    closes = walk[index.day_of_week < 5]
    table = outcomes(closes, anchors=index, horizons=(7,), window_days=45)
    for position, anchor in enumerate(index):
        row = table.iloc[position]
        entry = closes.loc[:anchor]
        window = closes.loc[entry.index[-1] : entry.index[-1] + pd.Timedelta(days=45)]
        if entry.index[-1] + pd.Timedelta(days=45) > closes.index[-1]:
            assert row[["peak_date", "peak_return", "max_drawdown"]].isna().all()
            continue
        assert row["peak_date"] == window.idxmax()
        assert row["peak_return"] == window.max() / entry.iloc[-1] - 1
        assert row["max_drawdown"] == drawdown(window.to_frame()).iloc[:, 0].min()
