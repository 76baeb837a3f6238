"""RedisCache keeps diskcache's contract (the CacheBackend the store uses), checked side by side on a real Redis."""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import diskcache
import pandas as pd
import pytest
import redis

from data_sources import snapshot
from data_sources.redis_cache import RedisCache, public_url
from data_sources.store import CachedCopy, ClosableBackend

RACERS = 8


@pytest.fixture(params=["diskcache", "redis"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ClosableBackend]:
    """The raw backend, unwrapped: diskcache.Cache as the reference, RedisCache on the suite's redis-server."""
    opened: ClosableBackend
    if request.param == "redis":
        opened = RedisCache.from_url(request.getfixturevalue("redis_url"))
    else:
        opened = diskcache.Cache(str(tmp_path / "cache"))
    yield opened
    opened.close()


def test_a_missing_key_gives_the_default(backend: ClosableBackend) -> None:
    assert backend.get("absent") is None
    assert backend.get("absent", "fallback") == "fallback"


def test_pandas_values_round_trip_pickled(backend: ClosableBackend) -> None:
    series = snapshot.load("iwm")
    backend.set("copy", CachedCopy(series, "snapshot", series.index[-1]))
    copy = backend.get("copy")
    assert isinstance(copy, CachedCopy)
    pd.testing.assert_series_equal(copy.series, series)
    assert copy.fetched_at == series.index[-1]


def test_values_expire(backend: ClosableBackend) -> None:
    backend.set("short", 1, expire=0.2)
    backend.set("kept", 2)
    backend.set("already", 3, expire=0)
    assert backend.get("short") == 1
    assert backend.get("already") is None, "a zero lifetime is expired at once"
    time.sleep(0.3)
    assert backend.get("short") is None
    assert backend.get("kept") == 2


def test_add_sets_only_an_absent_key(backend: ClosableBackend) -> None:
    assert backend.add("lease", "first", expire=60)
    assert not backend.add("lease", "second", expire=60)
    assert backend.get("lease") == "first"
    backend.set("lease", "short", expire=0.2)
    time.sleep(0.3)
    assert backend.add("lease", "after expiry")
    assert backend.get("lease") == "after expiry"


def test_delete_reports_whether_the_key_was_there(backend: ClosableBackend) -> None:
    backend.set("gone", 1)
    assert backend.delete("gone")
    assert not backend.delete("gone")
    assert backend.get("gone") is None


def test_add_is_atomic_across_threads(backend: ClosableBackend) -> None:
    start = threading.Barrier(RACERS)
    won: list[bool] = []

    def race() -> None:
        start.wait()
        won.append(backend.add("lease", threading.get_ident(), expire=60))

    threads = [threading.Thread(target=race) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(won) == [False] * (RACERS - 1) + [True]


def _add_in_a_process(url: str, start: threading.Barrier, results: multiprocessing.Queue[bool]) -> None:
    cache = RedisCache.from_url(url)
    start.wait()
    results.put(cache.add("lease", "mine", expire=60))


def test_add_is_atomic_across_processes(redis_url: str) -> None:
    context = multiprocessing.get_context("fork")
    start = context.Barrier(RACERS)
    results: multiprocessing.Queue[bool] = context.Queue()
    workers = [context.Process(target=_add_in_a_process, args=(redis_url, start, results)) for _ in range(RACERS)]
    for worker in workers:
        worker.start()
    won = sorted(results.get(timeout=30) for _ in workers)
    for worker in workers:
        worker.join(timeout=30)
    assert won == [False] * (RACERS - 1) + [True]
    assert all(worker.exitcode == 0 for worker in workers)


def test_keys_live_under_the_prefix(redis_url: str) -> None:
    riskon, other = RedisCache.from_url(redis_url), RedisCache.from_url(redis_url, prefix="other:")
    riskon.set("live:btc", 1)
    other.set("live:btc", 2)
    assert (riskon.get("live:btc"), other.get("live:btc")) == (1, 2)
    with redis.Redis.from_url(redis_url) as client:
        assert sorted(client.keys()) == [b"other:live:btc", b"riskon:live:btc"]


def test_expiry_is_a_redis_ttl(redis_url: str) -> None:
    cache = RedisCache.from_url(redis_url)
    cache.set("failed:btc", "HTTP 503", expire=60)
    cache.set("lastgood:btc", "kept")
    with redis.Redis.from_url(redis_url) as client:
        assert 59_000 < client.pttl("riskon:failed:btc") <= 60_000
        assert client.pttl("riskon:lastgood:btc") == -1, "no expire means no TTL"


def test_public_url_hides_credentials() -> None:
    assert public_url("redis://user:s3cret@cache.internal:6380/2?ssl_cert_reqs=none") == "redis://cache.internal:6380/2"
    assert public_url("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"


def test_a_malformed_url_is_an_error() -> None:
    with pytest.raises(ValueError, match="scheme"):
        RedisCache.from_url("memcached://127.0.0.1:11211")
