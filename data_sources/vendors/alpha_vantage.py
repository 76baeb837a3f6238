"""Alpha Vantage TIME_SERIES_DAILY CSV: one symbol's unadjusted closes (needs ALPHAVANTAGE_API_KEY)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from data_sources.base import FetchError, ParseError
from data_sources.http import get_bytes
from data_sources.vendors import daily_series, decode_csv

API = "https://www.alphavantage.co/query"
ENV_KEY = "ALPHAVANTAGE_API_KEY"


@dataclass(frozen=True)
class AlphaVantage:
    """Daily bars of one symbol, newest first. The closes are NOT dividend-adjusted, unlike Yahoo's adjclose."""

    symbol: str
    api: str = API
    ttl_seconds: ClassVar[int] = 6 * 3600
    name: ClassVar[str] = "Alpha Vantage"

    def fetch(self, series_id: str) -> bytes:
        key = os.environ.get(ENV_KEY)
        if not key:
            raise FetchError(self.name, series_id, f"{ENV_KEY} is not set")
        params = {
            "function": "TIME_SERIES_DAILY",
            "symbol": self.symbol,
            "outputsize": "full",
            "datatype": "csv",
            "apikey": key,
        }
        return get_bytes(self.api, source=self.name, series_id=series_id, params=params)

    def parse(self, payload: bytes, series_id: str) -> pd.Series:
        if payload.lstrip().startswith(b"{"):
            # Rate limits and bad keys come back as HTTP 200 with a JSON note instead of CSV.
            raise ParseError(
                self.name, series_id, f"API message instead of data: {payload[:200].decode(errors='replace')}"
            )
        frame = decode_csv(payload, source=self.name, series_id=series_id)
        try:
            days = pd.to_datetime(frame["timestamp"], format="%Y-%m-%d")
            closes = pd.to_numeric(frame["close"])
        except (KeyError, ValueError) as exc:
            raise ParseError(self.name, series_id, f"unexpected CSV ({type(exc).__name__}: {exc})") from exc
        return daily_series(zip(days, closes, strict=True), source=self.name, series_id=series_id)
