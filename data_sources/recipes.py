"""Snapshot recipes: how each embedded series is built from the byte-exact raw files in snapshot/raw/.

Every build is a pure function of the raw directory. The only transforms are documented selections, date labels,
sums and ratios of real observations; nothing is filled, smoothed or invented. A join of two files happens only
within one definition, and the build refuses to join when the files disagree on their overlap.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from data_sources.base import DATE
from data_sources.derivations import net_liquidity
from data_sources.vendors.fred import BILLION, MILLION


@dataclass(frozen=True)
class Recipe:
    """How one snapshot series is built, and the provenance it carries."""

    source: str
    files: tuple[str, ...]
    build: Callable[[Path], pd.Series]
    note: str
    joins: tuple[str, ...] = ()


COINBASE_BTC = "dylanlayden__finance-terminal/watch_btcusd.csv"
COINGECKO_BTC = "alexanderthurn__beatthehodler/btc-usd-max.csv"  # cross-check of the date labels (tests)
COINGECKO_ETH = "alexanderthurn__beatthehodler/eth-usd-max.csv"
COINMETRICS_BTC = "btctree__btc-power/onchain.csv"
YAHOO_RUT_CSV = "alitalbi__storage_data_fy/^RUT.csv"
YAHOO_RUT_BACKFILL = "keroppa88__202608/backfill_yahoo__RUT.json.gz"
YAHOO_RUT_MONTH = "keroppa88__202608/2026-08-22_yahoo__RUT.json.gz"
YAHOO_IWM = "alitalbi__storage_data_fy/IWM.csv"
YAHOO_POOL = "heliar-k__market-base/pool_prices.csv"
TRADINGVIEW_IWM = "moltovy__Crypto-Research-Paper-Data-Factors-Analysis-/IWM_russell2000_etf__daily.csv"
ALPHA_VANTAGE_IWM = "johnamcminn-hub__market-data-public/IWM.csv"
CRYPTOCAP_TOTAL3_FILE = "moltovy__Crypto-Research-Paper-Data-Factors-Analysis-/CRYPTOCAP_TOTAL3__daily.csv"
CRYPTOCAP_BTC_D = "moltovy__Crypto-Research-Paper-Data-Factors-Analysis-/CRYPTOCAP_BTC_dominance__daily.csv"
CRYPTOCAP_ETH_D = "moltovy__Crypto-Research-Paper-Data-Factors-Analysis-/CRYPTOCAP_ETH_dominance__daily.csv"
COINGECKO_TOTAL = "AlanCrespoMurilloIA__Bridgewater-Agents/total_mcap.csv"
COINGECKO_DOMINANCE = "AlanCrespoMurilloIA__Bridgewater-Agents/btc_dominance.csv"
COINGECKO_STABLES = "partrita__stablecoin-tracker/stablecoin_marketcap.csv"
ALTERNATIVE_FNG = "edwardchin811227__cryptofear-and-greed-index/fng.csv"
FRED_LIQUIDITY = "heliar-k__market-base/liquidity.csv"

# Rows before this date in the CoinGecko export were merged by hand from another source (its README).
COINGECKO_PURE_FROM = pd.Timestamp("2013-04-28")
# The yfinance files are refreshed hourly; their last commit (2026-02-23) caught that day mid-session.
YAHOO_COMPLETE_BEFORE = pd.Timestamp("2026-02-23")
# TradingView's last CRYPTOCAP bar (2026-04-19) is a few minutes of a day (BTC.D range 0.013 pp, TOTAL3 0.3%).
CRYPTOCAP_COMPLETE_BEFORE = pd.Timestamp("2026-04-19")
# First IWM ex-dividend date inside the overlap of the two adjusted files (where adjusted/unadjusted steps).
IWM_OVERLAP_EX_DIVIDEND = pd.Timestamp("2025-09-16")
# Tolerated relative difference between two files of one provider on their common days.
JOIN_RTOL = 1e-3
# USD stablecoins whose CoinGecko history in the tracker runs unbroken to its end. Left out: Falcon USD (tracking
# stops 2026-07-06), USDD (renamed mid-file, tracked from 2026-04 only) and four coins seen on a single day.
MAJOR_STABLECOINS = (
    "Tether",
    "USDC",
    "Dai",
    "USDS",
    "Ethena USDe",
    "PayPal USD",
    "USD1",
    "Global Dollar",
    "Ripple USD",
)


def _read(raw_dir: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(raw_dir / name, encoding="utf-8-sig")


def _dated(frame: pd.DataFrame, date_col: str, value_col: str) -> pd.Series:
    dates = pd.to_datetime(frame[date_col].astype(str).str[:10], format="%Y-%m-%d")
    series = pd.Series(frame[value_col].to_numpy(dtype="float64"), index=pd.DatetimeIndex(dates, name=DATE))
    return series.dropna().sort_index()


def utc_close_labels(stamps: pd.Series) -> pd.DatetimeIndex:
    """The UTC day whose close (midnight) is nearest to each reading: `D 00:00 UTC` is the close of D-1."""
    moments = pd.to_datetime(stamps.astype(str).str[:19], format="ISO8601")
    return pd.DatetimeIndex(moments.dt.round("D") - pd.Timedelta(days=1), name=DATE)


def _coingecko_export(raw_dir: Path, name: str, column: str) -> pd.Series:
    """A CoinGecko historical-data export column, each row labelled by the UTC day it closes."""
    frame = _read(raw_dir, name)
    frame = frame[pd.to_datetime(frame["snapped_at"].str[:10]) >= COINGECKO_PURE_FROM]
    series = pd.Series(frame[column].to_numpy(dtype="float64"), index=utc_close_labels(frame["snapped_at"]))
    return series[series > 0]  # the launch day's zero cap is no observation


def _yahoo_chart(raw_dir: Path, name: str) -> pd.Series:
    """Daily closes of a raw Yahoo v8 chart body, labelled by the exchange's session date (New York)."""
    result = json.loads(gzip.decompress((raw_dir / name).read_bytes()))["chart"]["result"][0]
    offset = pd.Timedelta(seconds=result["meta"]["gmtoffset"])
    days = (pd.to_datetime(result["timestamp"], unit="s") + offset).normalize()
    closes = pd.Series(result["indicators"]["quote"][0]["close"], index=pd.DatetimeIndex(days, name=DATE))
    return closes.astype("float64").dropna()


def overlap_ratio(newer: pd.Series, older: pd.Series) -> pd.Series:
    """newer / older on the days both files have."""
    return (newer / older).dropna()


def extend_back(newer: pd.Series, older: pd.Series) -> pd.Series:
    """`newer`, preceded by the days of `older` before it starts; the two must agree on every common day."""
    ratio = overlap_ratio(newer, older)
    worst = float((ratio - 1).abs().max())
    if ratio.empty or worst > JOIN_RTOL:
        raise ValueError(f"files disagree on their overlap ({len(ratio)} days, max relative difference {worst})")
    return pd.concat([older[older.index < newer.index[0]], newer])


def back_adjust(newer: pd.Series, older: pd.Series, *, first_dividend: pd.Timestamp) -> pd.Series:
    """Join two adjusted-close files: scale `older` by their ratio before the first dividend both span."""
    ratio = overlap_ratio(newer, older)
    factor = ratio[ratio.index < first_dividend]
    if factor.empty or float((factor / factor.median() - 1).abs().max()) > 1e-4:
        raise ValueError("the adjustment ratio is not constant before the first dividend in the overlap")
    return pd.concat([older[older.index < newer.index[0]] * factor.median(), newer])


def _btc(raw_dir: Path) -> pd.Series:
    frame = _read(raw_dir, COINBASE_BTC)
    return _dated(frame[frame["status"] == "ok"], "as_of", "value")


def _btc_mcap(raw_dir: Path) -> pd.Series:
    return _dated(_read(raw_dir, COINMETRICS_BTC), "date", "market_cap")


def _rut(raw_dir: Path) -> pd.Series:
    csv = _dated(_read(raw_dir, YAHOO_RUT_CSV), "Date", "Close")
    csv = csv[csv.index < YAHOO_COMPLETE_BEFORE]
    backfill = _yahoo_chart(raw_dir, YAHOO_RUT_BACKFILL)
    return extend_back(_yahoo_chart(raw_dir, YAHOO_RUT_MONTH), extend_back(backfill, csv))


def yahoo_iwm_files(raw_dir: Path) -> tuple[pd.Series, pd.Series]:
    """IWM adjusted closes as adjusted in 2026-08 (newer) and in 2026-02 (older, intraday last row dropped)."""
    newer = _dated(_read(raw_dir, YAHOO_POOL), "date", "IWM")
    older = _dated(_read(raw_dir, YAHOO_IWM), "Date", "Close")
    return newer, older[older.index < YAHOO_COMPLETE_BEFORE]


def _iwm(raw_dir: Path) -> pd.Series:
    return back_adjust(*yahoo_iwm_files(raw_dir), first_dividend=IWM_OVERLAP_EX_DIVIDEND)


def _iwm_unadj(raw_dir: Path) -> pd.Series:
    tradingview = _dated(_read(raw_dir, TRADINGVIEW_IWM), "date", "close")
    return extend_back(_dated(_read(raw_dir, ALPHA_VANTAGE_IWM), "timestamp", "close"), tradingview)


def _cryptocap(raw_dir: Path) -> pd.DataFrame:
    """TradingView's TOTAL3, BTC.D and ETH.D daily closes on their common complete days."""
    files = {"total3": CRYPTOCAP_TOTAL3_FILE, "btc_d": CRYPTOCAP_BTC_D, "eth_d": CRYPTOCAP_ETH_D}
    frame = pd.DataFrame({key: _dated(_read(raw_dir, name), "date", "close") for key, name in files.items()})
    return frame[frame.index < CRYPTOCAP_COMPLETE_BEFORE].dropna()


def _cryptocap_total(raw_dir: Path) -> pd.Series:
    cap = _cryptocap(raw_dir)
    return cap["total3"] / (1 - cap["btc_d"] / 100 - cap["eth_d"] / 100)


def _cryptocap_total2(raw_dir: Path) -> pd.Series:
    return _cryptocap_total(raw_dir) * (1 - _cryptocap(raw_dir)["btc_d"] / 100)


def _cryptocap_total3(raw_dir: Path) -> pd.Series:
    return _cryptocap(raw_dir)["total3"]


def _cryptocap_dominance(raw_dir: Path, name: str) -> pd.Series:
    dominance = _dated(_read(raw_dir, name), "date", "close")
    return dominance[dominance.index < CRYPTOCAP_COMPLETE_BEFORE]


def _coingecko_global(raw_dir: Path) -> pd.DataFrame:
    """CoinGecko total cap and BTC dominance on the days the total is a real observation, UTC-close labels.

    The file's author forward-filled CoinGecko's missing days: a total equal to the day before is a copy, not an
    observation, so that day is dropped (with the dominance computed from it).
    """
    total = _read(raw_dir, COINGECKO_TOTAL)
    dominance = _read(raw_dir, COINGECKO_DOMINANCE)
    if not total["Date"].equals(dominance["Date"]):
        raise ValueError("the total and dominance files no longer share one calendar")
    frame = pd.DataFrame(
        {"total": total["value"].to_numpy(dtype="float64"), "dominance": dominance["value"].to_numpy(dtype="float64")},
        index=utc_close_labels(total["Date"]),
    )
    return frame[frame["total"].diff() != 0].dropna()


def _total_mcap(raw_dir: Path) -> pd.Series:
    return _coingecko_global(raw_dir)["total"]


def _altcoin_mcap(raw_dir: Path) -> pd.Series:
    frame = _coingecko_global(raw_dir)
    return frame["total"] * (1 - frame["dominance"] / 100)


def _altcoin_ex_eth_mcap(raw_dir: Path) -> pd.Series:
    return (_altcoin_mcap(raw_dir) - _coingecko_export(raw_dir, COINGECKO_ETH, "market_cap")).dropna()


def stablecoin_caps(raw_dir: Path) -> pd.DataFrame:
    """Wide frame: one column per coin, each day the reading nearest its UTC close; a zero cap is missing."""
    long = _read(raw_dir, COINGECKO_STABLES)
    stamps = pd.to_datetime(long["date"].str[:19], format="ISO8601")
    long[DATE] = utc_close_labels(long["date"])
    long["distance"] = (stamps - (long[DATE] + pd.Timedelta(days=1))).abs().to_numpy()
    long = long.sort_values("distance", kind="stable").drop_duplicates([DATE, "coin_name"])
    wide = long.pivot(index=DATE, columns="coin_name", values="market_cap").sort_index()
    return wide.where(wide > 0)


def _stablecoin(raw_dir: Path, coin: str) -> pd.Series:
    return stablecoin_caps(raw_dir)[coin].dropna().rename(None)


def _stablecoin_majors(raw_dir: Path) -> pd.Series:
    caps = stablecoin_caps(raw_dir)[list(MAJOR_STABLECOINS)]
    started = caps.notna().cummax()
    # A day counts only when every coin already tracked has a reading: no carried or invented values.
    complete = (caps.notna() | ~started).all(axis=1)
    return caps[complete].sum(axis=1, min_count=1).dropna()


def _fear_greed(raw_dir: Path) -> pd.Series:
    return _dated(_read(raw_dir, ALTERNATIVE_FNG), "date", "value")


# FRED publishes these in millions (WALCL, WTREGEN) or billions (RRPONTSYD) of dollars; riskon stores USD.
FRED_SCALES = {"WALCL": MILLION, "WTREGEN": MILLION, "RRPONTSYD": BILLION}


def _fred(raw_dir: Path, column: str) -> pd.Series:
    return _dated(_read(raw_dir, FRED_LIQUIDITY), "date", column).dropna() * FRED_SCALES[column]


def _net_liquidity(raw_dir: Path) -> pd.Series:
    frame = pd.concat({name.lower(): _fred(raw_dir, name) for name in FRED_SCALES}, axis=1, sort=True)
    return net_liquidity(frame)


_COINGECKO_EXPORT = "CoinGecko historical-data export"
_COINGECKO_GLOBAL = "CoinGecko global market_cap_chart and BTC dominance"
_COINGECKO_STABLES = "CoinGecko stablecoin market caps"
_CRYPTOCAP = "TradingView CRYPTOCAP TOTAL3, BTC.D and ETH.D"
_FRED = "FRED (Federal Reserve H.4.1 and NY Fed)"
_UTC_CLOSE = "each `D 00:00 UTC` reading labelled D-1, the UTC day it closes"
_CRYPTOCAP_NOTE = "daily closes to 2026-04-18; the partial bar of 2026-04-19 dropped"


def _stablecoin_recipe(coin: str, note: str) -> Recipe:
    """One coin's market cap from CoinGecko's stablecoin caps."""
    return Recipe(_COINGECKO_STABLES, (COINGECKO_STABLES,), lambda raw: _stablecoin(raw, coin), note)


def _fred_recipe(column: str, note: str) -> Recipe:
    """One column of the FRED liquidity download, in USD."""
    return Recipe(_FRED, (FRED_LIQUIDITY,), lambda raw: _fred(raw, column), note)


BTC = Recipe(
    "Coinbase Exchange BTC-USD daily candles",
    (COINBASE_BTC,),
    _btc,
    "daily close at 00:00 UTC, labelled by its UTC day; one provider for the whole range, no day missing",
)
BTC_MCAP = Recipe(
    "Coin Metrics community data (inferred)",
    (COINMETRICS_BTC,),
    _btc_mcap,
    "BTC market cap (price x current supply) at the UTC day's close; the price-only last row dropped",
)
ETH_MCAP = Recipe(
    _COINGECKO_EXPORT,
    (COINGECKO_ETH,),
    lambda raw: _coingecko_export(raw, COINGECKO_ETH, "market_cap"),
    f"ETH market cap; {_UTC_CLOSE}; the launch day's zero cap dropped",
)
RUT = Recipe(
    "Yahoo Finance ^RUT",
    (YAHOO_RUT_CSV, YAHOO_RUT_BACKFILL, YAHOO_RUT_MONTH),
    _rut,
    "index close; yfinance file to 2026-02-20 (its intraday row of 2026-02-23 dropped), then Yahoo v8 chart bodies",
    (
        "yfinance ^RUT.csv + Yahoo v8 backfill (1999-01-04 to 2026-08-10): 6,825 common days, "
        "median difference 0, max 5.0e-4 (one day); the backfill wins from 1999-01-04",
        "Yahoo v8 backfill + Yahoo v8 range=1mo (2026-07-22 to 2026-08-21): 14 common days, identical",
    ),
)
IWM = Recipe(
    "Yahoo Finance IWM via yfinance",
    (YAHOO_IWM, YAHOO_POOL),
    _iwm,
    "close adjusted for dividends and splits as of 2026-08-21; before 2025-08-22 the file adjusted as of 2026-02, "
    "scaled by the overlap ratio",
    (
        "pool_prices.csv (adjusted 2026-08) over IWM.csv (adjusted 2026-02): 125 common days 2025-08-22 to "
        "2026-02-20; ratio 0.98972 on every day before the 2025-09-16 ex-dividend date (one day 0.98968), then "
        "steps at dividend dates; IWM.csv before 2025-08-22 multiplied by 0.98972",
    ),
)
IWM_UNADJ = Recipe(
    "TradingView IWM, then Alpha Vantage TIME_SERIES_DAILY (inferred)",
    (TRADINGVIEW_IWM, ALPHA_VANTAGE_IWM),
    _iwm_unadj,
    "unadjusted (as traded) close; the only join of two providers: both give the exchange's official close",
    ("TradingView (to 2026-04-17) + Alpha Vantage (2026-03-31 to 2026-08-21): 13 common days, identical closes",),
)
CRYPTOCAP_TOTAL = Recipe(
    _CRYPTOCAP,
    (CRYPTOCAP_TOTAL3_FILE, CRYPTOCAP_BTC_D, CRYPTOCAP_ETH_D),
    _cryptocap_total,
    f"TOTAL = TOTAL3 / (1 - BTC.D/100 - ETH.D/100); {_CRYPTOCAP_NOTE}",
)
CRYPTOCAP_TOTAL2 = Recipe(
    _CRYPTOCAP,
    (CRYPTOCAP_TOTAL3_FILE, CRYPTOCAP_BTC_D, CRYPTOCAP_ETH_D),
    _cryptocap_total2,
    f"TOTAL2 = TOTAL x (1 - BTC.D/100); {_CRYPTOCAP_NOTE}",
)
CRYPTOCAP_TOTAL3 = Recipe(
    "TradingView CRYPTOCAP TOTAL3",
    (CRYPTOCAP_TOTAL3_FILE, CRYPTOCAP_BTC_D, CRYPTOCAP_ETH_D),
    _cryptocap_total3,
    f"TOTAL3 close, on the days the family's three files share; {_CRYPTOCAP_NOTE}",
)
CRYPTOCAP_BTC_DOMINANCE = Recipe(
    "TradingView CRYPTOCAP BTC.D",
    (CRYPTOCAP_BTC_D,),
    lambda raw: _cryptocap_dominance(raw, CRYPTOCAP_BTC_D),
    f"Bitcoin's share of TradingView's total crypto cap, %; {_CRYPTOCAP_NOTE}",
)
CRYPTOCAP_ETH_DOMINANCE = Recipe(
    "TradingView CRYPTOCAP ETH.D",
    (CRYPTOCAP_ETH_D,),
    lambda raw: _cryptocap_dominance(raw, CRYPTOCAP_ETH_D),
    f"Ether's share of TradingView's total crypto cap, %; {_CRYPTOCAP_NOTE}",
)
TOTAL_MCAP = Recipe(
    _COINGECKO_GLOBAL,
    (COINGECKO_TOTAL, COINGECKO_DOMINANCE),
    _total_mcap,
    f"total crypto market cap; {_UTC_CLOSE}; days repeating the day before (forward-filled upstream) dropped",
)
ALTCOIN_MCAP = Recipe(
    _COINGECKO_GLOBAL,
    (COINGECKO_TOTAL, COINGECKO_DOMINANCE),
    _altcoin_mcap,
    f"TOTAL2 = total x (1 - BTC dominance / 100); {_UTC_CLOSE}; forward-filled days dropped",
)
ALTCOIN_EX_ETH_MCAP = Recipe(
    "CoinGecko global market_cap_chart, BTC dominance and ETH export",
    (COINGECKO_TOTAL, COINGECKO_DOMINANCE, COINGECKO_ETH),
    _altcoin_ex_eth_mcap,
    f"TOTAL3 = TOTAL2 - ETH market cap, where both exist (ETH export ends 2024-12-19); {_UTC_CLOSE}",
)
USDT_SUPPLY = _stablecoin_recipe(
    "Tether",
    "Tether market cap; each day the reading nearest its UTC close; flat Nov 2018 - Jun 2019 then +72.5% on "
    "2019-06-20 upstream (kept as is)",
)
USDC_SUPPLY = _stablecoin_recipe(
    "USDC",
    "USDC market cap; each day the reading nearest its UTC close; upstream zeros (2018-10-04..15, -18..23) missing",
)
STABLECOIN_MAJORS = Recipe(
    _COINGECKO_STABLES,
    (COINGECKO_STABLES,),
    _stablecoin_majors,
    "sum of "
    + ", ".join(MAJOR_STABLECOINS)
    + " (the coins one tracker follows today, not every stablecoin); each joins when its history starts; days "
    "missing a reading of an already-tracked coin are left out",
)
FEAR_GREED = Recipe(
    "alternative.me Crypto Fear & Greed",
    (ALTERNATIVE_FNG,),
    _fear_greed,
    "daily value 0-100 as dated by alternative.me; the days missing upstream stay missing",
)
NET_LIQUIDITY = Recipe(
    _FRED,
    (FRED_LIQUIDITY,),
    _net_liquidity,
    "WALCL - WTREGEN - RRPONTSYD in USD, weekly (Wednesday levels, RRP of the same Wednesday); from the daily "
    "ON RRP facility (2013-09-23); a Wednesday without an RRP value (holiday) is missing",
)
WALCL = _fred_recipe("WALCL", "Fed total assets, Wednesday level, USD (FRED: $M)")
WTREGEN = _fred_recipe("WTREGEN", "Treasury General Account, Wednesday level, USD (FRED: $M)")
RRPONTSYD = _fred_recipe(
    "RRPONTSYD",
    "overnight reverse repo, daily, USD (FRED: $B); before 2013-09-23 only on the rare days with an operation",
)
