"""Each data fix of the snapshot recipes, checked on the real raw files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data_sources import recipes
from data_sources.snapshot_build import RAW_DIR, build_series


def _raw(name: str) -> pd.DataFrame:
    return pd.read_csv(RAW_DIR / name, encoding="utf-8-sig")


def _stamped(frame: pd.DataFrame, date_col: str, value_col: str) -> pd.Series:
    """A raw column on the calendar day printed in the file, with no relabelling."""
    index = pd.DatetimeIndex(pd.to_datetime(frame[date_col].astype(str).str[:10]), name="date")
    return pd.Series(frame[value_col].to_numpy(dtype="float64"), index=index)


def _median_gap(a: pd.Series, b: pd.Series) -> float:
    return float((a / b - 1).abs().dropna().median())


@pytest.fixture(scope="module")
def coinbase() -> pd.Series:
    return build_series("btc")


def test_coingecko_export_rows_close_the_day_before_their_stamp(coinbase: pd.Series) -> None:
    export = _raw(recipes.COINGECKO_BTC)
    export = export[export["snapped_at"] >= "2013-04-28"]
    stamped = _stamped(export, "snapped_at", "price")
    relabelled = pd.Series(stamped.to_numpy(), index=recipes.utc_close_labels(export["snapped_at"]))
    assert _median_gap(relabelled, coinbase) < 0.002  # 0.17%
    assert _median_gap(stamped, coinbase) > 0.01  # 1.12%
    assert relabelled[relabelled > 100_000].index[0] == pd.Timestamp("2024-12-08")
    assert coinbase[coinbase > 100_000].index[0] == pd.Timestamp("2024-12-08")


def test_btc_is_one_provider_with_every_utc_day() -> None:
    btc = build_series("btc")
    assert recipes.BTC.files == (recipes.COINBASE_BTC,) and not recipes.BTC.joins
    assert len(btc) == (btc.index[-1] - btc.index[0]).days + 1


def test_coingecko_total_cap_is_labelled_by_the_day_it_closes_like_tradingview() -> None:
    total = build_series("total_mcap")
    stamped = _stamped(_raw(recipes.COINGECKO_TOTAL), "Date", "value")
    tradingview = np.log(build_series("cryptocap_total")).diff()

    def agreement(series: pd.Series) -> float:
        return float(np.log(series).diff().corr(tradingview))

    assert agreement(total) > 0.9  # 0.96
    assert agreement(stamped[stamped.diff() != 0]) < 0.2  # -0.07: one day off


def test_forward_filled_total_cap_days_are_dropped_and_total2_jumps_vanish() -> None:
    stamped = _stamped(_raw(recipes.COINGECKO_TOTAL), "Date", "value")
    repeats = pd.DatetimeIndex(stamped.index[stamped.diff() == 0])
    assert len(repeats) >= 9 and pd.Timestamp("2021-05-10") in repeats
    total, alt = build_series("total_mcap"), build_series("altcoin_mcap")
    assert not (total.diff() == 0).any()
    assert not total.index.isin(repeats - pd.Timedelta(days=1)).any()
    dominance = _stamped(_raw(recipes.COINGECKO_DOMINANCE), "Date", "value")
    raw_alt_moves = (stamped * (1 - dominance / 100)).pct_change()
    assert raw_alt_moves["2018-01-16"] > 0.09 and raw_alt_moves["2018-01-17"] < -0.31  # the artefact upstream
    moves = alt.pct_change()
    assert not ((moves > 0.09) & (moves.shift(-1) < -0.3)).any()


def test_usdc_zero_caps_are_missing_not_zero() -> None:
    raw = _raw(recipes.COINGECKO_STABLES)
    zeros = raw[(raw["coin_name"] == "USDC") & (raw["market_cap"] == 0)]
    assert len(zeros) == 18 and zeros["date"].str[:10].between("2018-10-05", "2018-10-24").all()
    usdc = build_series("usdc_supply")
    assert (usdc > 0).all()
    assert usdc.index[0] == pd.Timestamp("2018-10-16")  # the 2018-10-17 00:00 reading, the first non-zero
    assert not usdc.index.isin(pd.date_range("2018-10-18", "2018-10-23")).any()


def test_stablecoin_readings_take_the_one_nearest_each_utc_close() -> None:
    caps = recipes.stablecoin_caps(RAW_DIR)
    raw = _raw(recipes.COINGECKO_STABLES)
    tether = raw[raw["coin_name"] == "Tether"].set_index("date")["market_cap"]
    # 2025-12-26 has readings at 00:00, 01:18 and 10:52: the midnight one closes 2025-12-25.
    assert caps.loc["2025-12-25", "Tether"] == tether["2025-12-26 00:00:00.000"]
    # 2026-08-22 00:43 is the newest reading: it closes 2026-08-21.
    assert caps.loc["2026-08-21", "Tether"] == tether["2026-08-22 00:43:46.000"]


def test_usdt_flat_then_plus_72_percent_is_kept_as_upstream_has_it() -> None:
    usdt = build_series("usdt_supply")
    flat = usdt.loc["2018-11-01":"2019-05-31"]
    assert flat.max() / flat.min() < 1.05
    assert usdt.pct_change()["2019-06-19"] == pytest.approx(0.725, abs=0.005)


def test_stablecoin_majors_is_the_tracked_coins_and_more_than_usdt_plus_usdc() -> None:
    day = "2025-12-05"
    majors, usdt, usdc = (build_series(s)[day] for s in ("stablecoin_majors", "usdt_supply", "usdc_supply"))
    assert majors > usdt + usdc
    caps = recipes.stablecoin_caps(RAW_DIR)
    assert majors == pytest.approx(caps.loc[day, list(recipes.MAJOR_STABLECOINS)].sum())


def test_iwm_adjusted_files_differ_by_one_constant_ratio_until_a_dividend() -> None:
    newer, older = recipes.yahoo_iwm_files(RAW_DIR)
    ratio = recipes.overlap_ratio(newer, older)
    assert len(ratio) == 125
    before = ratio[ratio.index < recipes.IWM_OVERLAP_EX_DIVIDEND]
    assert len(before) == 16 and float((before / before.median() - 1).abs().max()) < 1e-4
    assert float(before.median()) == pytest.approx(0.98972, abs=1e-5)
    # The ratio steps on the ex-dividend date: the adjusted/unadjusted IWM ratio steps there too.
    assert ratio["2025-09-16"] / ratio["2025-09-15"] - 1 > 0.002
    unadjusted = build_series("iwm_unadj")
    factor = (newer / unadjusted).dropna()
    assert factor["2025-09-16"] / factor["2025-09-15"] - 1 > 0.002


def test_iwm_join_steps_against_unadjusted_closes_only_on_dividend_days() -> None:
    iwm, newer = build_series("iwm"), recipes.yahoo_iwm_files(RAW_DIR)[0]
    pd.testing.assert_series_equal(iwm[newer.index], newer.rename("iwm"), check_names=False)
    factor = (iwm / build_series("iwm_unadj")).dropna()
    steps = factor.pct_change()
    steps = steps[steps.abs() > 2e-4]
    years = (factor.index[-1] - factor.index[0]).days / 365.25
    assert len(steps) < 5 * years  # IWM pays quarterly (plus rare specials)
    assert (steps > 0).mean() > 0.95  # adjustment factors only grow towards today
    assert not steps.index.isin(pd.date_range("2025-08-22", "2025-09-15")).any()


def test_join_refuses_files_that_disagree() -> None:
    days = pd.date_range("2026-01-01", periods=4)
    older = pd.Series([1.0, 2.0, 3.0, 4.0], index=days)
    newer = pd.Series([3.0, 4.5, 5.0], index=days[2:].append(pd.DatetimeIndex(["2026-01-05"])))
    with pytest.raises(ValueError, match="disagree"):
        recipes.extend_back(newer, older)
    joined = recipes.extend_back(pd.Series([3.0, 4.0, 5.0], index=newer.index), older)
    assert joined.tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_back_adjust_refuses_a_ratio_that_moves_before_the_dividend() -> None:
    days = pd.date_range("2025-08-20", periods=5)
    older = pd.Series([10.0, 10.0, 10.0, 10.0, 10.0], index=days)
    dividend = {"first_dividend": days[4]}
    with pytest.raises(ValueError, match="not constant"):
        recipes.back_adjust(pd.Series([9.9, 9.8, 9.9], index=days[2:]), older, **dividend)
    # After the dividend the ratio may step: only the days before it set the factor.
    adjusted = recipes.back_adjust(pd.Series([9.9, 9.9, 9.95], index=days[2:]), older, **dividend)
    assert adjusted.tolist() == pytest.approx([9.9, 9.9, 9.9, 9.9, 9.95])


def test_iwm_unadjusted_sources_agree_on_their_overlap() -> None:
    tradingview = _stamped(_raw(recipes.TRADINGVIEW_IWM), "date", "close")
    alpha_vantage = _stamped(_raw(recipes.ALPHA_VANTAGE_IWM), "timestamp", "close")
    common = tradingview.index.intersection(alpha_vantage.index)
    assert len(common) == 13
    pd.testing.assert_series_equal(tradingview[common], alpha_vantage[common])


def test_rut_is_yahoo_throughout_and_its_files_agree() -> None:
    rut = build_series("rut")
    assert rut.index[0] == pd.Timestamp("1987-09-10") and rut["2026-08-21"] == pytest.approx(3017.87, abs=0.01)
    assert set(recipes.RUT.files) <= {recipes.YAHOO_RUT_CSV, recipes.YAHOO_RUT_BACKFILL, recipes.YAHOO_RUT_MONTH}
    assert not rut.index.isin([pd.Timestamp("2026-02-21"), pd.Timestamp("2026-02-22")]).any()  # a weekend


def test_cryptocap_family_is_one_consistent_universe_never_spliced_on_coingecko() -> None:
    total, total2, total3 = (build_series(s) for s in ("cryptocap_total", "cryptocap_total2", "cryptocap_total3"))
    assert (total3 < total2).all() and (total2 < total).all()
    btc_d = _stamped(_raw(recipes.CRYPTOCAP_BTC_D), "date", "close")
    pd.testing.assert_series_equal((1 - total2 / total) * 100, btc_d[total.index], check_names=False)
    ratio = (total / build_series("total_mcap")).dropna().loc["2018":]
    yearly = ratio.groupby(pd.DatetimeIndex(ratio.index).year).median()
    assert yearly.between(0.90, 0.99).all()  # a different coin universe than CoinGecko's
    assert total.index[0] == pd.Timestamp("2017-07-14")


def test_cryptocap_partial_last_bar_is_dropped() -> None:
    btc_d = _raw(recipes.CRYPTOCAP_BTC_D).set_index("date")
    day_range = btc_d["high"] - btc_d["low"]
    assert day_range["2026-04-19"] < day_range.iloc[-31:-1].median() / 10
    assert build_series("cryptocap_total").index[-1] == pd.Timestamp("2026-04-18")


def test_net_liquidity_is_walcl_minus_tga_minus_rrp_in_usd_on_wednesdays() -> None:
    fred = _raw(recipes.FRED_LIQUIDITY).set_index("date")
    net = build_series("net_liquidity")
    day = "2026-08-19"
    walcl, tga, rrp = fred.loc[day, ["WALCL", "WTREGEN", "RRPONTSYD"]].to_numpy(dtype="float64")
    expected = (walcl - tga) * 1e6 - rrp * 1e9  # FRED: WALCL and WTREGEN in $M, RRPONTSYD in $B
    assert net[day] == pytest.approx(expected) and 5.7e12 < net[day] < 5.9e12  # about $5.8 trillion
    assert (pd.DatetimeIndex(net.index).day_of_week == 2).all()
    assert net.index[0] == pd.Timestamp("2013-09-25")
    holiday = pd.Timestamp("2025-01-01")  # a Wednesday without an RRP operation: missing, not filled
    assert holiday in build_series("walcl").index and holiday not in net.index
    assert len(build_series("rrpontsyd")) > len(build_series("walcl"))  # daily vs weekly
