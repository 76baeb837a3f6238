"""CoinGecko: coin market charts (price, market cap) and the global total market cap chart."""

from __future__ import annotations

import os

import pandas as pd

from data_sources.base import FetchError, ParseError
from data_sources.http import get_bytes
from data_sources.vendors import daily_series, decode_json, payload_shape, unix_utc

PUBLIC_API = "https://api.coingecko.com/api/v3"
PRO_API = "https://pro-api.coingecko.com/api/v3"
ENV_PRO_KEY = "COINGECKO_API_KEY"
ENV_DEMO_KEY = "COINGECKO_DEMO_API_KEY"
TOTAL = "global"

# series id -> (coin id, field of the market_chart payload)
COINS: dict[str, tuple[str, str]] = {
    "btc": ("bitcoin", "prices"),
    "btc_mcap": ("bitcoin", "market_caps"),
    "eth_mcap": ("ethereum", "market_caps"),
    "usdt_supply": ("tether", "market_caps"),
    "usdc_supply": ("usd-coin", "market_caps"),
}


def _api() -> tuple[str, dict[str, str]]:
    """Base URL and key header: a Pro key, else a Demo key, else the keyless public API (365 days of history)."""
    if key := os.environ.get(ENV_PRO_KEY):
        return PRO_API, {"x-cg-pro-api-key": key}
    if key := os.environ.get(ENV_DEMO_KEY):
        return PUBLIC_API, {"x-cg-demo-api-key": key}
    return PUBLIC_API, {}


class CoinGecko:
    """`/coins/{id}/market_chart` per coin and `/global/market_cap_chart` (paid plans) for the total."""

    name = "CoinGecko"
    ttl_seconds = 3600

    def symbols(self) -> dict[str, str]:
        return {series_id: coin for series_id, (coin, _) in COINS.items()} | {"total_mcap": TOTAL}

    def fetch(self, series_id: str) -> bytes:
        base, headers = _api()
        if series_id == "total_mcap":
            if not headers:
                raise FetchError(self.name, series_id, f"the total market cap chart needs {ENV_PRO_KEY}")
            url = f"{base}/global/market_cap_chart"
            return get_bytes(url, source=self.name, series_id=series_id, params={"days": "max"}, headers=headers)
        coin, _ = COINS[series_id]
        # Keyless and Demo access is limited to 365 days; a Pro key serves the whole history.
        days = "max" if base == PRO_API else "365"
        params = {"vs_currency": "usd", "days": days, "interval": "daily"}
        url = f"{base}/coins/{coin}/market_chart"
        return get_bytes(url, source=self.name, series_id=series_id, params=params, headers=headers)

    def parse(self, payload: bytes, series_id: str) -> pd.Series:
        body = decode_json(payload, source=self.name, series_id=series_id)
        with payload_shape(self.name, series_id):
            if series_id == "total_mcap":
                points = body["market_cap_chart"]["market_cap"]
            else:
                points = body[COINS[series_id][1]]
            if not isinstance(points, list):
                raise ParseError(self.name, series_id, "expected a list of [ms, value] points")
            # CoinGecko appends a live point for "now": keeping the last reading per day keeps it as today's value.
            pairs = [(unix_utc(at, "ms"), value) for at, value in points]
        return daily_series(pairs, source=self.name, series_id=series_id)
