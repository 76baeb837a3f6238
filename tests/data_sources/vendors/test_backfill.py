"""The OTHERS backfill against a fake CoinMarketCap on 127.0.0.1: paced, stored as it goes, resumed after an
interruption without asking again for a day it has."""

from __future__ import annotations

import json
from pathlib import Path

import diskcache
import pandas as pd
import pytest

from data_sources import cli
from data_sources.backfill import Others, backfill_others, key, others_series, pending, ranked_days, schedule
from data_sources.base import FetchError, ParseError
from data_sources.vendors.coinmarketcap import BTC, CoinMarketCap
from tests.data_sources.fake_upstream import Reply, Upstream
from tests.data_sources.vendors.conftest import fixture_bytes

LISTING = json.loads(fixture_bytes("coinmarketcap/listings_historical_documented_shape.json"))
DAYS = list(pd.date_range("2024-03-01", "2024-03-08"))


def _serve_listings(upstream: Upstream, *, fail_on: str | None = None) -> None:
    """Each day's answer is the documented listing with BTC's cap set from the day, so days differ."""

    def answer(query: dict[str, str]) -> Reply:
        if query["date"] == fail_on:
            return Reply(404, b'{"status": {"error_code": "404"}}')
        coins = json.loads(json.dumps(LISTING["data"]))
        coins[0]["quotes"][0]["marketCap"] = 1e12 + pd.Timestamp(query["date"]).day
        return Reply(200, json.dumps({"data": coins, "status": LISTING["status"]}).encode())

    upstream.routes["/cryptocurrency/listings/historical"] = answer


def test_schedule_puts_sundays_first_and_covers_every_day_once() -> None:
    days = schedule(pd.Timestamp("2024-03-31"), start=pd.Timestamp("2024-03-01"))
    assert sorted(days) == list(pd.date_range("2024-03-01", "2024-03-31")) and len(set(days)) == 31
    assert all(day.day_of_week == 6 for day in days[:5]) and days[5].day_of_week != 6


def test_an_interrupted_backfill_resumes_without_refetching(upstream: Upstream, tmp_path: Path) -> None:
    store = diskcache.Cache(str(tmp_path))
    pauses: list[float] = []
    _serve_listings(upstream, fail_on="2024-03-05")
    with pytest.raises(FetchError, match="HTTP 404"):
        for _ in backfill_others(store, DAYS, api=upstream.url, sleep=pauses.append):
            pass
    assert [key(day) in store for day in DAYS] == [True] * 4 + [False] * 4
    assert pauses == [2.5] * 4  # between the five requests of the first run

    _serve_listings(upstream)
    asked_before = len(upstream.requests)
    done = list(backfill_others(store, DAYS, api=upstream.url, sleep=pauses.append))
    assert done == DAYS[4:] and pending(store, DAYS) == []
    assert [query["date"] for _, query in upstream.requests[asked_before:]] == [f"{d:%Y-%m-%d}" for d in DAYS[4:]]
    assert store[key(DAYS[0])] != store[key(DAYS[1])]


def test_others_series_subtracts_the_stored_top_ten_from_the_total() -> None:
    store = {key(DAYS[0]): 60.0, key(DAYS[2]): 70.0}
    total = pd.Series([100.0, 110.0, 120.0], index=pd.DatetimeIndex(DAYS[:3], name="date"))
    series = others_series(store, total)
    assert series.to_dict() == {DAYS[0]: 40.0, DAYS[2]: 50.0}


def test_riskon_backfill_resumes_and_others_follows_the_ranked_days(
    upstream: Upstream, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RISKON_CACHE_DIR", str(tmp_path))
    _serve_listings(upstream, fail_on="2024-03-04")
    assert cli.backfill(start="2024-03-01", end="2024-03-08", api=upstream.url, pace=0.0) == 1
    assert "run it again to resume" in capsys.readouterr().out
    _serve_listings(upstream)
    assert cli.backfill(start="2024-03-01", end="2024-03-08", api=upstream.url, pace=0.0) == 0
    out = capsys.readouterr().out
    assert "ranked already" in out and "to go" in out
    ranked = ranked_days()
    assert pending(ranked, DAYS) == [] and len(ranked) == 8
    ranked.cache.close()


def test_others_source_subtracts_ranked_days_from_cmc_totals() -> None:
    total = json.loads(fixture_bytes("coinmarketcap/global_metrics_historical_BTC_2020-01.json"))
    days = [pd.Timestamp(quote["timestamp"][:10]) for quote in total["data"]["quotes"]]
    payload = json.dumps({"top10": {key(days[3]): 1.0}, "total": total}).encode()
    source = Others(total=CoinMarketCap("totalMarketCap", convert_id=BTC))
    others = source.parse(payload, "others_mcap")
    assert len(others) == 1 and others.name == "others_mcap"
    with pytest.raises(ParseError, match="others_mcap"):
        source.parse(b'{"top10": {}}', "others_mcap")
