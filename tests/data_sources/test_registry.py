"""The registry: a source for every series, fallbacks in order, derived series, one error listing every failure."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from data_sources.base import FetchError, SourceError
from data_sources.registry import Registry
from data_sources.series import SERIES

DAYS = pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-03"], name="date")


class FakeAdapter:
    """An adapter whose fetch returns a fixed payload or raises; parse reads floats separated by commas."""

    def __init__(self, name: str, payload: bytes | None, ttl: int = 60) -> None:
        self.name = name
        self.ttl_seconds = ttl
        self.payload = payload
        self.fetched: list[str] = []

    def fetch(self, series_id: str) -> bytes:
        self.fetched.append(series_id)
        if self.payload is None:
            raise FetchError(self.name, series_id, "HTTP 503")
        return self.payload

    def parse(self, payload: bytes, series_id: str) -> pd.Series:
        values = [float(value) for value in payload.decode().split(",")]
        return pd.Series(values, index=DAYS[: len(values)], name=series_id)


def _registry(**entries: tuple[FakeAdapter, ...]) -> Registry:
    """The real records (derived series included) with every vendor replaced by a fake."""
    up = FakeAdapter("up", b"1")
    records = {
        sid: record if record.derived else replace(record, live=entries.get(sid, (up,)))
        for sid, record in SERIES.items()
    }
    return Registry(records)


def test_first_working_source_wins_and_later_ones_are_not_asked() -> None:
    down, up, spare = FakeAdapter("down", None), FakeAdapter("up", b"1,2", ttl=99), FakeAdapter("spare", b"7")
    fetched = _registry(btc=(down, up, spare)).fetch_series("btc")
    assert (fetched.source, fetched.ttl_seconds, fetched.series.tolist()) == ("up", 99, [1.0, 2.0])
    assert (down.fetched, spare.fetched) == (["btc"], [])


def test_when_every_source_fails_one_error_lists_them_all() -> None:
    registry = _registry(btc=(FakeAdapter("a", None), FakeAdapter("b", None)))
    with pytest.raises(SourceError, match=r"^live / btc: every source failed: a: HTTP 503; b: HTTP 503$"):
        registry.fetch_series("btc")


def test_derived_series_subtracts_on_common_dates_and_credits_its_inputs() -> None:
    registry = _registry(
        total_mcap=(FakeAdapter("T", b"10,20,30", ttl=50),),
        btc_mcap=(FakeAdapter("B", b"4,5"),),
        eth_mcap=(FakeAdapter("E", b"1,1,1"),),
    )
    total2 = registry.fetch_series("altcoin_mcap")
    assert total2.series.tolist() == [6.0, 15.0]
    assert total2.source == "T + B (total - BTC)" and total2.ttl_seconds == 50
    assert registry.fetch_series("altcoin_ex_eth_mcap").series.tolist() == [5.0, 14.0]
