"""FRED (St. Louis Fed) graph CSV: one series (CBBTCUSD, WALCL, WTREGEN, RRPONTSYD...)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from data_sources.base import ParseError
from data_sources.http import get_bytes
from data_sources.vendors import daily_series, decode_csv

API = "https://fred.stlouisfed.org/graph/fredgraph.csv"
# Older downloads name the date column DATE, newer ones observation_date.
DATE_COLUMNS = ("observation_date", "DATE")
MILLION, BILLION = 1e6, 1e9


@dataclass(frozen=True)
class Fred:
    """`fredgraph.csv?id=<symbol>`: two columns, date and value, '.' (or empty) for a missing day.

    `scale` turns FRED's unit into riskon's: WALCL and WTREGEN are in millions of USD (`scale=MILLION`),
    RRPONTSYD in billions (`scale=BILLION`). Weekly series (WALCL, WTREGEN) are stamped on their Wednesday.
    Day labels: FRED's date is kept; for CBBTCUSD it is the UTC day whose Coinbase close it is (on the recorded
    body it matches Coinbase's own daily closes to a median 0.05%, against 1.5% one day off)."""

    symbol: str
    scale: float = 1.0
    api: str = API
    ttl_seconds: ClassVar[int] = 6 * 3600
    name: ClassVar[str] = "FRED"

    def fetch(self, series_id: str) -> bytes:
        return get_bytes(self.api, source=self.name, series_id=series_id, params={"id": self.symbol})

    def parse(self, payload: bytes, series_id: str) -> pd.Series:
        frame = decode_csv(payload, source=self.name, series_id=series_id)
        date_column = next((column for column in DATE_COLUMNS if column in frame.columns), None)
        if date_column is None or self.symbol not in frame.columns:
            raise ParseError(self.name, series_id, f"expected columns DATE/observation_date and {self.symbol}")
        try:
            days = pd.to_datetime(frame[date_column], format="%Y-%m-%d")
            values = pd.to_numeric(frame[self.symbol]) * self.scale
        except (ValueError, TypeError) as exc:
            raise ParseError(self.name, series_id, f"unreadable rows ({exc})") from exc
        return daily_series(zip(days, values, strict=True), source=self.name, series_id=series_id)
