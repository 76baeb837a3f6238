"""The event study in headless Chromium: its controls write the URL, the chart draws paths over the placebo band,
the table shows the statistics with their sample-size badges, and a shared link restores it."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from components import ids
from tests.browser.conftest import built

pytestmark = pytest.mark.browser
PLOT = ".study-chart .js-plotly-plot"  # the graph is built as its card nears the screen
STUDY_TABLE = built(ids.STUDY_TABLE)  # built as its card nears the screen


def _traces(page: Page) -> list[dict[str, Any]]:
    """Name, fill and point count of each trace the study chart draws (y travels as a typed array)."""
    traces = page.evaluate(
        f"""() => (document.querySelector('{PLOT}')?.data || []).map(t => ({{
            name: t.name, fill: t.fill || null, y: t.y
        }}))"""
    )
    for trace in traces:
        y = trace.pop("y")
        size = {"f4": 4, "f8": 8}[y["dtype"]] if isinstance(y, dict) else 1
        trace["points"] = len(base64.b64decode(y["bdata"])) // size if isinstance(y, dict) else len(y or [])
    return traces


def _wait_for_title(page: Page, text: str) -> None:
    page.locator(f"#{ids.card('event-study')}").scroll_into_view_if_needed()  # the study is computed once near
    page.wait_for_function(
        f"""text => (document.querySelector('{PLOT}')?.layout?.title?.text || '').includes(text)""",
        arg=text,
        timeout=30_000,
    )


def _checked(page: Page, control: str) -> list[str]:
    return page.eval_on_selector_all(f"#{control} input:checked", "inputs => inputs.map(i => i.value)")


def test_study_controls_write_the_url_and_the_chart_shows_the_band(
    page: Page, live_url: str, console_errors: list[str]
) -> None:
    page.goto(live_url)
    _wait_for_title(page, "BTC after each ^RUT breakout")
    traces = _traces(page)
    band = [trace for trace in traces if trace["fill"] == "tonexty"]
    assert len(band) == 1 and band[0]["points"] == 366  # days 0..365 after entry
    assert any(re.fullmatch(r"\d{4}-\d{2}-\d{2}", trace["name"]) for trace in traces)  # one path per breakout
    expect(page.locator("#study-summary")).to_contain_text("variants tested")
    rows = page.locator(f"{STUDY_TABLE} tbody tr")
    expect(rows).to_have_count(7)  # a header row and the 6 statistics
    expect(page.locator(STUDY_TABLE)).to_contain_text("n < 5: anecdote, no inference")
    expect(page.locator("#study-notes")).to_contain_text("Convention:")

    page.locator("#study-signal").get_by_text("F&G into extreme fear").click()
    page.locator("#study-asset").get_by_text("TOTAL2", exact=True).click()
    page.locator("#placebo").get_by_text("Spaced random days").click()
    page.wait_for_url(re.compile(r"signal=extreme_fear"), timeout=20_000)
    page.wait_for_url(re.compile(r"asset=altcoin_mcap"), timeout=20_000)
    page.wait_for_url(re.compile(r"placebo=spaced"), timeout=20_000)
    _wait_for_title(page, "TOTAL2 after each F&G into extreme fear")
    traces = _traces(page)
    assert [trace["name"] for trace in traces if trace["fill"] == "tonexty"]
    # Over a hundred crossings: drawn as one trace of paths and their mean, not a hundred legend entries.
    assert any(re.fullmatch(r"\d+ events", trace["name"]) for trace in traces)
    assert "mean of events" in [trace["name"] for trace in traces]
    expect(page.locator("#study-notes")).to_contain_text("uses the shifted placebo")
    assert console_errors == []


def test_a_shared_study_link_restores_its_controls(page: Page, live_url: str) -> None:
    page.goto(f"{live_url}/?signal=liquidity&asset=rut&study_days=90&placebo=spaced")
    _wait_for_title(page, "^RUT after each Net liquidity turns up")
    assert _checked(page, "study-signal") == ["liquidity"]
    assert _checked(page, "study-asset") == ["rut"]
    assert _checked(page, "placebo") == ["spaced"]
    expect(page.locator("input#study-days")).to_have_value("90")
    band = [trace for trace in _traces(page) if trace["fill"] == "tonexty"]
    assert band[0]["points"] == 91
