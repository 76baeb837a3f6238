"""/claims in headless Chromium: every claim with a verdict, and each "open view" link opens the dashboard on the
view that shows it (its URL, its controls and the charts' x range)."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from components.url_state import decode

pytestmark = pytest.mark.browser


def test_a_claims_open_view_link_opens_that_view_on_the_dashboard(
    page: Page, live_url: str, console_errors: list[str]
) -> None:
    page.goto(f"{live_url}/claims")
    rows = page.locator("table.claims tbody tr")
    expect(rows).to_have_count(13)
    expect(page.locator(".verdict")).to_have_count(13)
    link = rows.filter(has_text="Bitcoin surged about 380%").get_by_role("link", name="open view")
    href = link.get_attribute("href") or ""
    view = decode(urlsplit(href).query)
    assert (view.start, view.end, view.mode, view.scale) == (
        dt.date(2020, 10, 1),
        dt.date(2021, 12, 31),
        "rebase",
        "log",
    )
    link.click()

    page.wait_for_url(re.compile(r"/\?range=2020-10-01\.\.2021-12-31"), timeout=30_000)
    page.wait_for_function(
        """() => {
            const plot = document.querySelector('#graph-smallcaps .js-plotly-plot');
            const range = plot?.layout?.xaxis?.range;
            return plot?.data?.length > 0 && range && String(range[0]).startsWith('2020-10-01')
                && String(range[1]).startsWith('2021-12-31') && plot.layout.yaxis.type === 'log';
        }""",
        timeout=30_000,
    )
    assert page.eval_on_selector_all("#mode input:checked", "inputs => inputs.map(i => i.value)") == ["rebase"]
    assert page.eval_on_selector_all("#scale input:checked", "inputs => inputs.map(i => i.value)") == ["log"]
    assert page.eval_on_selector_all("#preset input:checked", "inputs => inputs.map(i => i.value)") == []
    assert decode(urlsplit(page.url).query) == view  # the dashboard shows exactly the linked view
    assert console_errors == []
