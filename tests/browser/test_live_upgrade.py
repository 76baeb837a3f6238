"""An open page follows a fake upstream on 127.0.0.1 that hangs, errors, then recovers with Yahoo's recorded real
answer for Bitcoin: the page never waits on upstream, the status line says where the data stands in words, and the
new data reaches the charts without a reload."""

from __future__ import annotations

import gzip
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from data_sources import snapshot
from data_sources.base import Fetched
from data_sources.config import ENV_STATUS_SECONDS, open_cache
from data_sources.refresher import BackgroundRefresher, Refresher
from data_sources.series import SERIES
from data_sources.store import Store
from data_sources.vendors.yahoo import Yahoo
from tests.browser.conftest import eventually
from tests.conftest import served
from tests.data_sources.fake_upstream import DEADLINE_SECONDS, Histories, HttpSource, Upstream

pytestmark = pytest.mark.browser
expect.set_options(timeout=90_000)  # waits on state; a loaded 2-core machine may take long to get there

RECORDED_BTC = Path(__file__).parents[1] / "fixtures" / "yahoo" / "chart_BTC-USD_2014-2026.json.gz"
CHARTS = ("smallcaps", "altcoins", "stablecoins", "sentiment", "correlation", "drawdown", "ssr", "liquidity")
# The first date of the Bitcoin trace on the Russell-vs-Bitcoin chart, over the whole range (?preset=max).
# (At Max the line is decimated, its points on their own days: the first drawn point's day.)
BTC_START = """(() => {
  const gd = document.querySelector('#graph-smallcaps .js-plotly-plot');
  const points = (gd.calcdata || []).find(cd => cd[0] && cd[0].trace.name === 'BTC') || [];
  const first = points.find(point => Number.isFinite(point.y));
  return first ? new Date(first.x).toISOString().slice(0, 19) : null;
})()"""
DRAWN = "ids => ids.every(id => (document.querySelector(`#graph-${id} .js-plotly-plot`)?.data || []).length > 0)"


def starting(text: str) -> re.Pattern[str]:
    return re.compile("^" + re.escape(text))


class FakeVendors:
    """Bitcoin from the real Yahoo adapter, every other series' real history as JSON, all on the fake upstream."""

    def __init__(self, base: str) -> None:
        self.yahoo = Yahoo("BTC-USD", host=base)
        self.others = HttpSource(base)

    def fetch_series(self, series_id: str) -> Fetched:
        if series_id != "btc":
            return self.others.fetch_series(series_id)
        series = self.yahoo.parse(self.yahoo.fetch(series_id), series_id)
        return Fetched(series, self.yahoo.name, self.yahoo.ttl_seconds)


@pytest.fixture
def upstream() -> Iterator[Histories]:
    """The fake upstream, holding every request until the test says how to answer."""
    server = Upstream()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    histories = Histories(server)
    histories.add_recorded("/v8/finance/chart/BTC-USD", gzip.decompress(RECORDED_BTC.read_bytes()))
    yield histories
    histories.release.set()
    server.shutdown()
    server.server_close()


@pytest.mark.timeout(600)  # three phases, each reached by waiting on state
def test_the_page_follows_upstream_through_a_hang_errors_and_recovery_without_a_reload(
    page: Page, upstream: Histories, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, console_errors: list[str]
) -> None:
    from app import create_app

    monkeypatch.setenv(ENV_STATUS_SECONDS, "1")  # the page re-reads the status every second
    store = Store(open_cache(tmp_path / "cache"), mode="auto")
    vendors = FakeVendors(upstream.url)
    recorded_start = vendors.yahoo.parse(gzip.decompress(RECORDED_BTC.read_bytes()), "btc").index[0]
    embedded_start = snapshot.load("btc").index[0]
    assert recorded_start < embedded_start  # Yahoo's answer reaches further back than the embedded data
    refresher = BackgroundRefresher(Refresher(store, vendors, retry_seconds=0.2), tick_seconds=0.1).start()
    line = page.locator("#status-text")
    try:
        with served(create_app(store).server) as url:
            assert upstream.hanging.wait(DEADLINE_SECONDS), "the refresher asked upstream"
            page.goto(f"{url}/?preset=max")
            page.wait_for_function(DRAWN, arg=list(CHARTS), timeout=120_000)
            ends = max(snapshot.load(key).index[-1] for key, spec in SERIES.items() if spec.live and snapshot.has(key))
            expect(line).to_have_text(f"Starting · embedded data (ends {ends:%Y-%m-%d}) · first refresh under way")
            eventually(page, lambda: page.evaluate(BTC_START), f"{embedded_start:%Y-%m-%dT%H:%M:%S}", 120_000)
            assert upstream.hanging.is_set()  # every chart drew while upstream held the refresher's request
            page.evaluate("window.riskonMarker = 'same page'")

            upstream.error_status = 500
            upstream.mode = "error"
            upstream.release.set()
            expect(line).to_have_text(starting(f"Offline · embedded data (ends {ends:%Y-%m-%d}) · last try "))
            offline = line.inner_text()
            assert offline.endswith(": upstream error (HTTP 500)"), offline  # in words: no URL, no exception name
            expect(page.locator("#status-line")).to_have_class("status-line status-offline")

            upstream.mode = "ok"
            expect(line).to_have_text(starting("Live · data as of "))
            eventually(page, lambda: page.evaluate(BTC_START), f"{recorded_start:%Y-%m-%dT%H:%M:%S}", 120_000)
            expect(page.locator("#status-line")).to_have_class("status-line")
            assert page.evaluate("window.riskonMarker") == "same page"  # the data arrived without a reload
            assert page.evaluate("performance.getEntriesByType('navigation')[0].type") == "navigate"
    finally:
        refresher.stop(DEADLINE_SECONDS)
    assert console_errors == []
