"""Coinbase Exchange public candles: BTC-USD daily closes (a keyless fallback for `btc`)."""

from __future__ import annotations

import json

import pandas as pd

from data_sources.base import ParseError
from data_sources.http import get_bytes
from data_sources.vendors import daily_series, decode_json, payload_shape, unix_utc

API = "https://api.exchange.coinbase.com/products/{product}/candles"
PRODUCTS = {"btc": "BTC-USD"}
FIRST_DAY = pd.Timestamp("2015-07-20")  # BTC-USD's first candle on Coinbase Exchange
PAGE_DAYS = 300  # the API's maximum candles per request


def pages(start: pd.Timestamp, end: pd.Timestamp) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """[start, end] cut into windows of at most PAGE_DAYS daily candles."""
    edges = pd.date_range(start, end, freq=f"{PAGE_DAYS}D")
    return [(left, min(left + pd.Timedelta(days=PAGE_DAYS - 1), end)) for left in edges]


class Coinbase:
    """`/products/BTC-USD/candles?granularity=86400`, paged; rows are [time, low, high, open, close, volume]."""

    name = "Coinbase"
    ttl_seconds = 3600

    def symbols(self) -> dict[str, str]:
        return dict(PRODUCTS)

    def fetch(self, series_id: str) -> bytes:
        url = API.format(product=PRODUCTS[series_id])
        today = pd.Timestamp.now(tz="UTC").tz_localize(None).normalize()
        rows: list[object] = []
        for start, end in pages(FIRST_DAY, today):
            params = {"granularity": "86400", "start": start.isoformat(), "end": end.isoformat()}
            page = get_bytes(url, source=self.name, series_id=series_id, params=params)
            rows.extend(decode_json(page, source=self.name, series_id=series_id))
        return json.dumps(rows).encode()

    def parse(self, payload: bytes, series_id: str) -> pd.Series:
        body = decode_json(payload, source=self.name, series_id=series_id)
        if not isinstance(body, list):
            raise ParseError(self.name, series_id, f"expected a list of candles, got {type(body).__name__}")
        with payload_shape(self.name, series_id):
            pairs = [(unix_utc(row[0]), float(row[4])) for row in body]
        return daily_series(pairs, source=self.name, series_id=series_id)
