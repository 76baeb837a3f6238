"""CoinGecko: one coin's market chart (price or market cap) or the global total market cap chart."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from data_sources.base import FetchError, ParseError
from data_sources.http import get_bytes
from data_sources.vendors import closed_day, daily_series, decode_json, payload_shape, unix_utc

PUBLIC_API = "https://api.coingecko.com/api/v3"
PRO_API = "https://pro-api.coingecko.com/api/v3"
ENV_PRO_KEY = "COINGECKO_API_KEY"
ENV_DEMO_KEY = "COINGECKO_DEMO_API_KEY"
TOTAL_PATH = "global/market_cap_chart"


def _api() -> tuple[str, dict[str, str]]:
    """Base URL and key header: a Pro key, else a Demo key, else the keyless public API (365 days of history)."""
    if key := os.environ.get(ENV_PRO_KEY):
        return PRO_API, {"x-cg-pro-api-key": key}
    if key := os.environ.get(ENV_DEMO_KEY):
        return PUBLIC_API, {"x-cg-demo-api-key": key}
    return PUBLIC_API, {}


@dataclass(frozen=True)
class CoinGecko:
    """`/coins/{id}/market_chart` (build with `CoinGecko.coin`) or `/global/market_cap_chart` (`CoinGecko.total`,
    paid plans only); `field` is the list of [ms, value] points to read.

    Day labels: daily points are snapshots stamped 00:00 UTC, so the point stamped D 00:00 is the close of D-1
    (shifted, CoinGecko's BTC matches Coinbase's UTC closes to a median 0.17%, unshifted 1.12%). The extra point
    CoinGecko appends for "now" is a reading of a day that has not closed: dropped."""

    path: str
    field: str
    ttl_seconds: ClassVar[int] = 3600
    name: ClassVar[str] = "CoinGecko"

    @classmethod
    def coin(cls, coin_id: str, field: str) -> CoinGecko:
        """A coin's `prices`, `market_caps` or `total_volumes`."""
        return cls(f"coins/{coin_id}/market_chart", field)

    @classmethod
    def total(cls) -> CoinGecko:
        """The total market cap of every coin CoinGecko tracks (needs a key)."""
        return cls(TOTAL_PATH, "market_cap")

    def fetch(self, series_id: str) -> bytes:
        base, headers = _api()
        url = f"{base}/{self.path}"
        if self.path == TOTAL_PATH:
            if not headers:
                raise FetchError(self.name, series_id, f"the total market cap chart needs {ENV_PRO_KEY}")
            return get_bytes(url, source=self.name, series_id=series_id, params={"days": "max"}, headers=headers)
        # Keyless and Demo access is limited to 365 days; a Pro key serves the whole history.
        days = "max" if base == PRO_API else "365"
        params = {"vs_currency": "usd", "days": days, "interval": "daily"}
        return get_bytes(url, source=self.name, series_id=series_id, params=params, headers=headers)

    def parse(self, payload: bytes, series_id: str) -> pd.Series:
        body = decode_json(payload, source=self.name, series_id=series_id)
        with payload_shape(self.name, series_id):
            points = body["market_cap_chart"][self.field] if self.path == TOTAL_PATH else body[self.field]
            if not isinstance(points, list):
                raise ParseError(self.name, series_id, f"expected a list of [ms, value] points in {self.field!r}")
            pairs = [(closed_day(unix_utc(at, "ms")), value) for at, value in points]
        return daily_series(pairs, source=self.name, series_id=series_id)  # readings that are no close drop out
