"""Bring your own series in headless Chromium: a valid CSV reaches the URL, its chart and the event study, and a
shared link shows it; a malformed file and an oversized one are refused with a reason and leave the view alone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import FilePayload, Page, expect

from components import ids
from components.charts.upload import MAX_UPLOAD_BYTES
from data_sources.uploads import too_large
from tests.browser.conftest import built

pytestmark = pytest.mark.browser
FILE_INPUT = f"{built(ids.UPLOAD_INPUT)} input[type=file]"  # built as the card nears the screen
# CryptoQuant's export format (USDT ERC-20 held on all exchanges, USD): a few real rows, as its terms allow.
CRYPTOQUANT = b"""date,Exchange Reserve
2021-01-01,2096054392.761613
2021-01-02,2155391279.466493
2021-01-03,1983200860.283628
2021-01-04,2073097958.479676
2021-01-05,2033387047.831489
2021-01-06,2047775536.999556
2021-01-07,1966919180.0215893
2021-01-08,2071311757.414104
"""
UPLOAD_ID = re.compile(r"upload=([0-9a-f]{16})")


def _drop(page: Page, name: str, data: bytes) -> None:
    page.set_input_files(FILE_INPUT, files=FilePayload(name=name, mimeType="text/csv", buffer=data))


def _trace_names(page: Page) -> list[str]:
    return page.evaluate("() => (document.querySelector('.upload-chart .js-plotly-plot')?.data || []).map(t => t.name)")


def _open(page: Page, url: str) -> None:
    page.goto(url)
    page.locator("#upload-status").scroll_into_view_if_needed()  # the card is drawn once it nears the screen
    expect(page.locator("#upload-status")).not_to_be_empty(timeout=30_000)


def test_a_valid_upload_reaches_the_url_its_chart_and_a_shared_link(
    page: Page, live_url: str, console_errors: list[str]
) -> None:
    _open(page, live_url)
    _drop(page, "Tether USD(ERC20) Exchange Reserve - All Exchanges - Day.csv", CRYPTOQUANT)
    page.wait_for_url(UPLOAD_ID, timeout=30_000)
    upload_id = UPLOAD_ID.search(page.url).group(1)  # type: ignore[union-attr]
    expect(page.locator("#upload-message")).to_contain_text("8 rows from 2021-01-01 to 2021-01-08")
    expect(page.locator("#upload-message")).to_have_class("convention")  # a note, not an error
    expect(page.locator("input#upload")).to_have_value(upload_id)
    page.wait_for_function(
        "() => (document.querySelector('.upload-chart .js-plotly-plot')?.data || []).length >= 2", timeout=30_000
    )
    assert _trace_names(page) == ["Exchange Reserve", "BTC"]

    # Another browser on the same server, from the link: the upload is there, and the study can follow it.
    other = page.context.browser.new_page()  # type: ignore[union-attr]
    try:
        _open(other, f"{live_url}/?upload={upload_id}&asset=upload&vs=rut")
        expect(other.locator("#upload-status")).to_contain_text(f"(id {upload_id})")
        other.wait_for_function(
            "() => (document.querySelector('.upload-chart .js-plotly-plot')?.data || []).map(t => t.name)"
            ".join() === 'Exchange Reserve,^RUT'",
            timeout=30_000,
        )
        other.wait_for_function(
            "() => (document.querySelector('.study-chart .js-plotly-plot')?.layout?.title?.text || '')"
            ".includes('the upload after each ^RUT breakout')",
            timeout=30_000,
        )
    finally:
        other.close()
    assert console_errors == []


def test_an_unknown_upload_id_is_named_calmly(page: Page, live_url: str) -> None:
    _open(page, f"{live_url}/?upload=0123456789abcdef")
    expect(page.locator("#upload-status")).to_contain_text("Upload 0123456789abcdef is not on this server")
    assert _trace_names(page) == []


def test_a_malformed_file_is_refused_with_the_row_and_the_view_keeps_no_upload(page: Page, live_url: str) -> None:
    _open(page, live_url)
    _drop(page, "reserves.csv", b"date,Exchange Reserve\n2021-01-01,2096054392.76\n2021-01-02,n/a?\n")
    expect(page.locator("#upload-message")).to_contain_text(
        "reserves: row 3, column 'Exchange Reserve': 'n/a?' is not a number", timeout=30_000
    )
    expect(page.locator("#upload-message")).to_have_class("panel-message")
    assert "upload=" not in page.url
    expect(page.locator("#upload-status")).to_contain_text("No upload in this view")


def test_a_file_that_is_not_a_csv_is_refused_with_a_reason(page: Page, live_url: str) -> None:
    # Found by QA: a PNG chosen from the file dialog ("all files") was dropped without a word.
    _open(page, live_url)
    png = FilePayload(name="chart.png", mimeType="image/png", buffer=b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    page.set_input_files(FILE_INPUT, files=png)
    expect(page.locator("#upload-message")).to_contain_text("chart: the file is not UTF-8 text", timeout=30_000)
    assert "upload=" not in page.url


def test_an_oversized_file_is_refused_in_the_browser_and_never_sent(page: Page, live_url: str) -> None:
    _open(page, live_url)
    bodies: list[int] = []
    page.on("request", lambda request: bodies.append(len(request.post_data_buffer or b"")))
    rows = b"".join(b"%d-01-01,1\n" % year for year in range(1900, 2100))
    big = b"date,Exchange Reserve\n" + rows * (MAX_UPLOAD_BYTES // len(rows) + 1)
    assert len(big) > MAX_UPLOAD_BYTES
    _drop(page, "big.csv", big)
    expect(page.locator("#upload-message")).to_contain_text(
        f"big.csv: {too_large(len(big), MAX_UPLOAD_BYTES)}.", timeout=30_000
    )
    expect(page.locator("#upload-message")).to_have_class("panel-message")
    assert "upload=" not in page.url
    assert all(size < MAX_UPLOAD_BYTES for size in bodies)
