"""Every adapter's parse on its fixture: real values come out; broken payloads raise a ParseError that says why."""

from __future__ import annotations

import itertools
import json

import pandas as pd
import pytest

from data_sources.base import Adapter, ParseError
from data_sources.snapshot import load
from data_sources.vendors.alpha_vantage import AlphaVantage
from data_sources.vendors.alternative_me import AlternativeMe
from data_sources.vendors.blockchain_info import BlockchainInfo
from data_sources.vendors.coinbase import Coinbase, pages
from data_sources.vendors.coingecko import CoinGecko
from data_sources.vendors.defillama import DefiLlama
from data_sources.vendors.fred import Fred
from data_sources.vendors.yahoo import Yahoo
from tests.conftest import FIXTURES

# (adapter, series, fixture, a real (day, value) the parse must return)
CASES: list[tuple[Adapter, str, str, str, float]] = [
    (AlternativeMe(), "fear_greed", "alternative_me/fng_limit2.json", "2026-07-11", 26.0),
    (BlockchainInfo(), "btc", "blockchain_info/market-price_1year.json", "2021-07-10", 33818.52),
    (Fred(), "btc", "fred/CBBTCUSD.csv", "2019-02-09", 3623.73),
    (AlphaVantage(), "iwm", "alpha_vantage/TIME_SERIES_DAILY_IWM_compact.csv", "2026-08-21", 299.94),
    (CoinGecko(), "btc", "coingecko/market_chart_bitcoin_built_from_snapshot.json", "2026-01-31", 84141.77856967277),
    (
        CoinGecko(),
        "btc_mcap",
        "coingecko/market_chart_bitcoin_built_from_snapshot.json",
        "2026-01-31",
        1680807873673.85,
    ),
    (CoinGecko(), "total_mcap", "coingecko/global_market_cap_chart_built_from_snapshot.json", "2025-08-15", 4.0843e12),
    (DefiLlama(), "usdt_supply", "defillama/stablecoincharts_usdt_built_from_snapshot.json", "2026-08-22", 0.0),
    (Yahoo(), "rut", "yahoo/chart_RUT_built_from_snapshot.json", "2026-02-20", 2663.780029296875),
    (Yahoo(), "iwm", "yahoo/chart_IWM_built_from_snapshot.json", "2026-02-20", 264.6099853515625),
    (Coinbase(), "btc", "coinbase/candles_BTC-USD_built_from_yahoo.json", "2026-07-01", 60734.0),
]


@pytest.mark.parametrize(("adapter", "series_id", "fixture", "day", "value"), CASES)
def test_parse_returns_real_values_in_canonical_shape(
    adapter: Adapter, series_id: str, fixture: str, day: str, value: float
) -> None:
    series = adapter.parse((FIXTURES / fixture).read_bytes(), series_id)
    assert series.name == series_id and series.index.name == "date" and series.index.is_monotonic_increasing
    expected = value or float(load(series_id).loc[day])  # 0.0: the snapshot holds the value
    assert series.loc[day] == pytest.approx(expected, rel=1e-4)


@pytest.mark.parametrize(("adapter", "series_id", "fixture", "day", "value"), CASES)
def test_truncated_payload_is_a_parse_error_naming_source_and_series(
    adapter: Adapter, series_id: str, fixture: str, day: str, value: float
) -> None:
    payload = (FIXTURES / fixture).read_bytes()
    with pytest.raises(ParseError, match=rf"^{adapter.name} / {series_id}: ") as info:
        adapter.parse(payload[: len(payload) // 3], series_id)
    assert (info.value.source, info.value.series_id) == (adapter.name, series_id)


@pytest.mark.parametrize(
    ("adapter", "series_id", "payload"),
    [
        (AlternativeMe(), "fear_greed", b'{"data": [{"value": "26", "time": "1783728000"}]}'),
        (AlternativeMe(), "fear_greed", b'{"data": [], "metadata": {"error": "Invalid limit"}}'),
        (CoinGecko(), "btc", b'{"prices": {"bitcoin": 1}}'),
        (CoinGecko(), "btc", b'{"status": {"error_code": 429, "error_message": "rate limited"}}'),
        (DefiLlama(), "usdt_supply", b'{"message": "not a list"}'),
        (DefiLlama(), "usdt_supply", b'[{"date": "1609459200", "totalCirculating": {"peggedUSD": 1}}]'),
        (Yahoo(), "rut", b'{"chart": {"result": null, "error": {"code": "Not Found"}}}'),
        (Yahoo(), "rut", b'{"chart": {"result": [{"meta": {}, "timestamp": [1], "indicators": {}}]}}'),
        (BlockchainInfo(), "btc", b'{"status": "error", "values": []}'),
        (Coinbase(), "btc", b'{"message": "Unauthorized"}'),
        (Fred(), "btc", b"observation_date,SOMETHING_ELSE\n2024-01-01,1\n"),
        (AlphaVantage(), "iwm", b'{"Information": "rate limit reached"}'),
        (AlphaVantage(), "iwm", b"date,price\n2024-01-01,1\n"),
        (Yahoo(), "rut", b"<html>502 Bad Gateway</html>"),
    ],
)
def test_schema_changed_payloads_raise_parse_error(adapter: Adapter, series_id: str, payload: bytes) -> None:
    with pytest.raises(ParseError, match=rf"^{adapter.name} / {series_id}: "):
        adapter.parse(payload, series_id)


def test_fred_accepts_the_new_observation_date_header_and_missing_dots() -> None:
    old = (FIXTURES / "fred/CBBTCUSD.csv").read_text()
    lines = old.splitlines()
    new = "\n".join(["observation_date,CBBTCUSD", *lines[1:3], lines[3].split(",")[0] + ",.", ""]).encode()
    series = Fred().parse(new, "btc")
    assert len(series) == 2 and series.iloc[0] == 3623.73


def test_coingecko_keeps_the_last_reading_of_each_day() -> None:
    day_ms = 1_700_000_000_000 - 1_700_000_000_000 % 86_400_000
    payload = json.dumps({"prices": [[day_ms, 1.0], [day_ms + 3_600_000, 2.0], [day_ms + 86_400_000, 3.0]]})
    series = CoinGecko().parse(payload.encode(), "btc")
    assert series.tolist() == [2.0, 3.0]


def test_yahoo_drops_the_live_bar_while_the_session_is_open() -> None:
    body = json.loads((FIXTURES / "yahoo/chart_RUT_built_from_snapshot.json").read_text())
    meta = body["chart"]["result"][0]["meta"]
    meta["regularMarketTime"] = meta["currentTradingPeriod"]["regular"]["start"] + 600
    series = Yahoo().parse(json.dumps(body).encode(), "rut")
    assert series.index[-1] == pd.Timestamp("2026-02-19")


def test_yahoo_bars_land_on_the_new_york_trading_day() -> None:
    series = Yahoo().parse((FIXTURES / "yahoo/chart_RUT_built_from_snapshot.json").read_bytes(), "rut")
    pd.testing.assert_series_equal(series, load("rut").iloc[-10:], check_names=False)


def test_coinbase_pages_cover_the_range_without_gaps_or_overlap() -> None:
    windows = pages(pd.Timestamp("2024-01-01"), pd.Timestamp("2025-06-30"))
    assert windows[0][0] == pd.Timestamp("2024-01-01") and windows[-1][1] == pd.Timestamp("2025-06-30")
    for (_, end), (start, _) in itertools.pairwise(windows):
        assert start - end == pd.Timedelta(days=1)
    assert all((end - start).days < 300 for start, end in windows)
