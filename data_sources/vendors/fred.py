"""FRED (St. Louis Fed) graph CSV: Coinbase BTC price series CBBTCUSD (a keyless fallback for `btc`)."""

from __future__ import annotations

import pandas as pd

from data_sources.base import ParseError
from data_sources.http import get_bytes
from data_sources.vendors import daily_series, decode_csv

API = "https://fred.stlouisfed.org/graph/fredgraph.csv"
SERIES = {"btc": "CBBTCUSD"}
# Older downloads name the date column DATE, newer ones observation_date.
DATE_COLUMNS = ("observation_date", "DATE")


class Fred:
    """`fredgraph.csv?id=<series>`: two columns, date and value, '.' for a missing day."""

    name = "FRED"
    ttl_seconds = 6 * 3600

    def symbols(self) -> dict[str, str]:
        return dict(SERIES)

    def fetch(self, series_id: str) -> bytes:
        return get_bytes(API, source=self.name, series_id=series_id, params={"id": SERIES[series_id]})

    def parse(self, payload: bytes, series_id: str) -> pd.Series:
        frame = decode_csv(payload, source=self.name, series_id=series_id)
        date_column = next((column for column in DATE_COLUMNS if column in frame.columns), None)
        symbol = SERIES[series_id]
        if date_column is None or symbol not in frame.columns:
            raise ParseError(self.name, series_id, f"expected columns DATE/observation_date and {symbol}")
        try:
            days = pd.to_datetime(frame[date_column], format="%Y-%m-%d")
            values = pd.to_numeric(frame[symbol])
        except (ValueError, TypeError) as exc:
            raise ParseError(self.name, series_id, f"unreadable rows ({exc})") from exc
        return daily_series(zip(days, values, strict=True), source=self.name, series_id=series_id)
