"""CoinMarketCap's keyless data API: global metrics history (total and altcoin cap, BTC/ETH dominance) and each
day's ranking (for OTHERS, the total minus the top 10)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import pandas as pd

from data_sources.base import FetchError, ParseError
from data_sources.http import get_bytes
from data_sources.vendors import closed_day, daily_series, decode_json, payload_shape

API = "https://api.coinmarketcap.com/data-api/v3"
USD, BTC = 2781, 1  # CMC's convertId of the quote currency
FIRST_DAY = pd.Timestamp("2013-04-28")  # the first day CMC's global metrics cover
CHUNK_DAYS = 2000  # days per request; the API answers up to about 2,200 daily points at once
PACE_SECONDS = 2.0  # between two requests to the data API, which blocks clients that hurry
TOP = 10  # OTHERS = total minus the TOP largest coins (TradingView's definition)

Metric = Literal["totalMarketCap", "altcoinMarketCap", "btcDominance", "ethDominance"]
_QUOTE_METRICS = ("totalMarketCap", "altcoinMarketCap")  # per-currency figures sit in quote[0]


def _status_error(body: dict[str, Any]) -> str | None:
    """The API's own error message, if its status says the call failed. Re-serialised copies wrap each status
    scalar in a one-element list; the API itself sends the error code as the string "0" on success."""
    status = body.get("status", {})
    code, message = status.get("error_code", "0"), status.get("error_message", "")
    code, message = (value[0] if isinstance(value, list) and value else value for value in (code, message))
    return None if str(code) == "0" else f"API error {code}: {message}"


def _day_windows(start: pd.Timestamp, end: pd.Timestamp) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """[start, end] in consecutive windows of at most CHUNK_DAYS days."""
    edges = pd.date_range(start, end, freq=f"{CHUNK_DAYS}D")
    return [(left, min(left + pd.Timedelta(days=CHUNK_DAYS - 1), end)) for left in edges]


@dataclass(frozen=True)
class CoinMarketCap:
    """`/global-metrics/quotes/historical?convertId=..&timeStart=..&timeEnd=..&interval=1d`, one metric of it:
    `totalMarketCap` and `altcoinMarketCap` (total minus BTC, i.e. TOTAL2) in the quote currency, `btcDominance`
    and `ethDominance` in percent.

    fetch asks for the whole history in chunks, pausing between requests; a chunk that does not reach both ends of
    its window is a failure, never a shorter history. Day labels: each quote is a snapshot stamped 00:00 UTC, the
    close of the day before (on the recorded body BTC dominance x total cap, BTC's supply, matches Coin Metrics'
    supply of the previous day to 0.01%, and is 1,800 BTC, a day of mining, short of the stamped day's). A zero is
    CMC's placeholder for a metric it did not compute then (ETH dominance in early 2020), not a value: dropped."""

    metric: Metric
    convert_id: int = USD
    api: str = API
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)
    ttl_seconds: ClassVar[int] = 6 * 3600
    name: ClassVar[str] = "CoinMarketCap"

    def fetch(self, series_id: str) -> bytes:
        today = pd.Timestamp.now(tz="UTC").tz_localize(None).normalize()
        quotes: list[Any] = []
        for number, (start, end) in enumerate(_day_windows(FIRST_DAY, today)):
            if number:
                self.sleep(PACE_SECONDS)
            params = {
                "convertId": str(self.convert_id),
                "timeStart": str(int(start.timestamp())),
                "timeEnd": str(int(end.timestamp())),
                "interval": "1d",
            }
            url = f"{self.api}/global-metrics/quotes/historical"
            body = decode_json(get_bytes(url, source=self.name, series_id=series_id, params=params),
                               source=self.name, series_id=series_id)  # fmt: skip
            chunk = self._quotes(body, series_id)
            stamps = pd.DatetimeIndex([pd.Timestamp(quote["timestamp"]).tz_convert(None) for quote in chunk])
            # One day's slack at each end: CMC's first snapshot of a window may land on its second day.
            if stamps.empty or stamps.min() > start + pd.Timedelta(days=1) or stamps.max() < end - pd.Timedelta(days=1):
                span = "nothing" if stamps.empty else f"{stamps.min():%Y-%m-%d}..{stamps.max():%Y-%m-%d}"
                raise FetchError(
                    self.name, series_id, f"short answer: asked {start:%Y-%m-%d}..{end:%Y-%m-%d}, got {span}"
                )
            quotes.extend(chunk)
        return json.dumps({"data": {"quotes": quotes}, "status": {"error_code": "0"}}).encode()

    def _quotes(self, body: Any, series_id: str) -> list[Any]:
        with payload_shape(self.name, series_id):
            if error := _status_error(body):
                raise ParseError(self.name, series_id, error)
            quotes = body["data"]["quotes"]
            if not isinstance(quotes, list):
                raise ParseError(self.name, series_id, "expected a list of quotes")
            return quotes

    def parse(self, payload: bytes, series_id: str) -> pd.Series:
        quotes = self._quotes(decode_json(payload, source=self.name, series_id=series_id), series_id)
        with payload_shape(self.name, series_id):
            pairs = []
            for quote in quotes:
                money = quote["quote"][0]
                if str(money.get("name", self.convert_id)) != str(self.convert_id):
                    raise ParseError(self.name, series_id, f"quote in convertId {money['name']}, not {self.convert_id}")
                value = float((money if self.metric in _QUOTE_METRICS else quote)[self.metric])
                stamp = pd.Timestamp(quote["timestamp"]).tz_convert(None)
                pairs.append((closed_day(stamp), value if value > 0 else None))
        return daily_series(pairs, source=self.name, series_id=series_id)


LISTING_LIMIT = 25  # rows asked per day: the top 10 with room for ties and inactive rows


def fetch_listing(day: pd.Timestamp, *, series_id: str, api: str = API) -> bytes:
    """CMC's ranking of one UTC day: `/cryptocurrency/listings/historical?date=YYYY-MM-DD` (USD quotes)."""
    params = {"date": f"{day:%Y-%m-%d}", "start": "1", "limit": str(LISTING_LIMIT), "convertId": str(USD)}
    return get_bytes(f"{api}/cryptocurrency/listings/historical", source="CoinMarketCap", series_id=series_id,
                     params=params)  # fmt: skip


def top_caps(payload: bytes, *, series_id: str) -> pd.Series:
    """The TOP largest market caps (USD) of one listing, by symbol, largest first. Pure.

    Stablecoin rule: none is set aside. The top 10 is the top 10 by market cap, stablecoins included (USDT and
    USDC are in it today), as TradingView ranks for OTHERS. Accepts the historical listing (`data` is the list of
    coins, per CMC's documentation) and the latest listing (`data.cryptoCurrencyList`, recorded)."""
    source = "CoinMarketCap"
    body = decode_json(payload, source=source, series_id=series_id)
    with payload_shape(source, series_id):
        if error := _status_error(body):
            raise ParseError(source, series_id, error)
        coins = body["data"]
        coins = coins["cryptoCurrencyList"] if isinstance(coins, dict) else coins
        for coin in coins:
            if coin["quotes"][0].get("name", "USD") not in ("USD", str(USD)):
                raise ParseError(source, series_id, f"quote in {coin['quotes'][0]['name']}, not USD")
        # Symbols are not unique on CMC: a list, not a dict, keeps two coins that share one.
        caps = pd.Series(
            [float(coin["quotes"][0]["marketCap"]) for coin in coins], index=[coin["symbol"] for coin in coins]
        )
    if len(caps) < TOP or not (caps.nlargest(TOP) > 0).all():
        raise ParseError(source, series_id, f"listing has fewer than {TOP} coins with a market cap")
    return caps.nlargest(TOP)


def others(payload: bytes, total: float, *, series_id: str) -> float:
    """OTHERS for one day: the total crypto market cap minus the top 10 of that day's listing (both USD). Pure."""
    top = top_caps(payload, series_id=series_id)
    rest = total - float(top.sum())
    if not 0 < rest < total:
        raise ParseError("CoinMarketCap", series_id, f"top {TOP} sum {top.sum():.4g} does not fit in total {total:.4g}")
    return rest
