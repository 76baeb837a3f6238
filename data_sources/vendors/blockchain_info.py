"""blockchain.com charts: BTC market price and market cap (keyless fallbacks)."""

from __future__ import annotations

import pandas as pd

from data_sources.base import ParseError
from data_sources.http import get_bytes
from data_sources.vendors import daily_series, decode_json, payload_shape, unix_utc

API = "https://api.blockchain.info/charts/"
CHARTS = {"btc": "market-price", "btc_mcap": "market-cap"}


class BlockchainInfo:
    """`/charts/{chart}?timespan=all&format=json&sampled=false` -> values [{x: unix s, y: USD}]."""

    name = "blockchain.com"
    ttl_seconds = 3600

    def symbols(self) -> dict[str, str]:
        return dict(CHARTS)

    def fetch(self, series_id: str) -> bytes:
        params = {"timespan": "all", "format": "json", "sampled": "false"}
        return get_bytes(API + CHARTS[series_id], source=self.name, series_id=series_id, params=params)

    def parse(self, payload: bytes, series_id: str) -> pd.Series:
        body = decode_json(payload, source=self.name, series_id=series_id)
        with payload_shape(self.name, series_id):
            if body.get("status") != "ok":
                raise ParseError(self.name, series_id, f"status is {body.get('status')!r}, not 'ok'")
            pairs = [(unix_utc(point["x"]), point["y"]) for point in body["values"]]
        return daily_series(pairs, source=self.name, series_id=series_id)
