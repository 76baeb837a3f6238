"""The canonical series shape, the typed errors and the adapter contract shared by every source."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

DATE = "date"


class SourceError(Exception):
    """A source could not deliver a series; the message names the source and the series."""

    def __init__(self, source: str, series_id: str, reason: str) -> None:
        super().__init__(f"{source} / {series_id}: {reason}")
        self.source = source
        self.series_id = series_id
        self.reason = reason


class FetchError(SourceError):
    """The request failed: network error, timeout, or an HTTP error status after retries."""


class ParseError(SourceError):
    """The payload arrived but does not have the documented shape."""


class UnknownSeriesError(KeyError):
    """A series id that the catalog does not know."""


class Adapter(Protocol):
    """One vendor endpoint for one series, parametrised by its instance (symbol, field, host...).

    `fetch` is the only I/O (through data_sources.http); `parse` is pure and tested on recorded payloads. The
    series id is passed only so that errors can name the series.
    """

    @property
    def name(self) -> str:
        """The vendor credit shown beside the data, e.g. "Yahoo Finance"."""
        ...

    @property
    def ttl_seconds(self) -> int:
        """How long a fetched copy stays fresh."""
        ...

    def fetch(self, series_id: str) -> bytes:
        """Download the raw payload (several requests are joined into one body where the vendor pages)."""
        ...

    def parse(self, payload: bytes, series_id: str) -> pd.Series:
        """Turn a raw payload into a canonical series (see `validate_series`)."""
        ...


@dataclass(frozen=True)
class Fetched:
    """A series freshly delivered by a live source, with how long it may be cached."""

    series: pd.Series
    source: str
    ttl_seconds: int


class LiveSource(Protocol):
    """Delivers whole histories from upstream, trying each vendor in turn; raises SourceError when all fail."""

    def fetch_series(self, series_id: str) -> Fetched: ...


def validate_series(values: pd.Series, *, source: str, series_id: str) -> pd.Series:
    """Return `values` in the canonical shape or raise ParseError.

    Canonical: float64 values, finite, not empty, on a tz-naive daily DatetimeIndex named `date`
    (datetime64[us], pandas 3's default) at midnight, ascending and unique.
    """

    def fail(reason: str) -> ParseError:
        return ParseError(source, series_id, reason)

    if not isinstance(values, pd.Series):
        raise fail(f"expected a pandas Series, got {type(values).__name__}")
    if values.empty:
        raise fail("no data points")
    index = values.index
    if not isinstance(index, pd.DatetimeIndex):
        raise fail(f"index is {type(index).__name__}, not a DatetimeIndex")
    if index.tz is not None:
        raise fail("index is timezone-aware; convert to a naive UTC date first")
    if not (index == index.normalize()).all():
        raise fail("index has intraday timestamps; expected one point per calendar day")
    if not index.is_unique:
        raise fail(f"{int(index.duplicated().sum())} duplicate dates")
    if not index.is_monotonic_increasing:
        raise fail("dates are not ascending")
    try:
        floats = values.astype("float64")
    except (TypeError, ValueError) as exc:
        raise fail(f"values are not numeric ({exc})") from exc
    if not np.isfinite(floats.to_numpy()).all():
        raise fail("values contain NaN or infinity")
    floats.index = index.astype("datetime64[us]").rename(DATE)
    floats.name = series_id
    return floats
