from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
import redis

from data_sources import snapshot
from data_sources.base import FetchError, UnknownSeriesError
from data_sources.store import CacheBackend, Fetched, Store, open_cache

DAYS = pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-03"], name="date")


class ScriptedSource:
    """A live source that replays a scripted sequence of results (series or exceptions) and counts calls."""

    def __init__(self, *results: pd.Series | Exception, ttl: int = 3600) -> None:
        self.results = list(results)
        self.calls = 0
        self.ttl = ttl

    def fetch_series(self, series_id: str) -> Fetched:
        self.calls += 1
        result = self.results.pop(0)
        if isinstance(result, Exception):
            raise result
        return Fetched(result, "vendor", self.ttl)


class Clock:
    def __init__(self) -> None:
        self.now = pd.Timestamp("2026-01-01 12:00")

    def __call__(self) -> pd.Timestamp:
        return self.now


@pytest.fixture(params=["diskcache", "redis"])
def open_shared(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], CacheBackend]:
    """Opens one shared cache again, as each worker does; store tests run on a diskcache directory and a real Redis."""
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        return lambda: open_cache(url=url)
    return lambda: open_cache(tmp_path / "cache")


@pytest.fixture
def cache(open_shared: Callable[[], CacheBackend]) -> CacheBackend:
    return open_shared()


def _values(*values: float) -> pd.Series:
    return pd.Series(values, index=DAYS[: len(values)], name="btc")


def _down() -> FetchError:
    return FetchError("vendor", "btc", "HTTP 503")


StoreFactory = Callable[..., Store]


@pytest.fixture
def make_store(cache: CacheBackend) -> StoreFactory:
    def make(source: ScriptedSource, mode: str = "live", retry_seconds: float = 0) -> Store:
        return Store(cache, mode=mode, live=source, retry_seconds=retry_seconds, now=Clock())  # type: ignore[arg-type]

    return make


def test_snapshot_panel_aligns_on_union_of_dates_without_filling(cache: CacheBackend) -> None:
    panel = Store(cache).panel(["btc", "iwm"], start="2024-01-05", end="2024-01-08")
    assert list(panel.frame.columns) == ["btc", "iwm"]
    assert [day.strftime("%a") for day in panel.frame.index] == ["Fri", "Sat", "Sun", "Mon"]
    assert panel.frame["btc"].notna().all()
    assert panel.frame["iwm"].isna().tolist() == [False, True, True, False]
    assert panel.meta["iwm"].source.startswith("snapshot (Yahoo")
    assert not panel.meta["iwm"].stale


def test_snapshot_panel_is_served_from_cache_when_warm(cache: CacheBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    first = Store(cache).panel(["rut"])
    monkeypatch.setattr(snapshot, "load", lambda series_id: pytest.fail("warm cache must not re-read CSVs"))
    pd.testing.assert_frame_equal(Store(cache).panel(["rut"]).frame, first.frame)


def test_unknown_series_is_an_error(cache: CacheBackend) -> None:
    with pytest.raises(UnknownSeriesError):
        Store(cache).panel(["BTC-USD"])


def test_live_copy_is_cached_for_its_ttl(make_store: StoreFactory) -> None:
    source = ScriptedSource(_values(1, 2))
    store = make_store(source)
    for _ in range(3):
        values, meta = store.series("btc")
    assert source.calls == 1
    assert values is not None and values.tolist() == [1, 2]
    assert (meta.source, meta.stale, meta.as_of) == ("vendor", False, pd.Timestamp("2026-01-01 12:00"))


def test_failure_serves_last_good_copy_flagged_stale_then_recovers(
    make_store: StoreFactory, cache: CacheBackend
) -> None:
    source = ScriptedSource(_values(1, 2), _down(), _values(1, 2, 3), ttl=0)
    store = make_store(source)
    store.series("btc")
    cache.delete("live:btc")  # the TTL ran out
    values, meta = store.series("btc")
    assert values is not None and values.tolist() == [1, 2]
    assert meta.stale and meta.message is not None and "HTTP 503" in meta.message
    values, meta = store.series("btc")
    assert values is not None and values.tolist() == [1, 2, 3]
    assert not meta.stale


def test_failures_are_not_cached_as_data_and_upstream_rests_after_one(make_store: StoreFactory) -> None:
    source = ScriptedSource(_down(), _values(5))
    store = make_store(source, retry_seconds=3600)
    values, meta = store.series("btc")
    assert values is None and not meta.available and "HTTP 503" in (meta.message or "")
    store.series("btc")
    assert source.calls == 1, "inside the retry window the failure is remembered, upstream is not asked again"


def test_auto_mode_falls_back_to_the_snapshot_flagged_stale(make_store: StoreFactory) -> None:
    values, meta = make_store(ScriptedSource(_down()), mode="auto").series("btc")
    assert values is not None and values.equals(snapshot.load("btc"))
    assert meta.stale and meta.source.startswith("snapshot") and "embedded snapshot" in (meta.message or "")


def test_panel_keeps_a_column_for_an_unavailable_series(make_store: StoreFactory) -> None:
    panel = make_store(ScriptedSource(_down())).panel(["btc"])
    assert panel.frame["btc"].isna().all()
    assert not panel.meta["btc"].available


def test_refresh_fetches_even_when_cached(make_store: StoreFactory) -> None:
    source = ScriptedSource(_values(1), _values(1, 2))
    store = make_store(source)
    store.series("btc")
    meta = store.refresh("btc")
    assert meta.last == DAYS[1] and source.calls == 2


def test_live_mode_needs_a_live_source(cache: CacheBackend) -> None:
    with pytest.raises(ValueError, match="needs a live source"):
        Store(cache, mode="live")


def test_two_workers_sharing_a_cache_fetch_upstream_once(open_shared: Callable[[], CacheBackend]) -> None:
    first_source, second_source = ScriptedSource(_values(1, 2)), ScriptedSource()
    first = Store(open_shared(), mode="live", live=first_source, now=Clock())
    second = Store(open_shared(), mode="live", live=second_source, now=Clock())
    first.series("btc")
    values, meta = second.series("btc")
    assert (first_source.calls, second_source.calls) == (1, 0)
    assert values is not None and values.tolist() == [1, 2]
    assert meta.source == "vendor" and not meta.stale


def test_the_environment_chooses_redis_or_a_directory(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    Store(open_cache()).panel(["fear_greed"])
    monkeypatch.setenv("RISKON_CACHE_URL", redis_url)
    Store(open_cache()).panel(["fear_greed"])
    with redis.Redis.from_url(redis_url) as client:
        assert client.keys() == [f"riskon:snapshot:{snapshot.version()}:fear_greed".encode()]
    assert open_cache(url=redis_url).name == redis_url


def test_a_directory_and_a_url_together_are_an_error(tmp_path: Path, redis_url: str) -> None:
    with pytest.raises(ValueError, match="not both"):
        open_cache(tmp_path, url=redis_url)


class _Collected(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _full_panel(directory: str) -> tuple[pd.DataFrame, list[str]]:
    """A worker's full panel and every warning the data layer logged meanwhile (a cache failure would be one)."""
    collected = _Collected()
    logging.getLogger("riskon.data").addHandler(collected)
    try:
        return Store(open_cache(directory)).panel(snapshot.manifest()).frame, collected.messages
    finally:
        logging.getLogger("riskon.data").removeHandler(collected)


def test_worker_processes_filling_one_fresh_diskcache_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected, _ = _full_panel(str(tmp_path / "reference"))
    shared = str(tmp_path / "shared")
    with ProcessPoolExecutor(6, mp_context=multiprocessing.get_context("fork")) as workers:
        results = list(workers.map(_full_panel, [shared] * 12))
    for frame, warnings in results:
        pd.testing.assert_frame_equal(frame, expected)
        assert warnings == []
    monkeypatch.setattr(snapshot, "load", lambda series_id: pytest.fail("the workers filled the shared cache"))
    pd.testing.assert_frame_equal(_full_panel(shared)[0], expected)
