"""Adapters' fetches against a fake upstream on 127.0.0.1: the request each sends, and paging."""

from __future__ import annotations

import json

import pandas as pd

from data_sources.vendors.coinbase import Coinbase
from data_sources.vendors.ishares import IShares
from tests.data_sources.fake_upstream import Reply, Upstream
from tests.data_sources.vendors.conftest import fixture_bytes


def test_coinbase_pages_the_whole_history_and_asks_only_for_closed_days(upstream: Upstream) -> None:
    candles = json.loads(fixture_bytes("coinbase/candles_BTC-USD_documented_shape.json"))
    upstream.routes["/products/BTC-USD/candles"] = lambda query: Reply(200, json.dumps(candles).encode())
    adapter = Coinbase("BTC-USD", api=upstream.url)
    body = json.loads(adapter.fetch("btc"))
    windows = [(pd.Timestamp(q["start"]), pd.Timestamp(q["end"])) for _, q in upstream.requests]
    yesterday = pd.Timestamp.now(tz="UTC").tz_localize(None).normalize() - pd.Timedelta(days=1)
    assert windows[0][0] == pd.Timestamp("2015-07-20") and windows[-1][1] == yesterday
    assert all(q["granularity"] == "86400" for _, q in upstream.requests)
    assert len(body) == len(candles) * len(windows)  # every page's rows, joined into one body


def test_ishares_asks_for_the_fund_download_of_its_product(upstream: Upstream) -> None:
    path = "/239710/ishares-russell-2000-etf/1521942788811.ajax"
    upstream.routes[path] = lambda query: Reply(200, fixture_bytes("ishares/IWM_fund_historical_documented_shape.xls"))
    adapter = IShares("239710", "ishares-russell-2000-etf", api=upstream.url)
    flows = adapter.parse(adapter.fetch("iwm_flows"), "iwm_flows")
    assert upstream.requests[0][1] == {
        "fileType": "xls",
        "fileName": "ishares-russell-2000-etf_fund",
        "dataType": "fund",
    }
    assert len(flows) == 2 and (flows < 0).all()  # IWM's shares outstanding fell over both spans
