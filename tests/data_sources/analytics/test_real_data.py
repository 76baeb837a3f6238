"""The analyst's figures, reproduced on the embedded snapshot through Store.panel (no network)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data_sources.analytics import (
    breakouts,
    forward_returns,
    log_returns,
    rebase,
    rolling_correlation,
)
from data_sources.config import open_cache
from data_sources.series import SERIES_IDS
from data_sources.snapshot_build import build_series, recipes_by_id
from data_sources.store import Store

EMBEDDED = recipes_by_id()


@pytest.fixture(scope="module")
def panel(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """Every series with a snapshot over its full range, as the store serves it (union of dates, never filled)."""
    embedded = [series_id for series_id in SERIES_IDS if series_id in EMBEDDED]
    return Store(open_cache(tmp_path_factory.mktemp("analytics-cache"))).panel(embedded).frame


def _event(table: pd.DataFrame, date: str) -> pd.Series:
    rows = table[table["date"] == pd.Timestamp(date)]
    assert len(rows) == 1, f"no single breakout on {date}: {table['date'].dt.date.tolist()}"
    return rows.iloc[0]


def test_rut_first_closes_above_its_august_2018_high_on_2020_11_13(panel: pd.DataFrame) -> None:
    event = _event(breakouts(panel["rut"]), "2020-11-13")
    assert (event["level"], event["level_date"]) == (pytest.approx(1740.75), pd.Timestamp("2018-08-31"))


@pytest.mark.parametrize(
    ("until", "peak_date", "peak_close", "gain_percent"),
    [("2021-04-30", "2021-04-13", 63_588.2, 289), ("2021-11-30", "2021-11-08", 67_554.8, 313)],
)
def test_btc_peak_after_the_november_2020_rut_breakout_on_utc_closes(
    panel: pd.DataFrame, until: str, peak_date: str, peak_close: float, gain_percent: int
) -> None:
    signal = _event(breakouts(panel["rut"]), "2020-11-13")["date"]
    row = forward_returns(panel, signals=pd.DatetimeIndex([signal]), assets=["btc"], until=until).iloc[0]
    assert (row["entry_date"], row["entry_close"]) == (pd.Timestamp("2020-11-13"), pytest.approx(16_339.6))
    assert row["peak_date"] == pd.Timestamp(peak_date)
    assert row["entry_close"] * (1 + row["peak_return"]) == pytest.approx(peak_close, abs=0.01)
    assert round(row["peak_return"] * 100) == gain_percent


@pytest.mark.parametrize(("until", "gain_percent"), [("2021-04-30", 361), ("2021-11-30", 389)])
def test_monthly_the_breakout_is_november_2020_and_btc_gains_from_the_october_close(
    panel: pd.DataFrame, until: str, gain_percent: int
) -> None:
    signal = _event(breakouts(panel["rut"], resolution="monthly"), "2020-11-30")["date"]
    options = {"resolution": "monthly", "entry": "prior", "until": until}
    row = forward_returns(panel, signals=pd.DatetimeIndex([signal]), assets=["btc"], **options).iloc[0]  # type: ignore[arg-type]
    assert row["entry_date"] == pd.Timestamp("2020-10-31") and row["entry_close"] == pytest.approx(13_804.8)
    assert round(row["peak_return"] * 100) == gain_percent
    assert "last close before the signal month" in row["convention"]


def test_iwm_clears_its_2021_high_in_september_2025_unadjusted_and_november_2024_adjusted(
    panel: pd.DataFrame,
) -> None:
    unadjusted = _event(breakouts(build_series("iwm_unadj")), "2025-09-18")
    assert unadjusted["level_date"] == pd.Timestamp("2021-11-08") and unadjusted["level"] == pytest.approx(242.56)
    adjusted = _event(breakouts(panel["iwm"]), "2024-11-06")
    assert adjusted["level_date"] == pd.Timestamp("2021-11-08")


def test_seed_facts_usdt_and_usdc_supply_in_early_december_2025(panel: pd.DataFrame) -> None:
    assert panel.loc["2025-12-05", "usdt_supply"] == pytest.approx(185e9, rel=0.01)
    assert panel.loc["2025-12-05", "usdc_supply"] == pytest.approx(78e9, rel=0.01)


def test_seed_fact_russell_2000_up_13_percent_ytd_on_2025_12_05(panel: pd.DataFrame) -> None:
    rut = panel["rut"].dropna()
    assert round((rut["2025-12-05"] / rut[:"2024-12-31"].iloc[-1] - 1) * 100) == 13


def test_default_iwm_breakouts_include_nov_2016_nov_2020_and_sept_2025_without_flooding(panel: pd.DataFrame) -> None:
    table = breakouts(panel["iwm"])
    months = set(table["date"].dt.strftime("%Y-%m"))
    assert {"2016-11", "2020-11", "2025-09"} <= months
    assert len(table) <= 10 and len(breakouts(panel["rut"])) <= 12  # over 26 and 38 years of closes


def test_forward_returns_before_a_series_history_are_missing_not_invented(panel: pd.DataFrame) -> None:
    table = forward_returns(panel, signals=breakouts(panel["iwm"])["date"])
    before_crypto = table[table["signal"] < pd.Timestamp("2013-01-01")]
    after_total = table[(table["signal"] > pd.Timestamp("2025-08-14")) & (table["asset"] == "total_mcap")]
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


def test_the_tracked_majors_fell_in_q2_2022_so_they_cannot_show_all_stablecoins_rising() -> None:
    majors = build_series("stablecoin_majors")
    # BUSD, UST, TUSD, USDP and FRAX are not in the sum: "supply kept rising in H1 2022" needs DefiLlama's total.
    assert majors["2022-06-30"] < 0.93 * majors["2022-03-01":"2022-04-30"].max()
