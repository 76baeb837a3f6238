"""Vendor adapters: `fetch` does the I/O through data_sources.http, `parse` is pure; helpers shared by parsers."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd

from data_sources.base import DATE, ParseError, validate_series


@contextmanager
def payload_shape(source: str, series_id: str) -> Iterator[None]:
    """Turn the lookup errors of a payload that lost its documented shape into one ParseError."""
    try:
        yield
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise ParseError(source, series_id, f"unexpected payload shape ({type(exc).__name__}: {exc})") from exc


def decode_json(payload: bytes, *, source: str, series_id: str) -> Any:
    """JSON from bytes, or a ParseError that says the body was not JSON (truncated, HTML error page...)."""
    try:
        return json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(source, series_id, f"body is not valid JSON ({exc})") from exc


def daily_series(
    points: Iterable[tuple[pd.Timestamp | None, float | None]], *, source: str, series_id: str
) -> pd.Series:
    """(timestamp, value) points -> canonical series: points with a null day or value dropped, one point per day
    (the day's last reading)."""
    frame = pd.DataFrame(list(points), columns=["at", "value"]).dropna()
    if frame.empty:
        raise ParseError(source, series_id, "no data points")
    days = pd.DatetimeIndex(frame["at"]).normalize()
    values = pd.Series(frame["value"].astype("float64").to_numpy(), index=pd.DatetimeIndex(days, name=DATE))
    values = values.sort_index(kind="stable")
    return validate_series(values[~values.index.duplicated(keep="last")], source=source, series_id=series_id)


def unix_utc(seconds: float | str, unit: str = "s") -> pd.Timestamp:
    """A naive UTC timestamp from unix seconds (or milliseconds with unit='ms')."""
    return pd.Timestamp(float(seconds), unit=unit)


def closed_day(at: pd.Timestamp) -> pd.Timestamp | None:
    """The UTC day whose close a snapshot stamped exactly at 00:00 UTC is (the day before); None for a reading
    taken during a day, which is not a close yet."""
    if at != at.normalize():
        return None
    return at - pd.Timedelta(days=1)


def decode_csv(payload: bytes, *, source: str, series_id: str) -> pd.DataFrame:
    """A CSV body as a frame; a body cut off mid-row (no final newline) or not CSV at all is a ParseError."""
    if not payload.endswith(b"\n"):
        raise ParseError(source, series_id, "CSV body is truncated (no final newline)")
    try:
        return pd.read_csv(io.BytesIO(payload), na_values=["."])
    except (ValueError, UnicodeDecodeError) as exc:
        raise ParseError(source, series_id, f"body is not CSV ({exc})") from exc
