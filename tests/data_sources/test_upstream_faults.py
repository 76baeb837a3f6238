"""Every live adapter failing upstream, through the real registry, refresher and store, keeps the last good data."""

from __future__ import annotations

import functools
import gzip
import logging
from pathlib import Path

import pytest
import requests
import responses

from data_sources import http
from data_sources.config import open_cache
from data_sources.refresher import Refresher
from data_sources.registry import default_registry
from data_sources.store import Store
from tests.conftest import FIXTURES

# series -> (URL its primary source calls, recorded or built fixture of that source)
PRIMARY = {
    "btc": ("https://query2.finance.yahoo.com/v8/finance/chart/BTC-USD", None),
    "rut": ("https://query2.finance.yahoo.com/v8/finance/chart/^RUT", "yahoo/chart_RUT_1mo_2026-08-22.json.gz"),
    "iwm": ("https://query2.finance.yahoo.com/v8/finance/chart/IWM", "yahoo/chart_IWM_documented_shape.json"),
    "usdt_supply": (
        "https://stablecoins.llama.fi/stablecoincharts/all",
        "defillama/stablecoincharts_usdt_documented_shape.json",
    ),
}
FAULTS: dict[str, dict[str, object]] = {
    "timeout": {"body": requests.exceptions.ReadTimeout("read timed out")},
    "connection error": {"body": requests.exceptions.ConnectionError("connection reset")},
    "429 with Retry-After": {"status": 429, "headers": {"Retry-After": "120"}},
    "5xx": {"status": 503},
    "truncated payload": {"truncate": True},
    "schema changed": {"body": b'{"unexpected": "shape"}'},
}
ADAPTER_CASES = [(series_id, fixture) for series_id, (_, fixture) in PRIMARY.items() if fixture]


@pytest.fixture
def refresher(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Refresher:
    monkeypatch.setattr(http, "retry_policy", functools.partial(http.retry_policy, total=0))
    http.session.cache_clear()
    return Refresher(Store(open_cache(tmp_path), mode="live"), default_registry(), retry_seconds=0)


def _answer(url: str, fixture: str, fault: dict[str, object] | None) -> None:
    body = (FIXTURES / fixture).read_bytes()
    body = gzip.decompress(body) if fixture.endswith(".gz") else body
    responses.reset()
    if fault is None:
        responses.get(url, body=body)
    elif "status" in fault:
        responses.get(url, status=fault["status"], headers=fault.get("headers"))  # type: ignore[arg-type]
    elif fault.get("truncate"):
        responses.get(url, body=body[: len(body) // 2])
    else:
        responses.get(url, body=fault["body"])  # type: ignore[arg-type]


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize(("series_id", "fixture"), ADAPTER_CASES)
@responses.activate
def test_fault_keeps_the_last_good_copy_flagged_stale_logs_once_and_recovers(
    refresher: Refresher, series_id: str, fixture: str, fault: str, caplog: pytest.LogCaptureFixture
) -> None:
    store, url = refresher.store, PRIMARY[series_id][0]
    _answer(url, fixture, None)
    assert [result.outcome for result in refresher.refresh(series_id)] == ["fetched"]
    good, meta = store.series(series_id)
    assert good is not None and not meta.stale

    _answer(url, fixture, FAULTS[fault])
    with caplog.at_level(logging.WARNING, logger="riskon.data"):
        [result] = refresher.refresh(series_id)
    served, meta = store.series(series_id)
    assert result.outcome == "failed" and served is not None and served.equals(good)
    assert meta.stale and meta.message and "http" not in meta.message and "Error" not in meta.message
    assert len(caplog.records) == 1 and series_id in caplog.records[0].getMessage()

    _answer(url, fixture, None)
    assert [result.outcome for result in refresher.refresh(series_id)] == ["fetched"]
    served, meta = store.series(series_id)
    assert not meta.stale and served is not None and served.equals(good)
