"""Resampling to period closes: last observation per period, labelled by the period's last day."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data_sources.analytics.resample import Resolution, close_dates, period_starts, resample_closes


def _dates(*values: str) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(values, name="date").as_unit("us")


@pytest.fixture
def week_of_both() -> pd.DataFrame:
    """A 7-day column and a weekdays-only column over two ISO weeks (Mon 2024-01-01 to Sun 2024-01-14)."""
    index = pd.date_range("2024-01-01", "2024-01-14", freq="D", name="date", unit="us")
    seven = pd.Series(np.arange(1.0, 15.0), index=index)
    five = seven.where(index.day_of_week < 5) * 10
    return pd.DataFrame({"seven": seven, "five": five})


def test_weekly_closes_are_each_columns_last_value_labelled_by_sunday(week_of_both: pd.DataFrame) -> None:
    expected = pd.DataFrame({"seven": [7.0, 14.0], "five": [50.0, 120.0]}, index=_dates("2024-01-07", "2024-01-14"))
    pd.testing.assert_frame_equal(resample_closes(week_of_both, resolution="weekly"), expected, check_freq=False)


def test_close_dates_say_which_day_the_close_came_from(week_of_both: pd.DataFrame) -> None:
    expected = pd.Series(
        _dates("2024-01-05", "2024-01-12"), index=_dates("2024-01-07", "2024-01-14"), name="close_date"
    )
    actual = close_dates(week_of_both["five"], resolution="weekly")
    pd.testing.assert_series_equal(actual, expected, check_freq=False)


def test_monthly_labels_are_month_ends_and_empty_months_are_dropped() -> None:
    values = pd.Series([1.0, 2.0, 3.0], index=_dates("2024-01-10", "2024-01-20", "2024-03-05"))
    expected = pd.Series([2.0, 3.0], index=_dates("2024-01-31", "2024-03-31"))
    pd.testing.assert_series_equal(resample_closes(values, resolution="monthly"), expected, check_freq=False)


def test_daily_is_the_input_itself(week_of_both: pd.DataFrame) -> None:
    assert resample_closes(week_of_both, resolution="daily") is week_of_both


def test_unknown_resolution_is_a_clear_error(week_of_both: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="unknown resolution 'hourly'; expected one of daily, weekly, monthly"):
        resample_closes(week_of_both, resolution="hourly")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("resolution", "expected"),
    [
        ("daily", _dates("2024-01-07", "2024-02-29")),
        ("weekly", _dates("2024-01-01", "2024-02-23")),
        ("monthly", _dates("2024-01-01", "2024-02-01")),
    ],
)
def test_period_starts(resolution: Resolution, expected: pd.DatetimeIndex) -> None:
    labels = _dates("2024-01-07", "2024-02-29")
    pd.testing.assert_index_equal(period_starts(labels, resolution=resolution), expected)
