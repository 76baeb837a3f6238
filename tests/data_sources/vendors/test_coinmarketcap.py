"""CoinMarketCap's data API: global metrics on recorded bodies, chunked and paced fetches against a fake
upstream, short answers refused; OTHERS from a day's ranking and that day's total."""

from __future__ import annotations

import itertools
import json

import pandas as pd
import pytest

from data_sources.base import FetchError, ParseError
from data_sources.vendors import coinmarketcap
from data_sources.vendors.coinmarketcap import BTC, CoinMarketCap, others, top_caps
from tests.data_sources.fake_upstream import Reply, Upstream
from tests.data_sources.vendors.conftest import fixture_bytes

JAN_2020 = "coinmarketcap/global_metrics_historical_BTC_2020-01.json"
PATH = "/global-metrics/quotes/historical"


def test_global_metrics_label_each_snapshot_by_the_day_it_closes() -> None:
    payload = fixture_bytes(JAN_2020)
    total = CoinMarketCap("totalMarketCap", convert_id=BTC).parse(payload, "total_mcap")
    dominance = CoinMarketCap("btcDominance", convert_id=BTC).parse(payload, "btc_dominance")
    # Stamped 2020-01-01 00:00 UTC: the close of 2019-12-31.
    assert total.index[0] == pd.Timestamp("2019-12-31") and len(total) == 30
    assert total.iloc[0] == pytest.approx(26_548_681.5) and dominance.iloc[0] == pytest.approx(68.3033)
    # dominance x total is BTC's supply: it grows by about a day of mining (~1,800 BTC at 12.5 BTC a block).
    supply = (dominance / 100 * total).diff().dropna()
    assert supply.between(1_000, 2_600).all()


def test_the_two_recorded_bodies_agree_and_zeros_are_not_values() -> None:
    short = CoinMarketCap("altcoinMarketCap", convert_id=BTC).parse(
        fixture_bytes("coinmarketcap/global_metrics_historical_BTC_2020-01-01_02.json"), "altcoin_mcap"
    )
    month = CoinMarketCap("altcoinMarketCap", convert_id=BTC).parse(fixture_bytes(JAN_2020), "altcoin_mcap")
    pd.testing.assert_series_equal(short, month.iloc[:2], check_freq=False)
    with pytest.raises(ParseError, match="no data points"):  # CMC had no ETH dominance in early 2020: all 0
        CoinMarketCap("ethDominance", convert_id=BTC).parse(fixture_bytes(JAN_2020), "eth_dominance")


def test_a_body_in_another_currency_is_refused() -> None:
    with pytest.raises(ParseError, match="quote in convertId 1, not 2781"):
        CoinMarketCap("totalMarketCap").parse(fixture_bytes(JAN_2020), "total_mcap")


def _window_answer(upstream: Upstream, *, short: bool = False) -> None:
    """Answer each window with the recorded January 2020 quotes re-stamped over the requested days."""
    template = json.loads(fixture_bytes(JAN_2020))

    def answer(query: dict[str, str]) -> Reply:
        days = pd.date_range(pd.Timestamp(int(query["timeStart"]), unit="s"),
                             pd.Timestamp(int(query["timeEnd"]), unit="s"), freq="D")  # fmt: skip
        days = days[: len(days) // 2] if short else days
        quote = template["data"]["quotes"][0]
        quotes = [quote | {"timestamp": f"{day:%Y-%m-%d}T00:00:00.000Z"} for day in days]
        return Reply(200, json.dumps({"data": {"quotes": quotes}, "status": template["status"]}).encode())

    upstream.routes[PATH] = answer


def test_fetch_asks_for_the_whole_history_in_paced_chunks(upstream: Upstream, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(coinmarketcap, "CHUNK_DAYS", 1000)
    _window_answer(upstream)
    pauses: list[float] = []
    adapter = CoinMarketCap("totalMarketCap", convert_id=BTC, api=upstream.url, sleep=pauses.append)
    series = adapter.parse(adapter.fetch("total_mcap"), "total_mcap")
    windows = [(int(q["timeStart"]), int(q["timeEnd"])) for _, q in upstream.requests]
    assert len(windows) >= 5 and all(q["convertId"] == "1" and q["interval"] == "1d" for _, q in upstream.requests)
    assert windows[0][0] == pd.Timestamp("2013-04-28").timestamp()
    assert all(end + 86_400 == start for (_, end), (start, _) in itertools.pairwise(windows))
    assert pauses == [coinmarketcap.PACE_SECONDS] * (len(windows) - 1)
    assert series.index[0] == pd.Timestamp("2013-04-27") and series.index.is_unique


def test_a_short_answer_is_a_failure_not_a_shorter_history(upstream: Upstream) -> None:
    _window_answer(upstream, short=True)
    adapter = CoinMarketCap("totalMarketCap", convert_id=BTC, api=upstream.url, sleep=lambda _: None)
    with pytest.raises(FetchError, match=r"short answer: asked 2013-04-28\.\.\S+, got 2013-04-28\.\."):
        adapter.fetch("total_mcap")
    assert len(upstream.requests) == 1


def test_others_is_the_total_minus_that_days_top_ten_stablecoins_included() -> None:
    listing = fixture_bytes("coinmarketcap/listing_latest_2026-06-07.json")
    total = float(json.loads(fixture_bytes("coinmarketcap/global_metrics_latest_2026-06-07.json"))["data"]["quotes"][0]
                  ["totalMarketCap"])  # fmt: skip
    top = top_caps(listing, series_id="others_mcap")
    assert list(top.index) == ["BTC", "ETH", "USDT", "BNB", "USDC", "XRP", "SOL", "TRX", "HYPE", "DOGE"]
    assert others(listing, total, series_id="others_mcap") == pytest.approx(total - top.sum())
    assert others(listing, total, series_id="others_mcap") / total == pytest.approx(0.0876, abs=1e-4)
    historical = fixture_bytes("coinmarketcap/listings_historical_documented_shape.json")
    pd.testing.assert_series_equal(top_caps(historical, series_id="others_mcap"), top)


def test_others_refuses_a_listing_that_does_not_fit_the_total() -> None:
    listing = fixture_bytes("coinmarketcap/listing_latest_2026-06-07.json")
    with pytest.raises(ParseError, match="does not fit in total"):
        others(listing, 1e12, series_id="others_mcap")
    short = json.dumps({"data": json.loads(listing)["data"]["cryptoCurrencyList"][:9]}).encode()
    with pytest.raises(ParseError, match="fewer than 10 coins"):
        top_caps(short, series_id="others_mcap")
