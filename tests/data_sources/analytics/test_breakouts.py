"""Prior-high breakouts and retests on hand-built price paths (straight lines between a few points)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data_sources.analytics.breakouts import BREAKOUT_COLUMNS, breakouts

START = pd.Timestamp("2020-01-01")


def path(*points: tuple[int, float], days: int = 300) -> pd.Series:
    """Daily closes from START through `days` days, linear between (day, close) points."""
    index = pd.date_range(START, periods=days, freq="D", name="date", unit="us")
    day, close = zip(*points, strict=True)
    return pd.Series(np.interp(np.arange(days), day, close), index=index)


def day(offset: int) -> pd.Timestamp:
    return (START + pd.Timedelta(days=offset)).as_unit("us")


# High of 100 on day 10, down 20% by day 60, first close above 100 on day 131 (102), up to 110, back into the
# 3% band (<= 103) on day 166 (102.8), then holding above 97.
BREAKOUT = ((0, 90.0), (10, 100.0), (60, 80.0), (130, 99.5), (131, 102.0), (150, 110.0), (170, 101.0), (190, 104.0))


def expected_row(**changes: object) -> pd.DataFrame:
    row: dict[str, object] = {
        "date": day(131),
        "close_date": day(131),
        "close": 102.0,
        "level": 100.0,
        "level_date": day(10),
        "drawdown": -0.2,
        "above_level": 0.02,
        "retest_date": day(166),
        "retest_close": 102.8,
        "retest_status": "held",
    }
    table = pd.DataFrame([row | changes], columns=BREAKOUT_COLUMNS)
    dates = dict.fromkeys(["date", "close_date", "level_date", "retest_date"], "datetime64[us]")
    return table.astype(dates | {"retest_status": "str"})


def test_a_close_above_an_old_high_after_a_real_drawdown_is_a_breakout_with_a_held_retest() -> None:
    pd.testing.assert_frame_equal(breakouts(path(*BREAKOUT)), expected_row())


def test_gaps_in_the_panel_column_are_ignored() -> None:
    closes = path(*BREAKOUT)
    with_gaps = closes.where(closes.index != day(140)).reindex(closes.index.union([day(400)]))
    pd.testing.assert_frame_equal(breakouts(with_gaps), breakouts(closes.drop(day(140))))
    assert breakouts(with_gaps)["date"].tolist() == [day(131)]


def test_a_retest_that_breaks_below_the_band_fails() -> None:
    closes = path(*BREAKOUT[:-1], (180, 95.0), (200, 120.0))
    pd.testing.assert_frame_equal(breakouts(closes), expected_row(retest_status="failed"))


def test_a_retest_whose_hold_window_runs_past_the_data_is_pending() -> None:
    closes = path(*BREAKOUT, days=180)
    pd.testing.assert_frame_equal(breakouts(closes), expected_row(retest_status="pending"))


def test_no_retest_is_none_once_the_window_has_passed_and_pending_before() -> None:
    rising = (*BREAKOUT[:5], (299, 200.0))
    no_retest = {"retest_date": pd.NaT, "retest_close": np.nan}
    pd.testing.assert_frame_equal(breakouts(path(*rising)), expected_row(**no_retest, retest_status="none"))
    pd.testing.assert_frame_equal(
        breakouts(path(*rising, days=200)), expected_row(**no_retest, retest_status="pending")
    )


def test_a_high_younger_than_min_age_days_is_not_a_prior_high() -> None:
    closes = path((0, 90.0), (10, 100.0), (30, 80.0), (60, 102.0), (299, 130.0))
    assert breakouts(closes).empty
    assert breakouts(closes, min_age_days=40)["level_date"].tolist() == [day(10)]


def test_a_shallow_drawdown_is_not_enough() -> None:
    closes = path((0, 90.0), (10, 100.0), (60, 90.0), (130, 99.0), (131, 102.0), (299, 130.0))
    assert breakouts(closes).empty
    assert breakouts(closes, min_drawdown=0.05)["drawdown"].tolist() == pytest.approx([-0.1])


def test_the_margin_must_be_cleared_and_closes_inside_it_do_not_move_the_level() -> None:
    closes = path((0, 90.0), (10, 100.0), (60, 80.0), (130, 99.0), (131, 100.5), (140, 99.0), (150, 102.0))
    assert breakouts(closes)["date"].tolist() == [day(131)]
    with_margin = breakouts(closes, margin=0.01)
    # Day 147 is the first close above 101 (99 + 7 x 0.3 = 101.1); the level is still day 10's 100.
    assert with_margin["date"].tolist() == [day(147)]
    assert with_margin[["level", "close"]].iloc[0].tolist() == pytest.approx([100.0, 101.1])


def test_weekly_breakouts_are_labelled_by_sunday_and_name_the_friday_close() -> None:
    closes = path(*BREAKOUT)
    table = breakouts(closes[pd.DatetimeIndex(closes.index).day_of_week < 5], resolution="weekly")
    assert len(table) == 1
    row = table.iloc[0]
    assert row["date"].day_of_week == 6 and row["close_date"] == row["date"] - pd.Timedelta(days=2)
    assert row["level_date"].day_of_week == 4 and row["level"] < 100


def test_no_data_gives_an_empty_table_with_the_columns_and_types() -> None:
    empty = breakouts(pd.Series([np.nan], index=pd.DatetimeIndex([START], name="date").as_unit("us")))
    pd.testing.assert_frame_equal(empty, expected_row().iloc[:0])


@pytest.mark.parametrize(
    "options",
    [{"min_age_days": 0}, {"min_drawdown": 0.0}, {"min_drawdown": 1.0}, {"margin": -0.01}, {"hold_days": -1}],
)
def test_bad_parameters_are_clear_errors(options: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must"):
        breakouts(path(*BREAKOUT), **options)  # type: ignore[arg-type]
