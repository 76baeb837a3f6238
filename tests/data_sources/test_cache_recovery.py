"""A broken cache costs a refill, never a page: corrupt or deleted diskcache directories, garbage values, Redis down."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import redis

from data_sources import snapshot
from data_sources.config import open_cache
from data_sources.redis_cache import RedisCache, public_url
from data_sources.store import CACHE_RETRY_SECONDS, DISK_TIMEOUT_SECONDS, ResilientCache, Store
from tests.data_sources.conftest import RedisServer, free_port
from tests.data_sources.test_store import Clock, ScriptedSource, real, refresher

IDS = ["btc", "iwm", "fear_greed"]


def _delete_directory(directory: Path) -> None:
    shutil.rmtree(directory)


def _overwrite_database(directory: Path) -> None:
    (directory / "cache.db").write_bytes(b"this is not an SQLite database\n" * 4096)


def _truncate_database(directory: Path) -> None:
    os.truncate(directory / "cache.db", 100)


def _garble_values(directory: Path) -> None:
    values = list(directory.glob("*/*/*.val"))
    assert values, "the snapshot series are large enough to be stored as value files"
    for value in values:
        value.write_bytes(b"garbage, not a pickle")


CORRUPTIONS: dict[str, tuple[Callable[[Path], None], str]] = {
    "directory deleted": (_delete_directory, "reopened it"),
    "database overwritten": (_overwrite_database, "rebuilding it empty"),
    "database truncated": (_truncate_database, "rebuilding it empty"),
    "values garbled": (_garble_values, "dropped unreadable cached value"),
}


@pytest.fixture
def expected(tmp_path: Path) -> pd.DataFrame:
    return Store(open_cache(tmp_path / "reference")).panel(IDS).frame


def _block_snapshot_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot, "load", lambda series_id: pytest.fail(f"{series_id} must come from the cache"))


@pytest.mark.parametrize("corruption", CORRUPTIONS)
def test_a_broken_diskcache_is_rebuilt_and_used_again(
    corruption: str,
    tmp_path: Path,
    expected: pd.DataFrame,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    corrupt, logged = CORRUPTIONS[corruption]
    directory = tmp_path / "cache"
    worker = Store(open_cache(directory))
    worker.panel(IDS)
    corrupt(directory)
    pd.testing.assert_frame_equal(worker.panel(IDS).frame, expected)
    restarted = Store(open_cache(directory))
    pd.testing.assert_frame_equal(restarted.panel(IDS).frame, expected)
    assert logged in caplog.text
    _block_snapshot_reads(monkeypatch)
    pd.testing.assert_frame_equal(worker.panel(IDS).frame, expected)
    pd.testing.assert_frame_equal(Store(open_cache(directory)).panel(IDS).frame, expected)


def test_a_garbage_value_in_redis_is_dropped_and_refilled(
    redis_url: str, expected: pd.DataFrame, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store = Store(open_cache(url=redis_url))
    with redis.Redis.from_url(redis_url) as client:
        client.set(f"riskon:snapshot:{snapshot.version()}:btc", b"garbage, not a pickle")
    pd.testing.assert_frame_equal(store.panel(IDS).frame, expected)
    assert "dropped unreadable cached value 'snapshot:" in caplog.text
    _block_snapshot_reads(monkeypatch)
    pd.testing.assert_frame_equal(store.panel(IDS).frame, expected)


class MonotonicClock:
    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]


def test_redis_going_down_degrades_to_uncached_data_leaves_upstream_alone_and_recovers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = RedisServer(tmp_path)
    server.start()
    try:
        clock = MonotonicClock()
        cache = ResilientCache(lambda: RedisCache.from_url(server.url), name=public_url(server.url), clock=clock)
        store = Store(cache, mode="auto", now=Clock())
        source = ScriptedSource(real(drop_last=1), real())
        refresher(store, source).refresh("btc")
        assert store.series("btc")[1].source == "vendor"

        server.stop()
        caplog.clear()
        for _ in range(3):
            values, meta = store.series("btc")
            assert values is not None and values.equals(snapshot.load("btc")), "pages get the embedded data"
            assert [result.detail for result in refresher(store, source).refresh_due()][:1] == ["cache unavailable"]
        assert source.calls == 1, "with nowhere to keep an answer, nobody asks upstream"
        assert _warnings(caplog) == [
            f"riskon: cache {server.url} is unavailable (ConnectionError: Error 111 connecting to "
            f"127.0.0.1:{server.port}. Connection refused.); serving uncached data, trying it again every "
            f"{CACHE_RETRY_SECONDS:g}s"
        ]

        server.start()  # an empty Redis, as after a restart without persistence
        clock.seconds += CACHE_RETRY_SECONDS
        refresher(store, source).refresh("btc")
        values, meta = store.series("btc")
        assert values is not None and values.equals(real()) and meta.source == "vendor"
        assert _warnings(caplog)[-1] == f"riskon: cache {server.url} is available again"
    finally:
        server.stop()


def test_a_stalled_redis_is_a_miss_that_keeps_the_value(redis_url: str, caplog: pytest.LogCaptureFixture) -> None:
    """Defect 2: one Redis timeout on get() deleted lastgood:btc, the only stale-if-error copy (it has no TTL)."""
    store = Store(open_cache(url=redis_url), mode="live")
    refresher(store, ScriptedSource(real())).refresh("btc")
    with redis.Redis.from_url(redis_url) as admin:
        # Longer than the 2 s command timeout, shorter than a timeout plus the next command's.
        admin.execute_command("CLIENT", "PAUSE", 2500, "ALL")
        store.series("btc")
        assert admin.exists("riskon:lastgood:btc")
    values, meta = store.series("btc")
    assert values is not None and values.equals(real()) and meta.source == "vendor"
    assert "failed (TimeoutError: Timeout reading from socket); reopened it" in caplog.text, "the stall was seen"
    assert "dropped" not in caplog.text


def _lock_database(directory: Path) -> sqlite3.Connection:
    """Another process's exclusive write lock on the cache database, as a worker stuck mid-write holds it."""
    locker = sqlite3.connect(directory / "cache.db", isolation_level=None, check_same_thread=False)
    locker.execute("BEGIN EXCLUSIVE")
    return locker


def test_a_locked_disk_cache_costs_a_bounded_wait_not_a_hung_worker(tmp_path: Path, expected: pd.DataFrame) -> None:
    """Defect 9: diskcache waited up to 60 s on a locked database, past gunicorn's 30 s worker timeout."""
    directory = tmp_path / "cache"
    Store(open_cache(directory)).panel(["fear_greed"])
    locker = _lock_database(directory)
    try:
        started = time.monotonic()
        store = Store(open_cache(directory))
        pd.testing.assert_frame_equal(store.panel(IDS).frame, expected)
        pd.testing.assert_frame_equal(store.panel(IDS).frame, expected)
        assert time.monotonic() - started < 10 * DISK_TIMEOUT_SECONDS < 30
    finally:
        locker.execute("ROLLBACK")


def test_a_lock_while_opening_is_never_taken_for_corruption(
    tmp_path: Path, expected: pd.DataFrame, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Defect 9: "database is locked" while opening was treated as corruption, deleting files in use."""
    directory = tmp_path / "cache"
    Store(open_cache(directory)).panel(IDS)
    values = sorted(directory.rglob("*.val"))
    assert values, "the snapshot series are large enough to be stored as value files"
    locker = _lock_database(directory)
    try:
        pd.testing.assert_frame_equal(Store(open_cache(directory)).panel(IDS).frame, expected)
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert "rebuilding" not in caplog.text and "unavailable" in caplog.text
    assert sorted(directory.rglob("*.val")) == values, "the files another worker was using are all there"
    _block_snapshot_reads(monkeypatch)
    pd.testing.assert_frame_equal(Store(open_cache(directory)).panel(IDS).frame, expected)


def test_redis_down_at_startup_is_not_a_crash(expected: pd.DataFrame, caplog: pytest.LogCaptureFixture) -> None:
    url = f"redis://:s3cret@127.0.0.1:{free_port()}/0"
    store = Store(open_cache(url=url))
    pd.testing.assert_frame_equal(store.panel(IDS).frame, expected)
    pd.testing.assert_frame_equal(store.panel(IDS).frame, expected)
    assert len(_warnings(caplog)) == 1
    assert "unavailable" in caplog.text and "s3cret" not in caplog.text
