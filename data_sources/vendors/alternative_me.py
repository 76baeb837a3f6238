"""alternative.me Crypto Fear & Greed index."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from data_sources.base import ParseError
from data_sources.http import get_bytes
from data_sources.vendors import daily_series, decode_json, payload_shape, unix_utc

API = "https://api.alternative.me/fng/"


@dataclass(frozen=True)
class AlternativeMe:
    """`/fng/?limit=0`: the whole daily history, newest first, values and timestamps as strings.

    Day labels: the index is published once a day at 00:00 UTC for that day and is labelled by it (it is a
    reading for the day, not a close)."""

    api: str = API
    ttl_seconds: ClassVar[int] = 3600
    name: ClassVar[str] = "alternative.me"

    def fetch(self, series_id: str) -> bytes:
        return get_bytes(self.api, source=self.name, series_id=series_id, params={"limit": "0", "format": "json"})

    def parse(self, payload: bytes, series_id: str) -> pd.Series:
        body = decode_json(payload, source=self.name, series_id=series_id)
        with payload_shape(self.name, series_id):
            if error := body.get("metadata", {}).get("error"):
                raise ParseError(self.name, series_id, f"API error: {error}")
            pairs = [(unix_utc(point["timestamp"]), float(point["value"])) for point in body["data"]]
        return daily_series(pairs, source=self.name, series_id=series_id)
