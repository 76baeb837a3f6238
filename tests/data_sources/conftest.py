"""A real redis-server (Debian's /usr/bin/redis-server) on 127.0.0.1, started and stopped by the test suite."""

from __future__ import annotations

import functools
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from data_sources import http
from data_sources.config import open_cache
from data_sources.store import ResilientCache
from tests.data_sources.fake_upstream import Histories, Upstream

START_TIMEOUT_SECONDS = 10.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RedisServer:
    """One redis-server process without persistence; stop() and start() again keep its port."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.directory = directory
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        executable = shutil.which("redis-server") or "/usr/bin/redis-server"
        command = [executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(
            [*command, "--dir", str(self.directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {self.port}") from None
                time.sleep(0.02)
            finally:
                client.close()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=START_TIMEOUT_SECONDS)
            self.process = None


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The shared server's URL, emptied for this test."""
    with redis.Redis.from_url(redis_server.url) as client:
        client.flushdb()
    return redis_server.url


def open_at(location: str) -> ResilientCache:
    """Open the shared cache at `location` (a Redis URL or a directory), as each worker does."""
    return open_cache(url=location) if location.startswith("redis://") else open_cache(location)


@pytest.fixture(params=["diskcache", "redis"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where the shared cache lives: store tests run on a diskcache directory and on a real Redis."""
    return str(request.getfixturevalue("redis_url") if request.param == "redis" else tmp_path / "cache")


@pytest.fixture
def open_shared(location: str) -> Callable[[], ResilientCache]:
    return lambda: open_at(location)


@pytest.fixture
def cache(open_shared: Callable[[], ResilientCache]) -> ResilientCache:
    return open_shared()


@pytest.fixture
def upstream(monkeypatch: pytest.MonkeyPatch) -> Iterator[Upstream]:
    """A fresh fake upstream on 127.0.0.1, and a shared session that does not retry (one request, one call)."""
    monkeypatch.setattr(http, "retry_policy", functools.partial(http.retry_policy, total=0))
    http.session.cache_clear()
    server = Upstream()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    http.session.cache_clear()


@pytest.fixture
def histories(upstream: Upstream) -> Iterator[Histories]:
    """Real histories on the fake upstream, holding every request until a test says how to answer."""
    served = Histories(upstream)
    yield served
    served.release.set()
