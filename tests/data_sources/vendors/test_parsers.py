"""Every adapter of every series parses its fixture (a recorded real body where one exists, else the vendor's
documented shape, named so); day labels follow each vendor's rule; broken payloads raise a ParseError saying why."""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import replace

import pandas as pd
import pytest

from data_sources.backfill import Others, key
from data_sources.base import Adapter, ParseError
from data_sources.series import SERIES, Derived
from data_sources.snapshot import load
from data_sources.vendors.alpha_vantage import AlphaVantage
from data_sources.vendors.alternative_me import AlternativeMe
from data_sources.vendors.blockchain_info import BlockchainInfo
from data_sources.vendors.coinbase import Coinbase, pages
from data_sources.vendors.coingecko import CoinGecko
from data_sources.vendors.coinmarketcap import BTC, CoinMarketCap
from data_sources.vendors.defillama import DefiLlama
from data_sources.vendors.fred import BILLION, MILLION, Fred
from data_sources.vendors.ishares import IWM
from data_sources.vendors.yahoo import Yahoo
from tests.data_sources.vendors.conftest import fixture_bytes

# One fixture per adapter kind (the CoinGecko total has its own endpoint).
FIXTURES = {
    "Yahoo": "yahoo/chart_RUT_1mo_2026-08-22.json.gz",
    "CoinGecko": "coingecko/market_chart_bitcoin_documented_shape.json",
    "CoinGecko.total": "coingecko/global_market_cap_chart_documented_shape.json",
    "Coinbase": "coinbase/candles_BTC-USD_documented_shape.json",
    "BlockchainInfo": "blockchain_info/market-price_1year.json",
    "Fred": "fred/WALCL.csv",
    "AlphaVantage": "alpha_vantage/TIME_SERIES_DAILY_IWM_compact.csv",
    "DefiLlama": "defillama/stablecoincharts_usdt_documented_shape.json",
    "AlternativeMe": "alternative_me/fng_limit2.json",
    "CoinMarketCap": "coinmarketcap/global_metrics_historical_BTC_2020-01.json",
    "IShares": "ishares/IWM_fund_historical_documented_shape.xls",
}


def _on_its_fixture(adapter: Adapter) -> tuple[Adapter, bytes]:
    """The adapter, re-parametrised only for what its vendor's fixture holds (symbol, field, quote currency;
    host and every other parameter kept), and that fixture."""
    kind = type(adapter).__name__
    if isinstance(adapter, Others):  # ranked days from a backfill plus CMC's recorded total (in BTC)
        total = json.loads(fixture_bytes(FIXTURES["CoinMarketCap"]))
        days = [pd.Timestamp(quote["timestamp"][:10]) for quote in total["data"]["quotes"][:3]]
        payload = json.dumps({"top10": {key(day): 1.0 for day in days}, "total": total}).encode()
        return replace(adapter, total=replace(adapter.total, convert_id=BTC)), payload
    if isinstance(adapter, Yahoo):
        adapter = replace(adapter, symbol="^RUT")
    elif isinstance(adapter, CoinGecko):
        kind = "CoinGecko.total" if adapter == CoinGecko.total() else kind
        adapter = adapter if adapter == CoinGecko.total() else replace(adapter, path="coins/bitcoin/market_chart")
    elif isinstance(adapter, Fred):
        adapter = replace(adapter, symbol="WALCL")
    elif isinstance(adapter, CoinMarketCap):  # the recorded body is in BTC, and CMC had no ETH dominance then
        metric = "btcDominance" if adapter.metric == "ethDominance" else adapter.metric
        adapter = replace(adapter, convert_id=BTC, metric=metric)
    return adapter, fixture_bytes(FIXTURES[kind])


def _every_adapter() -> list[tuple[str, Adapter]]:
    chains: dict[str, tuple[Adapter, ...]] = {}
    for record in SERIES.values():
        if not isinstance(record.live, Derived):
            chains[record.id] = tuple(record.live)
    return [(sid, adapter) for sid, chain in chains.items() for adapter in chain]


@pytest.mark.parametrize(("series_id", "adapter"), _every_adapter(), ids=lambda value: str(value)[:40])
def test_every_adapter_of_every_series_parses_its_vendor_fixture(series_id: str, adapter: Adapter) -> None:
    assert adapter.name and adapter.ttl_seconds > 0
    on_fixture, payload = _on_its_fixture(adapter)
    series = on_fixture.parse(payload, series_id)
    assert series.name == series_id and series.index.name == "date" and series.index.is_monotonic_increasing
    assert series.index.is_unique and len(series) >= 2 and series.dtype == "float64"


@pytest.mark.parametrize(("series_id", "adapter"), _every_adapter(), ids=lambda value: str(value)[:40])
def test_a_truncated_body_is_a_parse_error_naming_vendor_and_series(series_id: str, adapter: Adapter) -> None:
    on_fixture, payload = _on_its_fixture(adapter)
    with pytest.raises(ParseError, match=rf"^{re.escape(adapter.name)} / {series_id}: ") as info:
        on_fixture.parse(payload[: len(payload) // 3], series_id)
    assert (info.value.source, info.value.series_id) == (adapter.name, series_id)


def test_yahoo_rut_matches_the_snapshot_and_ends_on_the_last_closed_session() -> None:
    full = Yahoo("^RUT").parse(fixture_bytes("yahoo/chart_RUT_1999-2026.json.gz"), "rut")
    both = pd.concat([full, load("rut")], axis=1, join="inner")
    assert len(both) > 6000 and ((both.iloc[:, 0] / both.iloc[:, 1] - 1).abs() < 1e-3).all()
    recent = Yahoo("^RUT").parse(fixture_bytes("yahoo/chart_RUT_1mo_2026-08-22.json.gz"), "rut")
    assert recent.index[-1] == pd.Timestamp("2026-08-21") and recent.iloc[-1] == pytest.approx(3017.87, abs=0.01)


def test_yahoo_btc_bars_are_labelled_by_the_utc_day_they_close_and_the_open_day_is_dropped() -> None:
    btc = Yahoo("BTC-USD").parse(fixture_bytes("yahoo/chart_BTC-USD_2014-2026.json.gz"), "btc")
    assert btc[btc > 100_000].index[0] == pd.Timestamp("2024-12-08")  # as on Coinbase's UTC closes
    recent = Yahoo("BTC-USD").parse(fixture_bytes("yahoo/chart_BTC-USD_1mo_2026-08-22.json.gz"), "btc")
    assert recent.index[-1] < pd.Timestamp("2026-08-22")  # recorded during 2026-08-22: that bar is no close


def test_yahoo_refuses_an_answer_for_another_symbol() -> None:
    with pytest.raises(ParseError, match=r"answer is for \^RUT, not IWM"):
        Yahoo("IWM").parse(fixture_bytes("yahoo/chart_RUT_1mo_2026-08-22.json.gz"), "iwm")


def test_yahoo_adjusted_reads_adjclose() -> None:
    body = json.loads(fixture_bytes("yahoo/chart_RUT_1mo_2026-08-22.json.gz"))
    body["chart"]["result"][0]["indicators"]["adjclose"][0]["adjclose"][-1] = 1.0
    payload = json.dumps(body).encode()
    assert Yahoo("^RUT", adjusted=True).parse(payload, "rut").iloc[-1] == 1.0
    assert Yahoo("^RUT").parse(payload, "rut").iloc[-1] != 1.0


def test_yahoo_drops_the_live_bar_while_the_session_is_open() -> None:
    body = json.loads(fixture_bytes("yahoo/chart_IWM_documented_shape.json"))
    meta = body["chart"]["result"][0]["meta"]
    meta["regularMarketTime"] = meta["currentTradingPeriod"]["regular"]["start"] + 600
    series = Yahoo("IWM", adjusted=True).parse(json.dumps(body).encode(), "iwm")
    assert series.index[-1] == pd.Timestamp("2026-02-19")


def test_coingecko_midnight_points_close_the_day_before_and_the_live_point_drops() -> None:
    day_ms = 1_700_000_000_000 - 1_700_000_000_000 % 86_400_000
    payload = json.dumps({"prices": [[day_ms, 1.0], [day_ms + 86_400_000, 2.0], [day_ms + 90_000_000, 3.0]]})
    series = CoinGecko.coin("bitcoin", "prices").parse(payload.encode(), "btc")
    start = pd.Timestamp(day_ms, unit="ms") - pd.Timedelta(days=1)
    assert series.to_dict() == {start: 1.0, start + pd.Timedelta(days=1): 2.0}


def test_blockchain_info_value_stamped_d_is_the_close_of_d_minus_1() -> None:
    series = BlockchainInfo("market-price").parse(fixture_bytes("blockchain_info/market-price_1year.json"), "btc")
    assert series.index[0] == pd.Timestamp("2021-07-09") and series.iloc[0] == 33818.52  # stamped 2021-07-10


def test_fred_reads_old_and_new_headers_missing_days_and_scales_units() -> None:
    walcl = Fred("WALCL", scale=MILLION).parse(fixture_bytes("fred/WALCL.csv"), "walcl")
    assert walcl.index[0] == pd.Timestamp("2002-12-18") and walcl.iloc[0] == 719_542e6
    assert (pd.DatetimeIndex(walcl.index).day_of_week == 2).all()  # Wednesdays
    new = b"observation_date,RRPONTSYD\n2024-01-02,700.5\n2024-01-03,.\n2024-01-04,\n2024-01-05,650\n"
    rrp = Fred("RRPONTSYD", scale=BILLION).parse(new, "rrpontsyd")
    assert rrp.to_dict() == {pd.Timestamp("2024-01-02"): 700.5e9, pd.Timestamp("2024-01-05"): 650e9}


@pytest.mark.parametrize(
    ("adapter", "series_id", "payload"),
    [
        (AlternativeMe(), "fear_greed", b'{"data": [{"value": "26", "time": "1783728000"}]}'),
        (AlternativeMe(), "fear_greed", b'{"data": [], "metadata": {"error": "Invalid limit"}}'),
        (CoinGecko.coin("bitcoin", "prices"), "btc", b'{"prices": {"bitcoin": 1}}'),
        (CoinGecko.coin("bitcoin", "prices"), "btc", b'{"status": {"error_code": 429, "error_message": "slow"}}'),
        (DefiLlama("1"), "usdt_supply", b'{"message": "not a list"}'),
        (DefiLlama("1"), "usdt_supply", b'[{"date": "1609459200", "totalCirculating": {"peggedUSD": 1}}]'),
        (Yahoo("^RUT"), "rut", b'{"chart": {"result": null, "error": {"code": "Not Found"}}}'),
        (Yahoo("^RUT"), "rut", b'{"chart": {"result": [{"meta": {}, "timestamp": [1], "indicators": {}}]}}'),
        (Yahoo("^RUT"), "rut", b"<html>502 Bad Gateway</html>"),
        (BlockchainInfo("market-price"), "btc", b'{"status": "error", "values": []}'),
        (Coinbase("BTC-USD"), "btc", b'{"message": "Unauthorized"}'),
        (Fred("CBBTCUSD"), "btc", b"observation_date,SOMETHING_ELSE\n2024-01-01,1\n"),
        (AlphaVantage("IWM"), "iwm", b'{"Information": "rate limit reached"}'),
        (AlphaVantage("IWM"), "iwm", b"date,price\n2024-01-01,1\n"),
        (CoinMarketCap("totalMarketCap"), "total_mcap", b'{"data": {}, "status": {"error_code": "500"}}'),
        (IWM, "iwm_flows", b"<html>Access denied</html>"),
    ],
)  # fmt: skip
def test_schema_changed_payloads_raise_parse_error(adapter: Adapter, series_id: str, payload: bytes) -> None:
    with pytest.raises(ParseError, match=rf"^{re.escape(adapter.name)} / {series_id}: "):
        adapter.parse(payload, series_id)


def test_coinbase_pages_cover_the_range_without_gaps_or_overlap() -> None:
    windows = pages(pd.Timestamp("2024-01-01"), pd.Timestamp("2025-06-30"))
    assert windows[0][0] == pd.Timestamp("2024-01-01") and windows[-1][1] == pd.Timestamp("2025-06-30")
    for (_, end), (start, _) in itertools.pairwise(windows):
        assert start - end == pd.Timedelta(days=1)
    assert all((end - start).days < 300 for start, end in windows)
