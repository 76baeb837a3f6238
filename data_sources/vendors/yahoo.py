"""Yahoo Finance chart API v8: daily closes for ^RUT, IWM (adjusted) and BTC-USD."""

from __future__ import annotations

import pandas as pd

from data_sources.base import ParseError
from data_sources.http import get_bytes
from data_sources.vendors import daily_series, decode_json, payload_shape

# Yahoo serves the same chart API from two hosts; the second is the fallback when one is down or rate-limited.
HOSTS = ("query2.finance.yahoo.com", "query1.finance.yahoo.com")
SYMBOLS = {"rut": "^RUT", "iwm": "IWM", "btc": "BTC-USD"}


class Yahoo:
    """`/v8/finance/chart/{symbol}?interval=1d&range=max`; IWM uses adjclose to match the snapshot."""

    ttl_seconds = 4 * 3600

    def __init__(self, host: str = HOSTS[0]) -> None:
        self.host = host
        self.name = "Yahoo Finance" if host == HOSTS[0] else f"Yahoo Finance ({host})"

    def symbols(self) -> dict[str, str]:
        return dict(SYMBOLS)

    def fetch(self, series_id: str) -> bytes:
        params = {"interval": "1d", "range": "max", "events": "div,split"}
        url = f"https://{self.host}/v8/finance/chart/{SYMBOLS[series_id]}"
        return get_bytes(url, source=self.name, series_id=series_id, params=params)

    def parse(self, payload: bytes, series_id: str) -> pd.Series:
        body = decode_json(payload, source=self.name, series_id=series_id)
        with payload_shape(self.name, series_id):
            chart = body["chart"]
            if chart.get("error"):
                raise ParseError(self.name, series_id, f"Yahoo error: {chart['error']}")
            result = chart["result"][0]
            meta = result["meta"]
            indicators = result["indicators"]
            closes = indicators["adjclose"][0]["adjclose"] if series_id == "iwm" else indicators["quote"][0]["close"]
            # Bars are stamped at the session open in UTC; the exchange's own calendar date is the trading day.
            days = pd.to_datetime(result["timestamp"], unit="s", utc=True).tz_convert(meta["exchangeTimezoneName"])
            if len(closes) != len(days):
                raise ParseError(self.name, series_id, f"{len(days)} timestamps but {len(closes)} closes")
            pairs = list(zip(days.tz_localize(None), closes, strict=True))
            if _session_in_progress(meta):
                pairs = pairs[:-1]  # the last bar is a live quote, not a close
        return daily_series(pairs, source=self.name, series_id=series_id)


def _session_in_progress(meta: dict[str, object]) -> bool:
    """True while the regular session of the last bar has not closed yet."""
    period = meta.get("currentTradingPeriod")
    market_time = meta.get("regularMarketTime")
    if not isinstance(period, dict) or not isinstance(market_time, int):
        return False
    regular = period.get("regular", {})
    return bool(regular.get("start", 0) <= market_time < regular.get("end", 0))
