"""The event study on real data: the embedded snapshot (^RUT breakouts, Fear & Greed) and a recorded FRED series."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from data_sources.analytics import forward_returns
from data_sources.analytics.event_study import (
    breakout_dates,
    event_paths,
    event_study,
    fear_greed_crossings,
    liquidity_turns,
)
from data_sources.config import open_cache
from data_sources.series import SERIES_IDS
from data_sources.store import Store

NOV_2020 = pd.Timestamp("2020-11-13")
FIXTURES = Path(__file__).parents[2] / "fixtures"


@pytest.fixture(scope="module")
def panel(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """Every catalog series over its full range, as the store serves it."""
    return Store(open_cache(tmp_path_factory.mktemp("event-study-cache"))).panel(SERIES_IDS).frame


@pytest.fixture(scope="module")
def rut_breakouts(panel: pd.DataFrame) -> pd.DatetimeIndex:
    return breakout_dates(panel["rut"])


def _first(series: pd.Series) -> pd.Timestamp:
    """The first date a signal on `series` could fire."""
    return pd.Timestamp(series.dropna().index[0])


def _row(table: pd.DataFrame, asset: str, statistic: str) -> pd.Series:
    return table[(table["asset"] == asset) & (table["statistic"] == statistic)].iloc[0]


def test_btc_after_rut_breakouts_two_known_years_a_strong_mean_and_an_anecdote_badge(
    panel: pd.DataFrame, rut_breakouts: pd.DatetimeIndex
) -> None:
    assert NOV_2020 in rut_breakouts
    table = event_study(panel, events=rut_breakouts, assets=["btc"], since=_first(panel["rut"]))
    year = _row(table, "btc", "return_365d")
    # BTC's history starts in July 2015 and the Sept 2025 breakout has no full year yet: Nov 2016 and Nov 2020.
    known = forward_returns(panel, signals=rut_breakouts, assets=["btc"])["return_365d"].dropna()
    assert (year["n"], year["windows"]) == (2, 2) and len(known) == 2
    assert year["mean"] == pytest.approx(known.mean())
    assert year["badge"] == "n < 5: anecdote, no inference"
    assert year["baseline_start"] == _first(panel["btc"])  # ^RUT could fire from 1987: BTC's own start binds
    # Far above an average year for BTC, and above 90% of random pairs of entry days: yet two events.
    assert year["excess_mean"] > 2 and year["placebo_percentile"] > 90
    assert year["hits"] == 2 and year["hit_low"] < year["baseline_positive"]  # the interval cannot exclude chance


def test_btc_path_after_the_november_2020_breakout_reaches_389_on_13_april_2021(
    panel: pd.DataFrame, rut_breakouts: pd.DatetimeIndex
) -> None:
    """The same peak as the signal table's +289% (test_real_data.py), on Coinbase's UTC closes."""
    result = event_paths(panel, events=rut_breakouts, asset="btc", horizon=365)
    path = result.paths[NOV_2020]
    peak_day = (pd.Timestamp("2021-04-13") - NOV_2020).days
    assert path.iloc[0] == 100.0
    assert path.iloc[peak_day] == pytest.approx(63_588.2 / float(panel["btc"][NOV_2020]) * 100)
    assert round(path.iloc[peak_day]) == 389
    assert path.loc[:peak_day].idxmax() == peak_day
    # The band brackets the median any-day path and fans out with time.
    band = result.band
    assert (band["low"] <= band["median"]).all() and (band["median"] <= band["high"]).all()
    assert band["high"].iloc[365] - band["low"].iloc[365] > band["high"].iloc[30] - band["low"].iloc[30]


def test_fear_greed_enters_extreme_fear_on_12_november_2025_and_the_study_counts_its_clusters(
    panel: pd.DataFrame,
) -> None:
    crossings = fear_greed_crossings(panel["fear_greed"])
    assert pd.Timestamp("2025-11-12") in crossings  # 26 on the 11th, 24 on the 12th
    table = event_study(panel, events=crossings, assets=["btc"], since=_first(panel["fear_greed"]))
    month = _row(table, "btc", "return_30d")
    # Crossings cluster: far fewer independent 30-day windows than events.
    assert month["n"] > 50 and month["windows"] < month["n"] / 2
    # Against spread-out random days the year after looks extraordinary; against the same clusters shifted in time
    # it does not: the clustering, not the signal, made the difference.
    shifted = event_study(panel, events=crossings, assets=["btc"], since=_first(panel["fear_greed"]), placebo="shifted")
    assert _row(table, "btc", "return_365d")["placebo_p"] < 0.01
    assert _row(shifted, "btc", "return_365d")["placebo_p"] > 0.05


def test_the_fed_balance_sheets_13_week_change_turns_up_at_the_september_2019_repo_intervention() -> None:
    """On FRED's recorded WALCL history (the first component of net liquidity), 2002-2020."""
    walcl = pd.read_csv(FIXTURES / "fred" / "WALCL.csv", index_col="DATE", parse_dates=["DATE"])["WALCL"]
    turns = liquidity_turns(walcl)
    assert pd.Timestamp("2019-09-18") in turns
    # Growth resumed then and lasted through the March 2020 expansion: no other turn until September 2020.
    assert [turn for turn in turns if pd.Timestamp("2019-01-01") < turn < pd.Timestamp("2020-09-01")] == [
        pd.Timestamp("2019-09-18")
    ]


def test_net_liquidity_turning_up_shows_no_edge_for_btc(panel: pd.DataFrame) -> None:
    turns = liquidity_turns(panel["net_liquidity"])
    assert pd.Timestamp("2019-10-02") in turns  # two weeks after WALCL's own turn: the TGA and RRP move too
    table = event_study(panel, events=turns, assets=["btc"], since=_first(panel["net_liquidity"]))
    year = _row(table, "btc", "return_365d")
    assert year["n"] >= 30 and year["badge"] == "5-19: low power"  # 30-odd turns, under 20 independent years
    # Below an average year for BTC and in the middle of the random-entry distribution.
    assert year["excess_mean"] < 0 and year["placebo_p"] > 0.2
