"""Yahoo Finance chart API v8: daily closes for one symbol (^RUT, IWM, BTC-USD...)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import urlsplit

import pandas as pd

from data_sources.base import ParseError
from data_sources.http import get_bytes
from data_sources.vendors import daily_series, decode_json, payload_shape

# Yahoo serves the same chart API from two hosts; the second is the fallback when one is down or rate-limited.
HOSTS = ("https://query2.finance.yahoo.com", "https://query1.finance.yahoo.com")


@dataclass(frozen=True)
class Yahoo:
    """`/v8/finance/chart/{symbol}?interval=1d&range=max`: closes, or dividend/split-adjusted closes (adjclose).

    Day labels: each bar is stamped at its session's open in UTC and labelled by the exchange's own calendar
    day (`exchangeTimezoneName`). For BTC-USD that zone is UTC and the bar stamped 00:00 UTC on D closes at the end
    of D, so a crypto bar is labelled by the UTC day whose close it is (checked on the recorded body: 2024-12-08 is
    BTC-USD's first close above $100k, as on Coinbase). A bar whose session is still open is dropped."""

    symbol: str
    adjusted: bool = False
    host: str = HOSTS[0]
    ttl_seconds: ClassVar[int] = 4 * 3600

    @property
    def name(self) -> str:
        return "Yahoo Finance" if self.host == HOSTS[0] else f"Yahoo Finance ({urlsplit(self.host).netloc})"

    def fetch(self, series_id: str) -> bytes:
        params = {"interval": "1d", "range": "max", "events": "div,split"}
        url = f"{self.host}/v8/finance/chart/{self.symbol}"  # requests percent-encodes ^ itself
        return get_bytes(url, source=self.name, series_id=series_id, params=params)

    def parse(self, payload: bytes, series_id: str) -> pd.Series:
        body = decode_json(payload, source=self.name, series_id=series_id)
        with payload_shape(self.name, series_id):
            chart = body["chart"]
            if chart.get("error"):
                raise ParseError(self.name, series_id, f"Yahoo error: {chart['error']}")
            result = chart["result"][0]
            meta = result["meta"]
            if meta.get("symbol", self.symbol) != self.symbol:
                raise ParseError(self.name, series_id, f"answer is for {meta['symbol']}, not {self.symbol}")
            indicators = result["indicators"]
            closes = indicators["adjclose"][0]["adjclose"] if self.adjusted else indicators["quote"][0]["close"]
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
