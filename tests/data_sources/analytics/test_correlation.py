"""Rolling correlation of log returns on common sessions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data_sources.analytics.correlation import rolling_correlation


@pytest.fixture
def panel() -> pd.DataFrame:
    """Two weeks of a 7-day column `x` and a weekday column `y` whose weekday returns mirror or match x's."""
    index = pd.date_range("2024-01-01", "2024-01-21", freq="D", name="date", unit="us")
    x = pd.Series([100.0, 101, 99, 104, 103, 90, 80, 107, 106, 110, 108, 111, 70, 60, 113, 112, 115, 114, 118, 1, 2])
    x.index = index
    weekday = index.day_of_week < 5
    return pd.DataFrame({"x": x, "y": x.where(weekday), "inverse": (1 / x).where(weekday)})


def test_returns_that_move_together_correlate_at_one_and_mirrored_at_minus_one(panel: pd.DataFrame) -> None:
    same = rolling_correlation(panel, x="x", y="y", windows=(3,))
    inverse = rolling_correlation(panel, x="x", y="inverse", windows=(3,))
    assert same["corr_3"].iloc[:2].isna().all() and np.allclose(same["corr_3"].iloc[2:], 1.0)
    assert np.allclose(inverse["corr_3"].iloc[2:], -1.0)


def test_one_column_per_window_on_common_session_returns(panel: pd.DataFrame) -> None:
    table = rolling_correlation(panel, x="x", y="inverse", windows=(2, 4))
    sessions = panel.dropna()
    returns = (sessions / sessions.shift()).iloc[1:].apply(np.log)
    expected = returns["x"].rolling(4).corr(returns["inverse"]).rename("corr_4")
    assert list(table.columns) == ["corr_2", "corr_4"]
    pd.testing.assert_series_equal(table["corr_4"], expected)
    assert (pd.DatetimeIndex(table.index).day_of_week < 5).all()


def test_bad_arguments_are_clear_errors(panel: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="correlating 'x' with itself"):
        rolling_correlation(panel, x="x", y="x")
    with pytest.raises(ValueError, match="at least 2 returns"):
        rolling_correlation(panel, x="x", y="y", windows=(1,))
