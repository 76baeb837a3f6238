"""Rebuild the embedded snapshot (one tidy CSV per series) from the byte-exact raw files in snapshot/raw/.

Run `python -m data_sources.snapshot_build`; `tests/test_snapshot.py` checks the committed CSVs equal a rebuild.
Every value comes from a real upstream file; the only transforms are documented selections and sums.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from data_sources.base import DATE, validate_series
from data_sources.series import SERIES_IDS

SNAPSHOT_DIR = Path(__file__).with_name("snapshot")
RAW_DIR = SNAPSHOT_DIR / "raw"

COINGECKO_BTC = "alexanderthurn__beatthehodler/btc-usd-max.csv"
COINGECKO_ETH = "alexanderthurn__beatthehodler/eth-usd-max.csv"
YAHOO_RUT = "alitalbi__storage_data_fy/^RUT.csv"
YAHOO_IWM = "alitalbi__storage_data_fy/IWM.csv"
COINGECKO_TOTAL = "AlanCrespoMurilloIA__Bridgewater-Agents/total_mcap.csv"
COINGECKO_DOMINANCE = "AlanCrespoMurilloIA__Bridgewater-Agents/btc_dominance.csv"
COINGECKO_STABLES = "partrita__stablecoin-tracker/stablecoin_marketcap.csv"
ALTERNATIVE_FNG = "edwardchin811227__cryptofear-and-greed-index/fng.csv"

# Rows before this date in the CoinGecko export were merged by hand from another source (its README).
COINGECKO_PURE_FROM = pd.Timestamp("2013-04-28")
# The yfinance files are refreshed hourly; their last commit (2026-02-23) caught that day mid-session.
YAHOO_COMPLETE_BEFORE = pd.Timestamp("2026-02-23")
# USD stablecoins whose CoinGecko history in the tracker runs unbroken to its end. Left out: Falcon USD (tracking
# stops 2026-07-06), USDD (renamed mid-file, tracked from 2026-04 only) and four coins seen on a single day.
TOTAL_STABLECOINS = (
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


@dataclass(frozen=True)
class SnapshotSeries:
    """How one snapshot series is built, and the provenance it carries."""

    source: str
    files: tuple[str, ...]
    build: Callable[[Path], pd.Series]
    note: str


def _read(raw_dir: Path, name: str, **kwargs: object) -> pd.DataFrame:
    return pd.read_csv(raw_dir / name, encoding="utf-8-sig", **kwargs)  # type: ignore[call-overload]


def _dated(frame: pd.DataFrame, date_col: str, value_col: str) -> pd.Series:
    dates = pd.to_datetime(frame[date_col].astype(str).str[:10], format="%Y-%m-%d")
    return pd.Series(frame[value_col].to_numpy(dtype="float64"), index=pd.DatetimeIndex(dates, name=DATE))


def _coingecko_export(raw_dir: Path, name: str, column: str) -> pd.Series:
    series = _dated(_read(raw_dir, name), "snapped_at", column)
    return series[(series.index >= COINGECKO_PURE_FROM) & (series > 0)]


def _yahoo_close(raw_dir: Path, name: str) -> pd.Series:
    series = _dated(_read(raw_dir, name), "Date", "Close")
    return series[series.index < YAHOO_COMPLETE_BEFORE]


def _bridgewater(raw_dir: Path, name: str) -> pd.Series:
    return _dated(_read(raw_dir, name), "Date", "value")


def _altcoin_mcap(raw_dir: Path) -> pd.Series:
    total = _bridgewater(raw_dir, COINGECKO_TOTAL)
    dominance = _bridgewater(raw_dir, COINGECKO_DOMINANCE)
    return (total * (1 - dominance / 100)).dropna()


def _altcoin_ex_eth_mcap(raw_dir: Path) -> pd.Series:
    eth = _coingecko_export(raw_dir, COINGECKO_ETH, "market_cap")
    return (_altcoin_mcap(raw_dir) - eth).dropna()


def _stablecoin_caps(raw_dir: Path) -> pd.DataFrame:
    """Wide frame: one column per coin, last reading of each UTC day (recent rows are intraday)."""
    long = _read(raw_dir, COINGECKO_STABLES)
    long[DATE] = pd.to_datetime(long["date"].str[:10], format="%Y-%m-%d")
    long = long.drop_duplicates([DATE, "coin_name"], keep="last")
    return long.pivot(index=DATE, columns="coin_name", values="market_cap").sort_index()


def _stablecoin(raw_dir: Path, coin: str) -> pd.Series:
    return _stablecoin_caps(raw_dir)[coin].dropna().rename(None)


def _stablecoin_total(raw_dir: Path) -> pd.Series:
    caps = _stablecoin_caps(raw_dir)[list(TOTAL_STABLECOINS)]
    started = caps.notna().cummax()
    # A day counts only when every coin already tracked has a reading: no carried or invented values.
    complete = (caps.notna() | ~started).all(axis=1)
    return caps[complete].sum(axis=1, min_count=1).dropna()


def _fear_greed(raw_dir: Path) -> pd.Series:
    return _dated(_read(raw_dir, ALTERNATIVE_FNG), "date", "value")


SNAPSHOT: dict[str, SnapshotSeries] = {
    "btc": SnapshotSeries(
        "CoinGecko historical-data export",
        (COINGECKO_BTC,),
        lambda raw: _coingecko_export(raw, COINGECKO_BTC, "price"),
        "price at 00:00 UTC; rows before 2013-04-28 (hand-merged upstream) dropped",
    ),
    "btc_mcap": SnapshotSeries(
        "CoinGecko historical-data export",
        (COINGECKO_BTC,),
        lambda raw: _coingecko_export(raw, COINGECKO_BTC, "market_cap"),
        "market_cap at 00:00 UTC from 2013-04-28",
    ),
    "eth_mcap": SnapshotSeries(
        "CoinGecko historical-data export",
        (COINGECKO_ETH,),
        lambda raw: _coingecko_export(raw, COINGECKO_ETH, "market_cap"),
        "market_cap at 00:00 UTC; zero caps of the launch day dropped",
    ),
    "rut": SnapshotSeries(
        "Yahoo Finance via yfinance",
        (YAHOO_RUT,),
        lambda raw: _yahoo_close(raw, YAHOO_RUT),
        "^RUT close; the intraday row of 2026-02-23 dropped",
    ),
    "iwm": SnapshotSeries(
        "Yahoo Finance via yfinance",
        (YAHOO_IWM,),
        lambda raw: _yahoo_close(raw, YAHOO_IWM),
        "IWM close, dividend/split-adjusted (auto_adjust); the intraday row of 2026-02-23 dropped",
    ),
    "total_mcap": SnapshotSeries(
        "CoinGecko global market_cap_chart",
        (COINGECKO_TOTAL,),
        lambda raw: _bridgewater(raw, COINGECKO_TOTAL),
        "daily, forward-filled upstream over CoinGecko's missing days",
    ),
    "altcoin_mcap": SnapshotSeries(
        "CoinGecko global market_cap_chart and BTC dominance",
        (COINGECKO_TOTAL, COINGECKO_DOMINANCE),
        _altcoin_mcap,
        "TOTAL2 = total x (1 - BTC dominance / 100)",
    ),
    "altcoin_ex_eth_mcap": SnapshotSeries(
        "CoinGecko global market_cap_chart, BTC dominance and ETH export",
        (COINGECKO_TOTAL, COINGECKO_DOMINANCE, COINGECKO_ETH),
        _altcoin_ex_eth_mcap,
        "TOTAL3 = TOTAL2 - ETH market cap, where both exist (ETH export ends 2024-12-20)",
    ),
    "usdt_supply": SnapshotSeries(
        "CoinGecko stablecoin market caps",
        (COINGECKO_STABLES,),
        lambda raw: _stablecoin(raw, "Tether"),
        "Tether; last reading per UTC day; upstream lacks a few days in 2015-2016",
    ),
    "usdc_supply": SnapshotSeries(
        "CoinGecko stablecoin market caps",
        (COINGECKO_STABLES,),
        lambda raw: _stablecoin(raw, "USDC"),
        "USDC; last reading per UTC day",
    ),
    "stablecoin_supply": SnapshotSeries(
        "CoinGecko stablecoin market caps",
        (COINGECKO_STABLES,),
        _stablecoin_total,
        "sum of " + ", ".join(TOTAL_STABLECOINS) + "; each joins when its history starts; days missing a reading "
        "of an already-tracked coin are left out",
    ),
    "fear_greed": SnapshotSeries(
        "alternative.me Crypto Fear & Greed",
        (ALTERNATIVE_FNG,),
        _fear_greed,
        "daily value 0-100; the days missing upstream stay missing",
    ),
}


def build_series(series_id: str, raw_dir: Path = RAW_DIR) -> pd.Series:
    """One snapshot series in canonical shape, built from the raw files."""
    built = SNAPSHOT[series_id].build(raw_dir).sort_index()
    return validate_series(built, source="snapshot", series_id=series_id)


def manifest_entry(series_id: str, series: pd.Series) -> dict[str, object]:
    """Provenance written beside the CSVs: source, files, note, range and row count."""
    item = SNAPSHOT[series_id]
    return {
        "source": item.source,
        "files": list(item.files),
        "note": item.note,
        "first": series.index[0].date().isoformat(),
        "last": series.index[-1].date().isoformat(),
        "rows": len(series),
    }


def write_snapshot(out_dir: Path = SNAPSHOT_DIR, raw_dir: Path = RAW_DIR) -> dict[str, dict[str, object]]:
    """Write `<series>.csv` for every series plus `manifest.json`; return the manifest."""
    assert set(SNAPSHOT) <= set(SERIES_IDS), "a snapshot recipe for an unknown series"
    manifest = {}
    for series_id in (sid for sid in SERIES_IDS if sid in SNAPSHOT):
        series = build_series(series_id, raw_dir)
        series.rename("value").to_csv(out_dir / f"{series_id}.csv", date_format="%Y-%m-%d", float_format="%.10g")
        manifest[series_id] = manifest_entry(series_id, series)
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


if __name__ == "__main__":
    for sid, entry in write_snapshot().items():
        print(f"{sid:22} {entry['first']} -> {entry['last']}  {entry['rows']:>5} rows  {entry['source']}")
