"""Event study on hand-built price paths, against closed forms and known values."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data_sources import analytics

START = pd.Timestamp("2021-01-01")  # a Friday
Z = 1.959963984540054  # the normal 97.5% quantile


def day(offset: int) -> pd.Timestamp:
    return (START + pd.Timedelta(days=offset)).as_unit("us")


def days(offsets: list[int] | range) -> pd.DatetimeIndex:
    return pd.DatetimeIndex([day(offset) for offset in offsets])


def daily(values: list[float] | np.ndarray, name: str = "a") -> pd.DataFrame:
    index = pd.date_range(START, periods=len(values), freq="D", name="date", unit="us")
    return pd.DataFrame({name: np.asarray(values, dtype="float64")}, index=index)


def wilson(hits: int, n: int) -> tuple[float, float]:
    """The Wilson score interval's closed form."""
    centre = (hits + Z**2 / 2) / (n + Z**2)
    half = Z / (n + Z**2) * math.sqrt(hits * (n - hits) / n + Z**2 / 4)
    return centre - half, centre + half


def row(table: pd.DataFrame, statistic: str, asset: str = "a") -> pd.Series:
    return table[(table["asset"] == asset) & (table["statistic"] == statistic)].iloc[0]


# 100, 110, 100, 110, ...: a one-day return of +10% from every even day and -1/11 from every odd one.
ALTERNATING = daily([100.0, 110.0] * 200 + [100.0])
EIGHT_OF_TEN = days([0, 4, 8, 12, 16, 20, 24, 28, 31, 35])  # eight even days, two odd ones


def test_hit_rate_wilson_interval_and_exact_binomial_at_the_baseline_rate() -> None:
    table = analytics.event_study(
        ALTERNATING, events=EIGHT_OF_TEN, assets=["a"], horizons=(1,), window_days=1, draws=100
    )
    one_day = row(table, "return_1d")
    assert (one_day["n"], one_day["hits"], one_day["hit_rate"]) == (10, 8, 0.8)
    assert one_day["baseline_positive"] == 0.5  # 400 start days with a known next close, half of them even
    assert (one_day["hit_low"], one_day["hit_high"]) == pytest.approx(wilson(8, 10))
    assert (one_day["hit_low"], one_day["hit_high"]) == pytest.approx((0.4902, 0.9433), abs=1e-4)
    # Two-sided: P(X >= 8) + P(X <= 2) for X ~ Binomial(10, 1/2) = 2 x (45 + 10 + 1) / 1024.
    assert one_day["binomial_p"] == pytest.approx(112 / 1024)


def test_no_hits_in_five_gives_the_wilson_upper_bound_z2_over_n_plus_z2() -> None:
    table = analytics.event_study(ALTERNATING, events=days([1, 3, 5, 7, 9]), assets=["a"], horizons=(1,), draws=10)
    one_day = row(table, "return_1d")
    assert (one_day["hits"], one_day["hit_low"]) == (0, pytest.approx(0.0, abs=1e-12))
    assert one_day["hit_high"] == pytest.approx(Z**2 / (5 + Z**2))
    assert one_day["binomial_p"] == pytest.approx(2 / 32)


def test_baseline_is_every_start_day_whose_window_the_data_covers() -> None:
    # Down 5 a day to 100 on day 20, then up 5 a day: the 30-day return from day t <= 9 is (10t - 50) / (200 - 5t).
    prices = daily([200.0 - 5 * t if t <= 20 else 100.0 + 5 * (t - 20) for t in range(40)])
    table = analytics.event_study(prices, events=days([2, 8]), assets=["a"], horizons=(30,), draws=50)
    returns = np.array([(10 * t - 50) / (200 - 5 * t) for t in range(10)])
    thirty = row(table, "return_30d")
    assert (thirty["baseline_start"], thirty["baseline_end"]) == (day(0), day(9))
    assert thirty["baseline_mean"] == pytest.approx(returns.mean())
    assert thirty["baseline_median"] == pytest.approx((returns[4] + returns[5]) / 2)
    assert thirty["baseline_positive"] == pytest.approx(0.4)
    assert thirty["mean"] == pytest.approx((returns[2] + returns[8]) / 2)
    assert thirty["excess_mean"] == pytest.approx((returns[2] + returns[8]) / 2 - returns.mean())
    assert thirty["spacing_days"] == 6


def test_since_moves_the_baseline_start_and_the_window_statistics_need_the_whole_window() -> None:
    prices = daily(np.linspace(100.0, 200.0, 100))
    table = analytics.event_study(
        prices, events=days([50]), assets=["a"], since=day(20), horizons=(10,), window_days=30
    )
    assert row(table, "return_10d")["baseline_start"] == day(20)
    assert row(table, "return_10d")["baseline_end"] == day(89)
    assert row(table, "peak_return")["baseline_end"] == day(69)
    drawdown = row(table, "max_drawdown")
    assert drawdown["mean"] == 0.0  # a rising path never falls below its running high
    assert np.isnan(drawdown["hits"]) and np.isnan(drawdown["binomial_p"])  # a drawdown is never a "hit"
    assert list(table["statistic"]) == analytics.statistics((10,))


def test_a_planted_extreme_sits_at_the_top_or_bottom_of_the_placebo() -> None:
    # Flat at 100, but 200 on the day after each of the three spike days: +100% from a spike day, -50% the day after.
    values = np.full(300, 100.0)
    values[[51, 151, 251]] = 200.0
    prices = daily(values)
    draws = 2000
    best = analytics.event_study(prices, events=days([50, 150, 250]), assets=["a"], horizons=(1,), draws=draws)
    worst = analytics.event_study(prices, events=days([51, 151, 251]), assets=["a"], horizons=(1,), draws=draws)
    top, bottom = row(best, "return_1d"), row(worst, "return_1d")
    assert top["mean"] == 1.0 and top["placebo_percentile"] == 100.0
    assert bottom["mean"] == -0.5 and bottom["placebo_percentile"] < 0.1
    # Only the planted set itself can tie; p = 2 x (1 + ties) / (draws + 1).
    assert top["placebo_p"] == pytest.approx(2 / (draws + 1), abs=2 / (draws + 1))
    assert bottom["placebo_p"] == pytest.approx(2 / (draws + 1), abs=2 / (draws + 1))


def test_placebo_p_matches_the_binomial_tail_when_draws_are_near_independent_coin_flips() -> None:
    table = analytics.event_study(ALTERNATING, events=EIGHT_OF_TEN, assets=["a"], horizons=(1,), draws=10_000)
    # The placebo mean exceeds 8 hits' mean only with >= 8 even days of 10: P ~ 56/1024 each side.
    assert row(table, "return_1d")["placebo_p"] == pytest.approx(112 / 1024, abs=0.03)


@pytest.mark.parametrize("placebo", ["spaced", "shifted"])
def test_the_same_seed_gives_the_same_placebo_whatever_else_is_in_the_view(placebo: analytics.Placebo) -> None:
    prices = daily(100 * np.exp(np.cumsum(np.random.default_rng(7).normal(0, 0.02, 800))))
    prices["b"] = prices["a"].iloc[::-1].to_numpy()
    events = days([100, 230, 390, 500])
    alone = analytics.event_study(prices, events=events, assets=["a"], seed=3, draws=500, placebo=placebo)
    together = analytics.event_study(prices, events=events, assets=["b", "a"], seed=3, draws=500, placebo=placebo)
    pd.testing.assert_frame_equal(alone, together[together["asset"] == "a"].reset_index(drop=True))
    other = analytics.event_study(prices, events=events, assets=["a"], seed=4, draws=500, placebo=placebo)
    assert not np.allclose(alone["placebo_percentile"], other["placebo_percentile"])


def test_a_cluster_of_events_is_unusual_against_spread_out_days_but_not_against_shifted_copies_of_itself() -> None:
    # Log price a 120-day sine wave: 20 events on consecutive days near the steepest rise sit in one up-leg.
    prices = daily(100 * np.exp(0.3 * np.sin(2 * np.pi * np.arange(1200) / 120)))
    spaced, shifted = (
        row(
            analytics.event_study(prices, events=days(range(20)), assets=["a"], horizons=(1,), placebo=placebo),
            "return_1d",
        )
        for placebo in ("spaced", "shifted")
    )
    assert spaced["placebo_p"] < 0.01
    # A shifted cluster means at least as much whenever it lands within 10 days of a crest's steepest rise:
    # about 20 of every 120 offsets, so a two-sided p near 2 x 1/6.
    assert shifted["placebo_p"] == pytest.approx(1 / 3, abs=0.05)
    assert "circular shifts" in shifted["convention"]


def test_non_overlapping_windows_and_the_sample_size_badge() -> None:
    prices = daily(np.linspace(100.0, 300.0, 400))
    table = analytics.event_study(prices, events=days([0, 10, 40, 45, 100]), assets=["a"], horizons=(30,), draws=10)
    thirty = row(table, "return_30d")
    assert (thirty["n"], thirty["windows"]) == (5, 3)  # days 0, 40 and 100 start windows that do not overlap
    assert thirty["badge"] == "n < 5: anecdote, no inference"
    assert [analytics.sample_badge(n) for n in (0, 4, 5, 19, 20)] == [
        "n < 5: anecdote, no inference",
        "n < 5: anecdote, no inference",
        "5-19: low power",
        "5-19: low power",
        "",
    ]


def test_events_past_the_data_or_before_the_asset_are_left_out_of_n() -> None:
    prices = daily(np.linspace(100.0, 200.0, 100))
    prices["late"] = prices["a"].where(prices.index >= day(50))
    table = analytics.event_study(prices, events=days([10, 60, 95]), assets=["a", "late"], horizons=(30,), draws=10)
    assert row(table, "return_30d")["n"] == 2
    assert row(table, "return_30d", "late")["n"] == 1
    assert row(table, "return_30d", "late")["baseline_start"] == day(50)
    # A signal that could only fire after the data ends has no baseline and no placebo, and says so with NaN.
    after = row(
        analytics.event_study(prices, events=days([10]), assets=["a"], since=day(200), horizons=(30,)), "return_30d"
    )
    assert after["n"] == 1 and pd.isna(after["baseline_start"])
    assert after[["baseline_mean", "excess_mean", "placebo_percentile", "placebo_p"]].isna().all()


def test_variants_note_counts_what_the_view_tests() -> None:
    assert analytics.variants_note(30) == "30 variants tested: about 1.5 would show p < 0.05 by chance alone"


def test_bad_arguments_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="no price column for btc"):
        analytics.event_study(ALTERNATING, events=EIGHT_OF_TEN, assets=["btc"])
    with pytest.raises(ValueError, match="draws must be at least 1"):
        analytics.event_study(ALTERNATING, events=EIGHT_OF_TEN, assets=["a"], draws=0)
    with pytest.raises(ValueError, match="unknown placebo 'bootstrap'"):
        analytics.event_study(ALTERNATING, events=EIGHT_OF_TEN, assets=["a"], placebo="bootstrap")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="cannot place 3 days 5 apart in 10"):
        analytics.spaced_draws(np.random.default_rng(0), span=10, count=3, spacing=5, draws=1)


# The placebo's sampler.


def test_spaced_draws_respect_the_spacing_and_the_span() -> None:
    picks = analytics.spaced_draws(np.random.default_rng(1), span=200, count=12, spacing=9, draws=5000)
    assert picks.shape == (5000, 12)
    assert picks.min() >= 0 and picks.max() < 200
    assert (np.diff(picks, axis=1) >= 9).all()


def test_a_tight_span_allows_one_arrangement_and_one_slack_day_spreads_evenly() -> None:
    rng = np.random.default_rng(2)
    only = analytics.spaced_draws(rng, span=31, count=4, spacing=10, draws=50)
    assert (only == [0, 10, 20, 30]).all()
    # One spare day: it goes before any of the 4 draws or after the last, 5 arrangements, each 1/5 of the time.
    slack = Counter(map(tuple, analytics.spaced_draws(rng, span=32, count=4, spacing=10, draws=20_000).tolist()))
    assert len(slack) == 5
    assert all(abs(count / 20_000 - 0.2) < 0.02 for count in slack.values())


def test_dense_draws_are_distinct_and_every_subset_equally_likely() -> None:
    picks = analytics.spaced_draws(np.random.default_rng(3), span=6, count=4, spacing=1, draws=60_000)
    assert (np.diff(picks, axis=1) > 0).all()
    subsets = Counter(map(tuple, picks.tolist()))
    assert len(subsets) == math.comb(6, 4)
    assert all(abs(count / 60_000 - 1 / 15) < 0.005 for count in subsets.values())


def test_spaced_draws_are_determined_by_the_seed() -> None:
    first, again, other = (
        analytics.spaced_draws(np.random.default_rng(seed), span=1000, count=5, spacing=30, draws=100)
        for seed in (5, 5, 6)
    )
    assert (first == again).all() and not (first == other).all()


# Signals.


def test_fear_greed_crossings_enter_the_extreme_classes_from_outside() -> None:
    values = pd.Series([30.0, 25.0, 20.0, 26.0, 10.0, 80.0, 76.0, 75.0, np.nan, 90.0], index=days(range(10)))
    assert list(analytics.fear_greed_crossings(values)) == [day(1), day(4)]
    assert list(analytics.fear_greed_crossings(values, into="extreme_greed")) == [day(5), day(9)]


def test_liquidity_turns_when_the_13_week_change_first_turns_positive() -> None:
    # Falls one a week for 20 weeks, then rises one a week: the 13-week change is 2w - 53 from week 20, > 0 at 27.
    weeks = pd.date_range("2020-01-01", periods=41, freq="7D", unit="us")
    values = pd.Series([100.0 + abs(week - 20) for week in range(41)], index=weeks)
    assert list(analytics.liquidity_turns(values)) == [weeks[27]]
    assert list(analytics.liquidity_turns(-values + 300)) == []  # rises then falls: the change turns negative, never up


# Paths for the chart.


def test_event_paths_are_rebased_at_entry_and_nan_past_the_data() -> None:
    prices = daily(100.0 * 1.01 ** np.arange(60))
    result = analytics.event_paths(prices, events=days([10, 40]), asset="a", horizon=30)
    expected = 100.0 * 1.01 ** np.arange(31)
    np.testing.assert_allclose(result.paths[day(10)].to_numpy(), expected)
    np.testing.assert_allclose(result.paths[day(40)].to_numpy()[:20], expected[:20])
    assert result.paths[day(40)].iloc[20:].isna().all()
    # Every start day has the same path here, so the whole band is that path.
    for column in ("low", "median", "high"):
        np.testing.assert_allclose(result.band[column].to_numpy(), expected)


def test_a_weekend_event_on_a_five_day_asset_enters_at_fridays_close_and_holds_it_over_the_weekend() -> None:
    index = pd.date_range(START, periods=21, freq="D", name="date", unit="us")
    closes = pd.Series(np.arange(100.0, 121.0), index=index)
    prices = pd.DataFrame({"equity": closes.where(index.day_of_week < 5)})
    result = analytics.event_paths(prices, events=days([1]), asset="equity", horizon=4)  # Saturday 2 Jan 2021
    assert result.paths[day(1)].tolist() == [100.0, 100.0, 100.0, 103.0, 104.0]  # from Friday's close of 100


def test_the_placebo_band_holds_the_chosen_percentiles_of_every_start_days_path() -> None:
    prices = daily([100.0, 110.0] * 50)
    band = analytics.event_paths(prices, events=days([0]), asset="a", horizon=1, band=(10.0, 90.0)).band
    # Half the start days go 100 -> 110, half 110 -> 100: day-1 values 110 and 90.909..., half each.
    assert band.iloc[0].to_list() == [100.0, 100.0, 100.0]
    assert band.loc[1, "low"] == pytest.approx(100 / 1.1) and band.loc[1, "high"] == pytest.approx(110.0)


@settings(max_examples=200, deadline=None)
@given(
    span=st.integers(1, 400),
    count=st.integers(0, 30),
    spacing=st.integers(1, 60),
    seed=st.integers(0, 2**32 - 1),
)
def test_spaced_draws_fit_or_refuse_for_any_span_count_and_spacing(
    span: int, count: int, spacing: int, seed: int
) -> None:
    fits = count == 0 or (count - 1) * spacing < span
    if not fits:
        with pytest.raises(ValueError, match="cannot place"):
            analytics.spaced_draws(np.random.default_rng(seed), span=span, count=count, spacing=spacing, draws=5)
        return
    picks = analytics.spaced_draws(np.random.default_rng(seed), span=span, count=count, spacing=spacing, draws=50)
    assert picks.shape == (50, count)
    if count:
        assert picks.min() >= 0 and picks.max() < span and (np.diff(picks, axis=1) >= spacing).all()
