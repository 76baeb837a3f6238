"""The modebar PNG in headless Chromium carries the view's share link and is named by chart and range
(assets/clientside.js)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

# Every annotation text a chart is given while the test runs.
RECORD_NOTES = """() => {
  window.notes = [];
  const original = window.Plotly.relayout;
  window.Plotly.relayout = function (div, update, ...rest) {
    if (update && update.annotations) window.notes.push(update.annotations.map(a => a.text));
    return original.call(this, div, update, ...rest);
  };
}"""


def _notes(page: Page, key: str) -> list[str]:
    return page.evaluate(
        "key => (document.querySelector(`#graph-${key} .js-plotly-plot`).layout.annotations || []).map(a => a.text)",
        key,
    )


def test_modebar_png_carries_the_share_link_and_the_chart_gets_its_notes_back(page: Page, live_url: str) -> None:
    page.goto(live_url + "/?range=2020-01-01..2021-12-31&equity=iwm")
    page.wait_for_function(
        "() => (document.querySelector('#graph-altcoins .js-plotly-plot')?.data || []).length > 0", timeout=30_000
    )
    page.wait_for_load_state("networkidle")
    before = _notes(page, "altcoins")
    page.evaluate(RECORD_NOTES)
    page.locator("#graph-altcoins").hover()
    with page.expect_download() as download:
        page.locator('#graph-altcoins [data-title^="Download plot"]').click()
    assert download.value.path().read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert download.value.suggested_filename == "riskon_altcoins_2020-01-01_2021-12-31.png"  # chart and range
    drawn = page.evaluate("window.notes")
    # The image was drawn with the credit line and the link to this very view.
    assert [*before, page.url] in drawn
    assert page.url.endswith("/?range=2020-01-01..2021-12-31&equity=iwm")
    page.wait_for_function(
        "n => document.querySelector('#graph-altcoins .js-plotly-plot').layout.annotations.length === n",
        arg=len(before),
        timeout=10_000,
    )
    assert _notes(page, "altcoins") == before
