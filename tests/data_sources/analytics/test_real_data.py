"""The analyst's figures, reproduced on the embedded snapshot through Store.panel (no network)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data_sources import snapshot
from data_sources.analytics import (
    breakouts,
    forward_returns,
    log_returns,
    rebase,
    rolling_correlation,
    supply_up_market_down,
)
from data_sources.store import Store, open_cache


@pytest.fixture(scope="module")
def panel(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """Every catalog series over its full range, as the store serves it (union of dates, never filled)."""
    return Store(open_cache(tmp_path_factory.mktemp("analytics-cache"))).panel(snapshot.manifest()).frame


def _event(table: pd.DataFrame, date: str) -> pd.Series:
    rows = table[table["date"] == pd.Timestamp(date)]
    assert len(rows) == 1, f"no single breakout on {date}: {table['date'].dt.date.tolist()}"
    return rows.iloc[0]


def test_rut_first_closes_above_its_august_2018_high_on_2020_11_13(panel: pd.DataFrame) -> None:
    event = _event(breakouts(panel["rut"]), "2020-11-13")
    assert (event["level"], event["level_date"]) == (pytest.approx(1740.75), pd.Timestamp("2018-08-31"))


def test_btc_peak_close_by_april_2021_is_291_percent_above_its_close_on_the_signal_day(panel: pd.DataFrame) -> None:
    signal = _event(breakouts(panel["rut"]), "2020-11-13")["date"]
    row = forward_returns(panel, signals=pd.DatetimeIndex([signal]), assets=["btc"], until="2021-04-30").iloc[0]
    assert row["entry_date"] == pd.Timestamp("2020-11-13")
    assert row["peak_date"] == pd.Timestamp("2021-04-14")
    assert row["entry_close"] * (1 + row["peak_return"]) == pytest.approx(63_576.68, abs=0.01)
    assert round(row["peak_return"] * 100) == 291


def test_monthly_the_breakout_is_november_2020_and_btc_gains_370_percent_from_the_prior_month(
    panel: pd.DataFrame,
) -> None:
    signal = _event(breakouts(panel["rut"], resolution="monthly"), "2020-11-30")["date"]
    options = {"resolution": "monthly", "entry": "prior", "until": "2021-04-30"}
    row = forward_returns(panel, signals=pd.DatetimeIndex([signal]), assets=["btc"], **options).iloc[0]  # type: ignore[arg-type]
    assert row["entry_date"] == pd.Timestamp("2020-10-31") and round(row["entry_close"], -2) == 13_500
    assert row["entry_close"] * (1 + row["peak_return"]) == pytest.approx(63_576.68, abs=0.01)
    assert round(row["peak_return"] * 100) == 370
    assert "last close before the signal month" in row["convention"]


def test_default_iwm_breakouts_include_nov_2016_nov_2020_and_sept_2025_without_flooding(panel: pd.DataFrame) -> None:
    table = breakouts(panel["iwm"])
    months = set(table["date"].dt.strftime("%Y-%m"))
    assert {"2016-11", "2020-11", "2025-09"} <= months
    assert len(table) <= 10 and len(breakouts(panel["rut"])) <= 12  # over 26 and 38 years of closes


def test_forward_returns_before_a_series_history_are_missing_not_invented(panel: pd.DataFrame) -> None:
    table = forward_returns(panel, signals=breakouts(panel["iwm"])["date"])
    before_crypto = table[table["signal"] < pd.Timestamp("2013-04-28")]
    after_total = table[(table["signal"] > pd.Timestamp("2025-08-15")) & (table["asset"] == "total_mcap")]
    assert len(before_crypto) and before_crypto.drop(columns=["signal", "asset", "convention"]).isna().all().all()
    assert len(after_total) and after_total["entry_close"].isna().all()


def test_correlation_is_computed_on_equity_sessions_only(panel: pd.DataFrame) -> None:
    table = rolling_correlation(panel, x="btc", y="iwm")
    assert set(table.index) <= set(panel["iwm"].dropna().index)
    assert np.nanmin(table) >= -1 and np.nanmax(table) <= 1 and table.iloc[179:].notna().all().all()
    returns = log_returns(panel[["btc", "iwm"]])
    last_90 = returns.iloc[-90:]
    assert table["corr_90"].iloc[-1] == pytest.approx(last_90["btc"].corr(last_90["iwm"]))
    # Monday's return spans the weekend for both: BTC from its Friday close, not its Sunday close.
    sessions = pd.DatetimeIndex(returns.index)
    monday = sessions[sessions.day_of_week == 0][-1]
    friday = panel["iwm"].loc[: monday - pd.Timedelta(days=1)].dropna().index[-1]
    assert returns.loc[monday, "btc"] == pytest.approx(np.log(panel.loc[monday, "btc"] / panel.loc[friday, "btc"]))


def test_rebase_starts_every_series_at_100_on_its_first_value_in_range(panel: pd.DataFrame) -> None:
    rebased = rebase(panel.loc["2020-01-01":, ["btc", "rut", "altcoin_mcap"]])
    first_values = [rebased[column].dropna().iloc[0] for column in rebased.columns]
    assert first_values == pytest.approx([100.0, 100.0, 100.0])


def test_stablecoin_supply_rose_while_the_market_fell_in_the_first_half_of_2022(panel: pd.DataFrame) -> None:
    periods = supply_up_market_down(panel)
    in_2022 = periods[(periods["end"] >= "2022-01-01") & (periods["start"] <= "2022-06-30")]
    assert len(in_2022) >= 1
    assert (in_2022["supply_change"] > 0).all() and (in_2022["market_change"] < 0).all()
