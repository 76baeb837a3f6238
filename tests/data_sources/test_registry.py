"""The registry: a source for every series, fallbacks in order, derived series, one error listing every failure."""

from __future__ import annotations

import pandas as pd
import pytest

from data_sources.base import FetchError, SourceError
from data_sources.catalog import SERIES_IDS
from data_sources.registry import Derived, Registry, default_sources

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


def _registry(**entries: object) -> Registry:
    """The default wiring (derived series included) with every vendor replaced by a fake."""
    up = FakeAdapter("up", b"1")
    wiring = {sid: entry if isinstance(entry, Derived) else (up,) for sid, entry in default_sources().items()}
    return Registry(wiring | entries)  # type: ignore[arg-type]


def test_every_series_has_a_source_and_each_adapter_names_its_series() -> None:
    sources = default_sources()
    assert set(sources) == set(SERIES_IDS)
    for series_id, entry in sources.items():
        if isinstance(entry, Derived):
            assert set(entry.inputs) <= set(SERIES_IDS)
            continue
        assert entry, series_id
        for adapter in entry:
            assert adapter.ttl_seconds > 0


def test_a_registry_missing_a_series_is_refused() -> None:
    with pytest.raises(ValueError, match="no live source for btc"):
        Registry({series_id: () for series_id in SERIES_IDS if series_id != "btc"})


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


def test_yahoo_falls_back_to_its_second_host() -> None:
    rut = default_sources()["rut"]
    assert not isinstance(rut, Derived)
    assert [adapter.name for adapter in rut] == ["Yahoo Finance", "Yahoo Finance (query1.finance.yahoo.com)"]
