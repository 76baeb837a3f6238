"""Common sessions, log returns, rebasing and drawdowns on hand-built frames."""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_sources.analytics.transforms import common_sessions, distance_from_ath, drawdown, log_returns, rebase

NAN = np.nan


def _dates(*values: str) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(values, name="date").as_unit("us")


# Fri 5 Jan .. Tue 9 Jan 2024: "crypto" every day, "equity" on weekdays only (the store's union-of-dates panel).
WEEKEND = pd.DataFrame(
    {"crypto": [100.0, 90.0, 80.0, 110.0, 121.0], "equity": [50.0, NAN, NAN, 55.0, 44.0]},
    index=_dates("2024-01-05", "2024-01-06", "2024-01-07", "2024-01-08", "2024-01-09"),
)


def test_common_sessions_keep_rows_where_every_column_has_a_value() -> None:
    pd.testing.assert_frame_equal(common_sessions(WEEKEND), WEEKEND.iloc[[0, 3, 4]])


def test_log_returns_span_friday_to_monday_for_both_series() -> None:
    expected = pd.DataFrame(
        {"crypto": [np.log(1.1), np.log(1.1)], "equity": [np.log(1.1), np.log(0.8)]},
        index=_dates("2024-01-08", "2024-01-09"),
    )
    pd.testing.assert_frame_equal(log_returns(WEEKEND), expected)


def test_weekly_log_returns_use_each_series_own_last_close_of_the_week() -> None:
    index = pd.date_range("2024-01-01", "2024-01-21", freq="D", name="date", unit="us")
    crypto = pd.Series(np.arange(1.0, 22.0), index=index)
    frame = pd.DataFrame({"crypto": crypto, "equity": crypto.where(index.day_of_week < 5)})
    # Week 2 vs week 1: Sunday 14 vs Sunday 7 for crypto, Friday 12 vs Friday 5 for the equity.
    expected = pd.DataFrame(
        {"crypto": np.log([14 / 7, 21 / 14]), "equity": np.log([12 / 5, 19 / 12])},
        index=_dates("2024-01-14", "2024-01-21"),
    )
    pd.testing.assert_frame_equal(log_returns(frame, resolution="weekly"), expected, check_freq=False)


def test_rebase_divides_each_column_by_its_first_valid_value() -> None:
    frame = pd.DataFrame({"a": [NAN, 50.0, 75.0], "b": [4.0, NAN, 2.0], "none": [NAN, NAN, NAN]})
    expected = pd.DataFrame({"a": [NAN, 100.0, 150.0], "b": [100.0, NAN, 50.0], "none": [NAN, NAN, NAN]})
    pd.testing.assert_frame_equal(rebase(frame), expected)
    pd.testing.assert_frame_equal(rebase(frame, base=1.0), expected / 100)


def test_drawdown_is_the_distance_below_the_running_high_and_keeps_gaps() -> None:
    frame = pd.DataFrame({"a": [100.0, 120.0, 90.0, NAN, 130.0, 65.0]})
    expected = pd.DataFrame({"a": [0.0, 0.0, -0.25, NAN, 0.0, -0.5]})
    pd.testing.assert_frame_equal(drawdown(frame), expected)


def test_distance_from_ath_reports_high_last_and_their_dates() -> None:
    expected = pd.DataFrame(
        {
            "ath": [121.0, 55.0],
            "ath_date": _dates("2024-01-09", "2024-01-08"),
            "last": [121.0, 44.0],
            "last_date": _dates("2024-01-09", "2024-01-09"),
            "distance": [0.0, -0.2],
        },
        index=["crypto", "equity"],
    )
    pd.testing.assert_frame_equal(distance_from_ath(WEEKEND), expected)


def test_distance_from_ath_of_an_empty_column_is_missing_not_zero() -> None:
    table = distance_from_ath(pd.DataFrame({"empty": [NAN, NAN]}, index=_dates("2024-01-01", "2024-01-02")))
    assert table.loc["empty"].isna().all()


def test_rebase_at_a_date_uses_the_first_value_on_or_after_it_and_rebases_the_whole_series() -> None:
    series = pd.Series([50.0, NAN, 80.0, 40.0], index=_dates("2024-01-05", "2024-01-06", "2024-01-07", "2024-01-08"))
    expected = pd.Series([62.5, NAN, 100.0, 50.0], index=series.index)
    pd.testing.assert_series_equal(rebase(series, at="2024-01-06"), expected)
    pd.testing.assert_series_equal(rebase(series, at=pd.Timestamp("2024-01-07")), expected)
    assert rebase(series, at="2024-02-01").isna().all()
    frame = WEEKEND.assign(late=[NAN, NAN, NAN, NAN, 2.0])
    rebased = rebase(frame, at="2024-01-06")
    np.testing.assert_allclose(rebased.loc["2024-01-08"].to_numpy(), [110 / 90 * 100, 100.0, NAN])
    assert rebased["late"].iloc[-1] == 100.0
