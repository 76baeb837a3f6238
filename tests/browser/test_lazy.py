"""The date picker and the tables are built when the analyst comes to them, so that their code (Dash's async
date-picker and table bundles) is not fetched with every page; once built they work as they always did."""

from __future__ import annotations

import datetime as dt
import functools
import re

import pytest
from playwright.sync_api import Page, Request, Route, expect

from components import charts, ids
from tests.browser.conftest import DATES_END, DATES_START, built, eventually, reach_for_dates

pytestmark = pytest.mark.browser
expect.set_options(timeout=30_000)  # state on a loaded 2-core machine may take far longer than Playwright's 5 s
CHARTS = tuple(chart.key for chart in charts.CHARTS)
DEFERRED_CHUNKS = ("async-datepicker.js", "async-table.js", "async-highlight.js", "async-upload.js")
SIGNAL_TABLE = built(ids.SIGNAL_TABLE)
ALL_DRAWN = "keys => keys.every(k => (document.querySelector(`#graph-${k} .js-plotly-plot`)?.data || []).length > 0)"


def _open(page: Page, url: str) -> list[str]:
    """Open `url` until every chart is drawn; the file names of the scripts it fetched so far, and from then on."""
    fetched: list[str] = []

    def record(request: Request) -> None:
        fetched.append(request.url.rsplit("/", 1)[-1].split("?")[0])

    page.on("request", record)
    page.goto(url)
    page.wait_for_function(ALL_DRAWN, arg=list(CHARTS), timeout=60_000)
    return fetched


def _x_range(page: Page, key: str) -> list[str]:
    return page.evaluate(
        "key => document.querySelector(`#graph-${key} .js-plotly-plot`)"
        ".layout.xaxis.range.map(v => String(v).slice(0, 10))",
        key,
    )


def test_the_first_screen_fetches_no_picker_or_table_code(page: Page, live_url: str, console_errors: list[str]) -> None:
    fetched = _open(page, live_url)
    page.wait_for_load_state("networkidle")  # whatever the page asks for on its own has been asked for
    assert "async-graph.js" in fetched  # the recording sees the async chunks the charts need
    assert [name for name in fetched if name in DEFERRED_CHUNKS] == []
    expect(page.locator(f"#{ids.DATES_SHOWN}")).to_have_text("start→end")
    expect(page.locator(SIGNAL_TABLE)).to_have_count(0)
    assert console_errors == []


def test_reaching_for_the_custom_range_builds_the_picker_and_picking_two_days_sets_the_range(
    page: Page, live_url: str, console_errors: list[str]
) -> None:
    query = "?range=2020-10-01..2021-06-30&equity=iwm"
    fetched = _open(page, live_url + "/" + query)
    expect(page.locator(f"#{ids.DATES_SHOWN}")).to_have_text("2020-10-01→2021-06-30")
    reach_for_dates(page)
    assert "async-datepicker.js" in fetched
    expect(page.locator(f"#{ids.DATES_SHOWN}")).to_be_hidden()
    # The picker arrives showing the URL's range, and its arrival changes nothing.
    expect(page.locator(DATES_START)).to_have_value("2020-10-01")
    expect(page.locator(DATES_END)).to_have_value("2021-06-30")
    assert page.url == live_url + "/" + query
    page.locator(DATES_START).fill("2021-01-04")
    page.locator(DATES_START).press("Tab")
    page.locator(DATES_END).fill("2021-03-31")
    page.locator(DATES_END).press("Enter")
    expect(page).to_have_url(re.compile(r"\?range=2021-01-04\.\.2021-03-31&equity=iwm$"))
    for key in CHARTS:
        eventually(page, functools.partial(_x_range, page, key), ["2021-01-04", "2021-03-31"])
    assert console_errors == []


def test_from_a_preset_the_first_day_picked_stays_until_the_second_sets_the_range(page: Page, live_url: str) -> None:
    # Found by QA: the server answered the first day with the view's empty range, which erased it from the picker,
    # so no range could be picked from a preset view.
    _open(page, live_url + "/?equity=iwm")
    reach_for_dates(page)
    with page.expect_response(lambda response: "_dash-update-component" in response.url):
        page.locator(DATES_START).fill("2021-01-04")
        page.locator(DATES_START).press("Tab")
    page.wait_for_load_state("networkidle")  # every answer to the first day has arrived
    expect(page.locator(DATES_START)).to_have_value("2021-01-04")
    assert "range=" not in page.url  # one day is not a range yet
    page.locator(DATES_END).fill("2021-03-31")
    page.locator(DATES_END).press("Enter")
    expect(page).to_have_url(re.compile(r"\?range=2021-01-04\.\.2021-03-31&equity=iwm$"))
    expect(page.locator(DATES_START)).to_have_value("2021-01-04")


def test_a_click_on_the_custom_range_while_the_picker_loads_opens_the_picker(page: Page, live_url: str) -> None:
    held: list[Route] = []  # the picker's code arrives only when released
    page.route("**/async-datepicker.js", lambda route: held.append(route))
    _open(page, live_url)
    page.click(f"#{ids.DATES_SHOWN}")  # the pointer reaches it, then clicks, before the code is there
    eventually(page, lambda: len(held) > 0, True)
    for route in held:
        route.continue_()
    expect(page.locator(DATES_START)).to_be_focused()
    expect(page.locator(".dash-datepicker-content")).to_be_visible()


def _column(page: Page, column: str) -> list[str]:
    return page.eval_on_selector_all(
        f"{SIGNAL_TABLE} td[data-dash-column='{column}']", "cells => cells.map(c => c.innerText)"
    )


def test_scrolling_to_the_signals_builds_the_table_which_sorts_and_zooms_on_a_row_click(
    page: Page, live_url: str, console_errors: list[str]
) -> None:
    _open(page, live_url + "/?resolution=monthly")
    expect(page.locator(SIGNAL_TABLE)).to_have_count(0)
    page.mouse.wheel(0, 600)
    expect(page.locator(f"{SIGNAL_TABLE} td").first).to_be_visible()
    signals = _column(page, "signal")
    assert len(signals) > 3 and signals == sorted(signals)  # oldest breakout first
    # Sorting by the breakout date puts the newest first on the second click.
    sort = page.locator(f"{SIGNAL_TABLE} th[data-dash-column='signal'] .column-header--sort")
    sort.click()
    sort.click()
    eventually(page, functools.partial(_column, page, "signal"), sorted(signals, reverse=True))
    newest = dt.date.fromisoformat(_column(page, "signal")[0])
    page.locator(f"{SIGNAL_TABLE} td[data-dash-column='signal']").first.click()
    start, end = newest - dt.timedelta(days=120), newest + dt.timedelta(days=400)
    expect(page).to_have_url(re.compile(rf"\?range={start}\.\.{end}&resolution=monthly$"))
    for key in CHARTS:
        eventually(page, functools.partial(_x_range, page, key), [start.isoformat(), end.isoformat()])
    assert console_errors == []
