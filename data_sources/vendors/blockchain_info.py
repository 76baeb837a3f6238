"""blockchain.com charts: one chart's daily values (BTC market price, market cap)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from data_sources.base import ParseError
from data_sources.http import get_bytes
from data_sources.vendors import closed_day, daily_series, decode_json, payload_shape, unix_utc

API = "https://api.blockchain.info"


@dataclass(frozen=True)
class BlockchainInfo:
    """`/charts/{chart}?timespan=all&format=json&sampled=false` -> values [{x: unix s, y: USD}].

    Day labels: points are stamped 00:00 UTC, and the value stamped D is the close of D-1: on the recorded body
    (2021-07 to 2022-07) it matches Coinbase's UTC close of D-1 to a median 0.05% and that of D to 2.1%."""

    chart: str
    api: str = API
    ttl_seconds: ClassVar[int] = 3600
    name: ClassVar[str] = "blockchain.com"

    def fetch(self, series_id: str) -> bytes:
        params = {"timespan": "all", "format": "json", "sampled": "false"}
        return get_bytes(f"{self.api}/charts/{self.chart}", source=self.name, series_id=series_id, params=params)

    def parse(self, payload: bytes, series_id: str) -> pd.Series:
        body = decode_json(payload, source=self.name, series_id=series_id)
        with payload_shape(self.name, series_id):
            if body.get("status") != "ok":
                raise ParseError(self.name, series_id, f"status is {body.get('status')!r}, not 'ok'")
            pairs = [(closed_day(unix_utc(point["x"])), point["y"]) for point in body["values"]]
        return daily_series(pairs, source=self.name, series_id=series_id)
