"""Resumable backfill of OTHERS (total crypto cap minus the top 10): one CoinMarketCap ranking per day, paced,
each day stored the moment it arrives so an interrupted run resumes where it stopped."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import diskcache
import pandas as pd

from data_sources.base import FetchError, validate_series
from data_sources.paths import backfill_dir
from data_sources.vendors import decode_json, payload_shape
from data_sources.vendors.coinmarketcap import API, CoinMarketCap, fetch_listing, top_caps

SERIES_ID = "others_mcap"
FIRST_DAY = pd.Timestamp("2017-01-01")
PACE_SECONDS = 2.5  # between two listing requests: CMC's data API blocks clients that go faster


def schedule(end: pd.Timestamp, *, start: pd.Timestamp = FIRST_DAY) -> list[pd.Timestamp]:
    """Every day in [start, end], Sundays first: a weekly history exists early, the daily one fills in after."""
    days = pd.date_range(start, end, freq="D")
    sundays = days[days.day_of_week == 6]
    return [*sundays, *days[days.day_of_week != 6]]


def key(day: pd.Timestamp) -> str:
    """The store key of one day's top-10 sum."""
    return f"{SERIES_ID}:top10:{day:%Y-%m-%d}"


def pending(store: Mapping[str, float], days: Iterable[pd.Timestamp]) -> list[pd.Timestamp]:
    """The days of `days` that the store does not hold yet."""
    return [day for day in days if key(day) not in store]


def backfill_others(
    store: MutableMapping[str, float],
    days: Iterable[pd.Timestamp],
    *,
    api: str = API,
    sleep: Callable[[float], None] = time.sleep,
    pace: float = PACE_SECONDS,
) -> Iterator[pd.Timestamp]:
    """Fetch each missing day's ranking, store the sum of its top 10 market caps (USD), yield the day.

    Days already in the store are skipped without a request; requests are `pace` seconds apart. A failure
    (FetchError, ParseError) ends the run with everything before it kept."""
    first = True
    for day in pending(store, days):
        if not first:
            sleep(pace)
        first = False
        payload = fetch_listing(day, series_id=SERIES_ID, api=api)
        store[key(day)] = float(top_caps(payload, series_id=SERIES_ID).sum())
        yield day


def others_series(store: Mapping[str, float], total: pd.Series) -> pd.Series:
    """OTHERS on every day that has both a stored top-10 sum and a total market cap (the same provider's)."""
    top10 = {day: store[key(day)] for day in total.index if key(day) in store}
    rest = total.loc[list(top10)] - pd.Series(top10, dtype="float64")
    return validate_series(rest, source="CoinMarketCap", series_id=SERIES_ID)


def ranked_days(directory: Path | None = None) -> diskcache.Index:
    """The backfill's store: one top-10 sum per ranked day, on disk, kept across runs."""
    return diskcache.Index(str(directory or backfill_dir()))


@dataclass(frozen=True)
class Others:
    """OTHERS as a live source: the days `riskon backfill others` has ranked (this host's backfill index) against
    CoinMarketCap's total of the same days. `fetch` reads both; `parse` subtracts (pure)."""

    total: CoinMarketCap = field(default_factory=lambda: CoinMarketCap("totalMarketCap"))
    directory: Callable[[], Path] = backfill_dir
    ttl_seconds: ClassVar[int] = 12 * 3600
    name: ClassVar[str] = "CoinMarketCap (OTHERS backfill)"

    def fetch(self, series_id: str) -> bytes:
        index = ranked_days(self.directory())
        top10 = {name: float(value) for name, value in index.items()}
        index.cache.close()
        if not top10:
            raise FetchError(self.name, series_id, "no ranked days yet: run `riskon backfill others`")
        total = json.loads(self.total.fetch(series_id))
        return json.dumps({"top10": top10, "total": total}).encode()

    def parse(self, payload: bytes, series_id: str) -> pd.Series:
        body = decode_json(payload, source=self.name, series_id=series_id)
        with payload_shape(self.name, series_id):
            top10 = {str(name): float(value) for name, value in body["top10"].items()}
            total = self.total.parse(json.dumps(body["total"]).encode(), series_id)
        return others_series(top10, total).rename(series_id)
