"""DefiLlama stablecoins: circulating USD supply history per stablecoin and in total."""

from __future__ import annotations

import pandas as pd

from data_sources.base import ParseError
from data_sources.http import get_bytes
from data_sources.vendors import daily_series, decode_json, payload_shape, unix_utc

API = "https://stablecoins.llama.fi/stablecoincharts/all"
# DefiLlama's own asset ids; the total is every pegged-USD stablecoin it tracks.
ASSETS = {"usdt_supply": "1", "usdc_supply": "2", "stablecoin_supply": "all"}


class DefiLlama:
    """`stablecoincharts/all[?stablecoin=<id>]` -> totalCirculatingUSD.peggedUSD per day."""

    name = "DefiLlama"
    ttl_seconds = 3600

    def symbols(self) -> dict[str, str]:
        return dict(ASSETS)

    def fetch(self, series_id: str) -> bytes:
        asset = ASSETS[series_id]
        params = {} if asset == "all" else {"stablecoin": asset}
        return get_bytes(API, source=self.name, series_id=series_id, params=params)

    def parse(self, payload: bytes, series_id: str) -> pd.Series:
        body = decode_json(payload, source=self.name, series_id=series_id)
        if not isinstance(body, list):
            raise ParseError(self.name, series_id, "expected a list of daily points")
        with payload_shape(self.name, series_id):
            pairs = [(unix_utc(point["date"]), point["totalCirculatingUSD"]["peggedUSD"]) for point in body]
        return daily_series(pairs, source=self.name, series_id=series_id)
