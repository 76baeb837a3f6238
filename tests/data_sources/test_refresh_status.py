"""The data status as people read it (one line, one row per series) and as /healthz serves it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from flask import Flask

from components import health
from data_sources import snapshot
from data_sources.base import Fetched
from data_sources.config import open_cache
from data_sources.refresher import Refresher
from data_sources.series import SERIES
from data_sources.status import status
from data_sources.store import Store
from tests.data_sources.fake_upstream import history
from tests.data_sources.test_store import Clock, down

REFRESHED = [key for key, record in SERIES.items() if record.live]  # the series with a live source
ENDS = max(snapshot.load(key).index[-1] for key in REFRESHED if snapshot.has(key))


class Upstream:
    """Answers every series with its real history, except those listed as failing (with the error given)."""

    def __init__(self, failing: dict[str, Exception] | None = None, ttl: int = 3600) -> None:
        self.failing = failing or {}
        self.ttl = ttl

    def fetch_series(self, series_id: str) -> Fetched:
        if series_id in self.failing:
            raise self.failing[series_id]
        return Fetched(history(series_id), "vendor", self.ttl)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Store:
    return Store(open_cache(tmp_path / "cache"), mode="auto", now=clock)


def _refresh(store: Store, upstream: Upstream) -> None:
    Refresher(store, upstream, retry_seconds=600).refresh_due()


def test_snapshot_mode_says_the_data_is_embedded(tmp_path: Path) -> None:
    data = status(Store(open_cache(tmp_path)))
    assert (data.state, data.line) == ("snapshot", f"Embedded data (ends {ENDS:%Y-%m-%d}) · live sources off")
    assert all(row.available == snapshot.has(row.series_id) and not row.live for row in data.series)


def test_before_the_first_refresh_auto_mode_serves_the_embedded_data(store: Store) -> None:
    data = status(store)
    assert data.line == f"Starting · embedded data (ends {ENDS:%Y-%m-%d}) · first refresh under way"


def test_offline_names_the_last_try_and_the_commonest_failure_in_words(store: Store, clock: Clock) -> None:
    unreachable = down("connection failed after retries (https://query2.finance.yahoo.com): ConnectionError")
    failing: dict[str, Exception] = {series_id: unreachable for series_id in REFRESHED}
    failing["fear_greed"] = down("HTTP 502 from https://api.alternative.me/fng/")
    clock.now = pd.Timestamp("2026-11-24 09:00")
    _refresh(store, Upstream(failing))
    data = status(store)
    assert data.line == f"Offline · embedded data (ends {ENDS:%Y-%m-%d}) · last try 09:00: network unreachable"
    rows = {row.series_id: row for row in data.series}
    assert rows["fear_greed"].error == "upstream error (HTTP 502)"
    assert rows["btc"].next_attempt == pd.Timestamp("2026-11-24 09:10"), "backs off by the retry interval"
    assert rows["btc"].source.startswith("snapshot") and not rows["btc"].live


def test_live_gives_the_oldest_fetch_and_the_next_refresh(store: Store, clock: Clock) -> None:
    clock.now = pd.Timestamp("2026-11-24 09:00")
    _refresh(store, Upstream())
    clock.now = pd.Timestamp("2026-11-24 09:20")
    data = status(store)
    assert (data.state, data.line) == ("live", "Live · data as of 2026-11-24 09:00 UTC · next refresh 10:00")
    rows = [row for row in data.series if row.series_id in REFRESHED]
    assert all(row.live and row.error is None and row.last_success == row.fetched_at for row in rows)


def test_partly_live_counts_what_is_current(store: Store, clock: Clock) -> None:
    clock.now = pd.Timestamp("2026-11-24 09:00")
    _refresh(store, Upstream({"fear_greed": down(), "rut": down()}))
    data = status(store)
    assert data.state == "partial"
    assert data.line == (
        f"Partly live · {len(REFRESHED) - 2} of {len(REFRESHED)} series current · "
        "data as of 2026-11-24 09:00 UTC · next refresh 09:10"
    )


def test_healthz_is_the_same_status_machine_readable(store: Store, clock: Clock) -> None:
    server = Flask(__name__)
    health.register(server, store)
    client = server.test_client()
    starting = client.get("/healthz")
    assert starting.status_code == 200 and starting.get_json()["status"] == "degraded"
    clock.now = pd.Timestamp("2026-11-24 09:00")
    _refresh(store, Upstream({"rut": down()}))
    body = client.get("/healthz").get_json()
    assert (body["status"], body["mode"], body["state"]) == ("degraded", "auto", "partial")
    assert body["line"] == status(store).line
    rut, btc = body["series"]["rut"], body["series"]["btc"]
    assert rut["error"] == "upstream error (HTTP 503)" and rut["last_attempt"] == "2026-11-24T09:00:00"
    assert rut["next_attempt"] == "2026-11-24T09:10:00" and not rut["live"] and rut["available"]
    assert btc["live"] and btc["fetched_at"] == "2026-11-24T09:00:00" and btc["next_attempt"] == "2026-11-24T10:00:00"
    clock.now = pd.Timestamp("2026-11-24 09:10")
    _refresh(store, Upstream())
    assert client.get("/healthz").get_json()["status"] == "ok"


def test_healthz_is_down_when_nothing_can_be_served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot, "manifest", dict)  # nothing embedded, nothing fetched
    server = Flask(__name__)
    health.register(server, Store(open_cache(tmp_path), mode="live"))
    answer = server.test_client().get("/healthz")
    assert answer.status_code == 503 and answer.get_json()["status"] == "down"
