"""Linked charts in headless Chromium (assets/clientside.js): a zoom refits every chart in the browser, a
double-click returns every chart and the URL to the preset, a hover shows the same day on every chart."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import eventually

pytestmark = pytest.mark.browser

# Charts every view draws with data (the four panels and the analytics charts; others may join them).
CHARTS = ("smallcaps", "altcoins", "stablecoins", "sentiment", "correlation", "drawdown", "ssr")
# Counts Plotly.relayout calls per chart, so that a test can say how many times each chart was redrawn.
COUNT_RELAYOUTS = """() => {
  window.relayouts = {};
  const original = window.Plotly.relayout;
  window.Plotly.relayout = function (div, ...rest) {
    const id = div.closest('.chart').id;
    window.relayouts[id] = (window.relayouts[id] || 0) + 1;
    return original.call(this, div, ...rest);
  };
}"""


def _open(page: Page, url: str) -> None:
    page.goto(url)
    # dcc.Graph first draws an empty plot; wait for the server's traces on every chart.
    page.wait_for_function(
        "keys => keys.every(k => (document.querySelector(`#graph-${k} .js-plotly-plot`)?.data || []).length > 0)",
        arg=list(CHARTS),
        timeout=30_000,
    )
    # A render still in flight, or a plot dcc.Graph has queued (it marks the chart pending), would redraw the
    # charts at the view's range after a test zoomed them.
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('.dash-graph--pending')", timeout=30_000)


def _x_range(page: Page, key: str) -> list[str]:
    return page.evaluate(
        "key => document.querySelector(`#graph-${key} .js-plotly-plot`)._fullLayout.xaxis.range"
        ".map(v => String(v).slice(0, 10))",
        key,
    )


def _y_range(page: Page, key: str, axis: str = "yaxis") -> list[float]:
    return page.evaluate(
        "([key, axis]) => document.querySelector(`#graph-${key} .js-plotly-plot`)._fullLayout[axis].range",
        [key, axis],
    )


def _relayout(page: Page, key: str, update: dict[str, object]) -> None:
    page.evaluate(
        "([key, update]) => Plotly.relayout(document.querySelector(`#graph-${key} .js-plotly-plot`), update)",
        [key, update],
    )


def _zoom_until_in_url(page: Page, key: str, start: str, end: str) -> None:
    """Zoom chart `key` as a user would, again if a render still in flight on a loaded machine redrew it first."""
    wanted = re.compile(rf"\?range={start}\.\.{end}")
    for _ in range(5):
        _relayout(page, key, {"xaxis.range": [start, end]})
        try:
            expect(page).to_have_url(wanted, timeout=15_000)
            return
        except AssertionError:
            page.wait_for_load_state("networkidle")
    expect(page).to_have_url(wanted)


def _all_x_ranges(page: Page) -> list[list[str]]:
    return [_x_range(page, key) for key in CHARTS]


def test_a_preset_is_drawn_in_the_browser_with_one_relayout_per_chart(page: Page, live_url: str) -> None:
    _open(page, live_url)  # the default five years, every day of them in the browser
    five_years = _x_range(page, "smallcaps")
    page.evaluate(COUNT_RELAYOUTS)
    # The server is unreachable from here on: the one-year view must come from the browser alone.
    page.route("**/_dash-update-component", lambda route: route.abort())
    page.locator("#preset").get_by_text("1Y", exact=True).click()

    def shown() -> set[tuple[str, ...]]:
        return {tuple(_x_range(page, key)) for key in CHARTS}

    eventually(page, lambda: len(shown()) == 1 and shown() != {tuple(five_years)}, True)
    start, end = (dt.date.fromisoformat(day) for day in _x_range(page, "ssr"))
    assert end.isoformat() == five_years[1] and 365 <= (end - start).days <= 366
    # ^RUT's y axis is refitted to the year (its 5-year low, about 1,650 in 2022, is outside it).
    assert _y_range(page, "smallcaps")[0] > 1_700
    counts = page.evaluate("window.relayouts")
    assert {key: counts.get(f"graph-{key}") for key in CHARTS} == {key: 1 for key in CHARTS}


def _axis(page: Page, key: str, axis: str = "yaxis") -> dict[str, Any]:
    return page.evaluate(
        "([key, axis]) => { const a = document.querySelector(`#graph-${key} .js-plotly-plot`)._fullLayout[axis];"
        " return {type: a.type, range: a.range, dtick: a.dtick}; }",
        [key, axis],
    )


def test_a_scale_is_drawn_in_the_browser_with_one_relayout_per_chart_it_changes(page: Page, live_url: str) -> None:
    _open(page, live_url)
    linear = _y_range(page, "smallcaps")
    page.evaluate(COUNT_RELAYOUTS)
    # The server is unreachable from here on: the log axes must come from the browser alone.
    page.route("**/_dash-update-component", lambda route: route.abort())
    page.locator("#scale").get_by_text("Log", exact=True).click()
    eventually(page, lambda: _axis(page, "smallcaps")["type"], "log")
    # Refitted in log10 units: ^RUT's five years (~1,650 to ~3,000) and BTC's (~15,000 to ~125,000).
    low, high = _axis(page, "smallcaps")["range"]
    assert 3.15 < low < math.log10(linear[0] + 100) and math.log10(linear[1] - 100) < high < 3.55
    assert (
        4.0 < _axis(page, "smallcaps", "yaxis2")["range"][0] < 4.3
        and _axis(page, "smallcaps", "yaxis2")["type"] == "log"
    )
    # Stablecoin supply spans more than a decade in five years: 1-2-5 ticks per decade, as the server draws them.
    assert _axis(page, "stablecoins") == {"type": "log", "range": _axis(page, "stablecoins")["range"], "dtick": "D2"}
    # Axes that do not follow the scale keep theirs: liquidity's right axis (log always), Fear & Greed's 0-100.
    assert _axis(page, "liquidity", "yaxis2")["type"] == "log" and _axis(page, "sentiment")["type"] == "linear"
    counts = page.evaluate("window.relayouts")
    scaled = ("smallcaps", "altcoins", "stablecoins", "ssr", "liquidity")
    assert {key: counts.get(f"graph-{key}") for key in (*CHARTS, "liquidity")} == {
        key: 1 if key in scaled else None for key in (*CHARTS, "liquidity")
    }


def test_a_scale_drawn_in_the_browser_holds_when_the_server_moves_the_range(page: Page, live_url: str) -> None:
    _open(page, live_url)
    five_years = _x_range(page, "smallcaps")
    page.locator("#scale").get_by_text("Log", exact=True).click()
    expect(page).to_have_url(re.compile(r"\?scale=log$"), timeout=30_000)
    _zoom_until_in_url(page, "smallcaps", "2024-01-02", "2024-12-31")
    page.go_back()  # the server moves every chart back to five years (a range patch on the figure it sent)
    expect(page).to_have_url(re.compile(r"\?scale=log$"), timeout=30_000)
    eventually(page, lambda: _all_x_ranges(page), [five_years] * len(CHARTS))
    page.wait_for_load_state("networkidle")
    assert [_axis(page, key)["type"] for key in ("smallcaps", "altcoins", "stablecoins", "ssr")] == ["log"] * 4
    assert 3.15 < _axis(page, "smallcaps")["range"][0] < 3.3  # fitted in log units to the five years again


def test_a_zoom_refits_every_chart_in_the_browser_with_one_relayout_each(page: Page, live_url: str) -> None:
    _open(page, live_url)
    page.evaluate(COUNT_RELAYOUTS)
    # The server is unreachable from here on: x and y must come from the browser alone.
    page.route("**/_dash-update-component", lambda route: route.abort())
    _relayout(page, "stablecoins", {"xaxis.range": ["2020-03-01", "2021-06-30"]})
    eventually(page, lambda: _all_x_ranges(page), [["2020-03-01", "2021-06-30"]] * len(CHARTS))
    # ^RUT's March 2020 low is 991 and its high in the window about 2,360; BTC (right axis) spans ~4,900-64,000.
    eventually(page, lambda: _y_range(page, "smallcaps")[0] < 1_000, True)
    low, high = _y_range(page, "smallcaps")
    assert 900 < low < 991 and 2_360 < high < 2_500
    btc_low, btc_high = _y_range(page, "smallcaps", "yaxis2")
    assert 0 < btc_low < 4_900 and 63_000 < btc_high < 70_000
    assert _y_range(page, "sentiment") == [0, 100]  # Fear & Greed's axis is fixed
    # One relayout per chart: the source gets its y axes (Plotly already drew its x), the others x and y together.
    counts = page.evaluate("window.relayouts")
    assert {key: counts.get(f"graph-{key}") for key in CHARTS} == {key: 1 for key in CHARTS} | {"stablecoins": 2}


def test_a_zoom_reaches_the_url_through_the_server_sync(page: Page, live_url: str) -> None:
    _open(page, live_url)
    _relayout(page, "altcoins", {"xaxis.range": ["2020-10-01", "2021-06-30"]})
    expect(page).to_have_url(re.compile(r"\?range=2020-10-01\.\.2021-06-30$"), timeout=30_000)
    expect(page.locator("#dates")).to_have_value("2020-10-01", timeout=30_000)
    eventually(page, lambda: _all_x_ranges(page), [["2020-10-01", "2021-06-30"]] * len(CHARTS))


def test_a_log_axis_is_refitted_in_log_units(page: Page, live_url: str) -> None:
    _open(page, live_url + "/?scale=log&preset=max")
    _relayout(page, "smallcaps", {"xaxis.range": ["2020-03-01", "2021-06-30"]})
    # log10 of ^RUT's ~991 low and ~2,360 high in the window (at 'Max' the axis starts near log10(100) = 2)
    eventually(page, lambda: 2.9 < _y_range(page, "smallcaps")[0] < 3.0, True)
    assert 3.37 < _y_range(page, "smallcaps")[1] < 3.45


def _double_click(page: Page, key: str) -> None:
    # Playwright waits until the drag layer is visible and stable, and finds it again if a redraw replaced it.
    page.locator(f"#graph-{key} .nsewdrag").first.dblclick()


def test_double_click_at_the_preset_keeps_the_chart_on_the_preset(page: Page, live_url: str) -> None:
    _open(page, live_url)
    preset = _x_range(page, "smallcaps")
    _double_click(page, "altcoins")
    # Plotly's autorange would show 1986-2028 on this chart only; it stays in line with the others.
    eventually(page, lambda: _all_x_ranges(page), [preset] * len(CHARTS))
    assert page.url == live_url + "/"


def test_double_click_after_a_zoom_returns_every_chart_and_the_url_to_the_preset(page: Page, live_url: str) -> None:
    _open(page, live_url + "/?preset=1y")
    preset = _x_range(page, "smallcaps")
    _zoom_until_in_url(page, "smallcaps", "2025-06-01", "2025-09-30")
    expect(page).to_have_url(re.compile(r"\?range=2025-06-01\.\.2025-09-30&preset=1y$"), timeout=30_000)
    _double_click(page, "drawdown")
    expect(page).to_have_url(re.compile(r"\?preset=1y$"), timeout=30_000)
    eventually(page, lambda: _all_x_ranges(page), [preset] * len(CHARTS))
    _double_click(page, "drawdown")  # a second double-click, now at the preset, changes nothing
    eventually(page, lambda: _all_x_ranges(page), [preset] * len(CHARTS))
    expect(page).to_have_url(re.compile(r"\?preset=1y$"), timeout=30_000)


def _hover_labels(page: Page, key: str) -> int:
    """1 while chart `key` shows a hover label, else 0."""
    return min(page.locator(f"#graph-{key} .hoverlayer > *").count(), 1)


def test_hovering_one_chart_shows_the_same_day_on_the_others(page: Page, live_url: str) -> None:
    _open(page, live_url + "/?range=2021-01-01..2021-01-31")
    hovered: list[str] = []
    page.expose_function("reportHover", lambda key, x: hovered.append(f"{key} {x}"))
    page.evaluate(
        """keys => keys.forEach(k => document.querySelector(`#graph-${k} .js-plotly-plot`)
             .on('plotly_hover', e => window.reportHover(k, String(e.points[0].x).slice(0, 10))))""",
        list(CHARTS),
    )
    box = page.locator("#graph-smallcaps .nsewdrag").first.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for key in ("altcoins", "stablecoins", "sentiment"):
        eventually(page, functools.partial(_hover_labels, page, key), 1)
    # The unified label on another chart names the day hovered on ^RUT (mid-January 2021).
    label = page.locator("#graph-sentiment .hoverlayer").text_content() or ""
    assert re.search(r"1[3-9] Jan 2021", label), label
    # Only the pointer's chart reported a hover: the labels drawn elsewhere did not echo back.
    page.wait_for_timeout(500)
    assert hovered and {entry.split()[0] for entry in hovered} == {"smallcaps"}


def test_leaving_a_chart_clears_the_linked_hover(page: Page, live_url: str) -> None:
    _open(page, live_url + "/?range=2021-01-01..2021-01-31")
    box = page.locator("#graph-smallcaps .nsewdrag").first.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    eventually(page, functools.partial(_hover_labels, page, "altcoins"), 1)
    page.mouse.move(5, 5)  # off every chart
    eventually(page, lambda: _hover_labels(page, "altcoins"), 0)
