"""The refresher's jobs on a real Celery worker with a real redis-server as broker and shared cache."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from celery.contrib.testing.worker import start_worker

from data_sources import snapshot, tasks
from data_sources.config import open_cache
from data_sources.refresher import Refresher
from data_sources.status import status
from data_sources.store import Store
from tests.data_sources.conftest import free_port
from tests.data_sources.fake_upstream import DEADLINE_SECONDS, Histories, HttpSource, wait_for


@pytest.fixture
def root_logging() -> Iterator[None]:
    """Celery's test worker configures the root logger (level ERROR, its handlers); later tests need it back."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    root.setLevel(level)
    root.handlers[:] = handlers


@pytest.fixture
def broker(redis_url: str) -> Iterator[str]:
    previous = tasks.app.conf.broker_url
    tasks.app.conf.broker_url = redis_url
    yield redis_url
    tasks.app.conf.broker_url = previous


def test_a_worker_refreshes_every_due_series_into_the_shared_cache(
    broker: str, histories: Histories, monkeypatch: pytest.MonkeyPatch, root_logging: None
) -> None:
    histories.mode = "ok"
    refresher = Refresher(Store(open_cache(url=broker), mode="auto"), HttpSource(histories.url))
    monkeypatch.setattr(tasks, "refresher", lambda: refresher)
    reader = Store(open_cache(url=broker), mode="auto")  # a web worker on another host, reading the same Redis
    with start_worker(tasks.app, pool="solo", perform_ping_check=False, shutdown_timeout=DEADLINE_SECONDS):
        tasks.refresh_due.delay()
        wait_for(lambda: status(reader).state == "live", "the worker refreshed every series")
    values, meta = reader.series("btc")
    assert meta.source == "fake upstream" and values is not None
    pd.testing.assert_series_equal(values, snapshot.load("btc"))
    assert reader.series("altcoin_ex_eth_mcap")[1].source == "fake upstream (total - BTC - ETH)"
    assert refresher.due() == [], "each series is scheduled after its TTL"


def test_riskon_worker_runs_beat_and_records_failures_offline(redis_url: str, tmp_path: Path) -> None:
    """`riskon worker` with no network: beat queues the due series, the worker records why each failed."""
    closed = f"http://127.0.0.1:{free_port()}"  # every vendor request goes to a port nobody listens on
    env = {**os.environ, "RISKON_CACHE_URL": redis_url, "HTTPS_PROXY": closed, "HTTP_PROXY": closed}
    command = "from data_sources.tasks import run_worker; raise SystemExit(run_worker(sys.argv[1:]))"
    worker = subprocess.Popen(
        [sys.executable, "-c", f"import sys; {command}", "--pool=solo", f"--schedule={tmp_path / 'beat'}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        store = Store(open_cache(url=redis_url), mode="auto")
        wait_for(lambda: status(store).state == "offline", "beat and the worker tried the vendors")
        assert status(store).line.endswith("network unreachable")
        assert store.series("btc")[1].source.startswith("snapshot"), "pages keep the embedded data"
    finally:
        worker.terminate()
        worker.wait(DEADLINE_SECONDS)


def test_riskon_worker_without_redis_says_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tasks.app.conf, "broker_url", None)
    assert tasks.run_worker([]) == 2
