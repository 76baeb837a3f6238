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
from data_sources.base import Fetched, FetchError, UnknownSeriesError
from data_sources.config import mode_from_env, open_cache
from data_sources.refresher import Refresher
from data_sources.series import SERIES_IDS
from data_sources.store import NO_EMBEDDED_DATA, ResilientCache, Store

DAYS = pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-03"], name="date")


class ScriptedSource:
    """A live source that replays a scripted sequence of results (series or exceptions) and counts calls."""

    def __init__(self, *results: pd.Series | BaseException, ttl: int = 3600) -> None:
        self.results = list(results)
        self.calls = 0
        self.ttl = ttl

    def fetch_series(self, series_id: str) -> Fetched:
        self.calls += 1
        result = self.results.pop(0)
        if isinstance(result, BaseException):
            raise result
        return Fetched(result.rename(series_id), "vendor", self.ttl)


class Clock:
    def __init__(self) -> None:
        self.now = pd.Timestamp("2026-01-01 12:00")

    def __call__(self) -> pd.Timestamp:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += pd.Timedelta(seconds=seconds)


def real(series_id: str = "btc", *, drop_last: int = 0) -> pd.Series:
    """The snapshot's real history, less its last `drop_last` days: what an upstream answer looks like."""
    series = snapshot.load(series_id)
    return series.iloc[: len(series) - drop_last]


def down(reason: str = "HTTP 503 from https://query2.finance.yahoo.com/v8/finance/chart/BTC-USD") -> FetchError:
    return FetchError("yahoo", "btc", reason)


def refresher(store: Store, source: ScriptedSource, retry_seconds: float = 60) -> Refresher:
    return Refresher(store, source, retry_seconds=retry_seconds)


def test_snapshot_panel_aligns_on_union_of_dates_without_filling(cache: ResilientCache) -> None:
    panel = Store(cache).panel(["btc", "iwm"], start="2024-01-05", end="2024-01-08")
    assert list(panel.frame.columns) == ["btc", "iwm"]
    assert [day.strftime("%a") for day in panel.frame.index] == ["Fri", "Sat", "Sun", "Mon"]
    assert panel.frame["btc"].notna().all()
    assert panel.frame["iwm"].isna().tolist() == [False, True, True, False]
    assert panel.meta["iwm"].source.startswith("snapshot (Yahoo")
    assert not panel.meta["iwm"].stale


def test_snapshot_panel_is_served_from_cache_when_warm(cache: ResilientCache, monkeypatch: pytest.MonkeyPatch) -> None:
    first = Store(cache).panel(["rut"])
    monkeypatch.setattr(snapshot, "load", lambda series_id: pytest.fail("warm cache must not re-read CSVs"))
    pd.testing.assert_frame_equal(Store(cache).panel(["rut"]).frame, first.frame)


def test_unknown_series_is_an_error(cache: ResilientCache) -> None:
    with pytest.raises(UnknownSeriesError):
        Store(cache).panel(["BTC-USD"])


def test_auto_mode_serves_the_snapshot_until_a_live_copy_exists(cache: ResilientCache) -> None:
    values, meta = Store(cache, mode="auto").series("btc")
    assert values is not None and values.equals(snapshot.load("btc"))
    assert meta.source.startswith("snapshot") and not meta.stale and meta.message is None


def test_a_refreshed_copy_is_served_fresh_and_replaces_the_snapshot(cache: ResilientCache) -> None:
    clock = Clock()
    store = Store(cache, mode="auto", now=clock)
    refresher(store, ScriptedSource(real(drop_last=3))).refresh("btc")
    clock.advance(60)
    values, meta = store.series("btc")
    assert values is not None and values.index[-1] == snapshot.load("btc").index[-4]
    assert (meta.source, meta.stale, meta.as_of) == ("vendor", False, pd.Timestamp("2026-01-01 12:00"))


def test_a_failed_refresh_keeps_serving_the_last_good_copy_flagged_stale_with_the_reason_in_words(
    cache: ResilientCache,
) -> None:
    clock = Clock()
    store = Store(cache, mode="live", now=clock)
    source = ScriptedSource(real(drop_last=3), down(), real())
    refresher(store, source).refresh("btc")
    clock.advance(3600)
    refresher(store, source).refresh("btc")
    values, meta = store.series("btc")
    assert values is not None and values.equals(real(drop_last=3))
    assert meta.stale and meta.message == (
        "live update failed (upstream error (HTTP 503)); showing data fetched 2026-01-01 12:00 UTC"
    )
    refresher(store, source).refresh("btc")
    values, meta = store.series("btc")
    assert values is not None and values.equals(real()) and not meta.stale, "the data upgrades once upstream is back"


def test_a_copy_two_ttls_old_is_stale_even_without_a_recorded_failure(cache: ResilientCache) -> None:
    clock = Clock()
    store = Store(cache, mode="live", now=clock)
    refresher(store, ScriptedSource(real(), ttl=600)).refresh("btc")
    clock.advance(1199)
    assert not store.series("btc")[1].stale
    clock.advance(2)
    meta = store.series("btc")[1]
    assert meta.stale and meta.message is not None and meta.message.startswith("live update overdue")


def test_live_mode_without_a_copy_is_unavailable_and_says_why(cache: ResilientCache) -> None:
    store = Store(cache, mode="live", now=Clock())
    values, meta = store.series("btc")
    assert values is None and not meta.available and meta.message == "unavailable: not fetched yet"
    refresher(store, ScriptedSource(down("connection failed after retries (https://x): ConnectionError"))).refresh(
        "btc"
    )
    assert store.series("btc")[1].message == "unavailable: network unreachable"
    panel = store.panel(["btc", "rut"])
    assert panel.frame["btc"].isna().all() and panel.frame["rut"].isna().all()
    assert not panel.meta["btc"].available


def test_two_workers_sharing_a_cache_see_one_refresh(open_shared: Callable[[], ResilientCache]) -> None:
    first, second = Store(open_shared(), mode="live", now=Clock()), Store(open_shared(), mode="live", now=Clock())
    refresher(first, ScriptedSource(real())).refresh("btc")
    values, meta = second.series("btc")
    assert values is not None and values.equals(real())
    assert meta.source == "vendor" and not meta.stale


def test_the_mode_defaults_to_auto_and_a_bad_one_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RISKON_SOURCE")
    assert mode_from_env() == "auto"
    monkeypatch.setenv("RISKON_SOURCE", " Snapshot ")
    assert mode_from_env() == "snapshot"
    monkeypatch.setenv("RISKON_SOURCE", "bogus")
    with pytest.raises(ValueError, match="RISKON_SOURCE='bogus' is not one of snapshot, live, auto"):
        mode_from_env()


def test_the_environment_chooses_redis_or_a_directory(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    Store(open_cache(), mode="snapshot").panel(["fear_greed"])
    monkeypatch.setenv("RISKON_CACHE_URL", redis_url)
    Store(open_cache(), mode="snapshot").panel(["fear_greed"])
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
        return Store(open_cache(directory), mode="snapshot").panel(SERIES_IDS).frame, collected.messages
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


def test_a_live_only_series_is_unavailable_until_fetched_never_an_error(cache: ResilientCache) -> None:
    assert not snapshot.has("cmc_total"), "CoinMarketCap's total has no embedded history"
    assert Store(cache, mode="snapshot").series("cmc_total")[1].message == NO_EMBEDDED_DATA
    store = Store(cache, mode="auto", now=Clock())
    values, meta = store.series("cmc_total")
    assert values is None and meta.message == "unavailable: not fetched yet"
    refresher(store, ScriptedSource(real("btc").iloc[-30:])).refresh("cmc_total")
    values, meta = store.series("cmc_total")
    assert values is not None and len(values) == 30 and meta.source == "vendor", "nothing embedded to protect"


def test_an_embedded_only_series_is_served_in_every_mode(cache: ResilientCache) -> None:
    for mode in ("live", "auto"):
        values, meta = Store(cache, mode=mode).series("cryptocap_total")
        assert values is not None and values.equals(snapshot.load("cryptocap_total")) and not meta.stale
