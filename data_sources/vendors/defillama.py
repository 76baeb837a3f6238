"""DefiLlama stablecoins: circulating USD supply history of one stablecoin or of all of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from data_sources.base import ParseError
from data_sources.http import get_bytes
from data_sources.vendors import daily_series, decode_json, payload_shape, unix_utc

API = "https://stablecoins.llama.fi"


@dataclass(frozen=True)
class DefiLlama:
    """`stablecoincharts/all[?stablecoin=<id>]` -> totalCirculatingUSD.peggedUSD per day. `stablecoin` is
    DefiLlama's asset id ("1" USDT, "2" USDC); None is every pegged-USD stablecoin it tracks.

    Day labels: DefiLlama stamps each daily reading at 00:00 UTC of its day and riskon keeps that label (no recorded
    body of this endpoint exists to check it against another vendor)."""

    stablecoin: str | None = None
    api: str = API
    ttl_seconds: ClassVar[int] = 3600
    name: ClassVar[str] = "DefiLlama"

    def fetch(self, series_id: str) -> bytes:
        params = {} if self.stablecoin is None else {"stablecoin": self.stablecoin}
        return get_bytes(f"{self.api}/stablecoincharts/all", source=self.name, series_id=series_id, params=params)

    def parse(self, payload: bytes, series_id: str) -> pd.Series:
        body = decode_json(payload, source=self.name, series_id=series_id)
        if not isinstance(body, list):
            raise ParseError(self.name, series_id, "expected a list of daily points")
        with payload_shape(self.name, series_id):
            pairs = [(unix_utc(point["date"]), point["totalCirculatingUSD"]["peggedUSD"]) for point in body]
        return daily_series(pairs, source=self.name, series_id=series_id)
