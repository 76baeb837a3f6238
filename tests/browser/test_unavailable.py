"""A series that cannot be fetched: its panel says why, every other series and panel keeps working."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from data_sources.base import Fetched, FetchError
from data_sources.config import open_cache
from data_sources.refresher import Refresher
from data_sources.store import Store
from tests.data_sources.fake_upstream import history

pytestmark = pytest.mark.browser
# Assertions wait on state; on a loaded 2-core machine the state may take far longer than Playwright's 5 s.
expect.set_options(timeout=30_000)


class BtcDown:
    """A live source serving the embedded snapshot's real data, except BTC, whose upstream keeps failing."""

    def fetch_series(self, series_id: str) -> Fetched:
        if series_id == "btc":
            raise FetchError("yahoo", "btc", "HTTP 503 after 3 retries")
        return Fetched(history(series_id), "live test source", 3600)


@pytest.fixture(scope="module")
def btc_down_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from app import create_app

    store = Store(open_cache(tmp_path_factory.mktemp("btc-down")), mode="live")
    Refresher(store, BtcDown()).refresh_due()  # what the background refresher does
    server = make_server("127.0.0.1", 0, create_app(store).server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def test_an_unavailable_series_is_named_in_its_panel_and_the_rest_keeps_working(
    page: Page, btc_down_url: str, console_errors: list[str]
) -> None:
    page.goto(btc_down_url)
    # Wait on state, however long a loaded machine takes: every panel's badge is written by the same answer.
    page.wait_for_function(
        "ids => ids.every(id => (document.getElementById(id)?.textContent || '') !== '')",
        arg=[f"badge-{key}" for key in ("smallcaps", "altcoins", "stablecoins", "sentiment")],
        timeout=90_000,
    )
    expect(page.locator("#message-smallcaps")).to_have_text("Bitcoin price: unavailable: upstream error (HTTP 503)")
    expect(page.locator("#badge-smallcaps")).to_have_text(re.compile(r"partly unavailable$"))
    expect(page.locator("#badge-smallcaps")).to_have_class(re.compile("badge-error"))
    expect(page.locator("#graph-smallcaps .legendtext").first).to_have_text("^RUT")  # the equity is still drawn
    for key in ("altcoins", "stablecoins", "sentiment"):
        expect(page.locator(f"#message-{key}")).to_have_text("")
        expect(page.locator(f"#badge-{key}")).to_have_text(re.compile(r"^as of \d{4}-\d{2}-\d{2}"))
    expect(page.locator("#graph-sentiment .scatterlayer .js-fill").first).to_be_attached()
    assert console_errors == []
