"""Coinbase Exchange public candles: daily closes of one product (BTC-USD)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from data_sources.base import ParseError
from data_sources.http import get_bytes
from data_sources.vendors import daily_series, decode_json, payload_shape, unix_utc

API = "https://api.exchange.coinbase.com"
FIRST_DAY = pd.Timestamp("2015-07-20")  # BTC-USD's first candle on Coinbase Exchange
PAGE_DAYS = 300  # the API's maximum candles per request


def pages(start: pd.Timestamp, end: pd.Timestamp) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """[start, end] cut into windows of at most PAGE_DAYS daily candles."""
    edges = pd.date_range(start, end, freq=f"{PAGE_DAYS}D")
    return [(left, min(left + pd.Timedelta(days=PAGE_DAYS - 1), end)) for left in edges]


@dataclass(frozen=True)
class Coinbase:
    """`/products/{product}/candles?granularity=86400`, paged; rows are [time, low, high, open, close, volume].

    Day labels: a candle's time is the start of its UTC day and its close the last trade of that day, so it is
    labelled by that day. fetch asks only for days that have closed (up to yesterday, UTC)."""

    product: str
    api: str = API
    ttl_seconds: ClassVar[int] = 3600
    name: ClassVar[str] = "Coinbase"

    def fetch(self, series_id: str) -> bytes:
        url = f"{self.api}/products/{self.product}/candles"
        yesterday = pd.Timestamp.now(tz="UTC").tz_localize(None).normalize() - pd.Timedelta(days=1)
        rows: list[object] = []
        for start, end in pages(FIRST_DAY, yesterday):
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
