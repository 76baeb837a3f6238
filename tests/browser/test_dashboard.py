"""The dashboard in headless Chromium: linked zoom, URL sharing, back/forward, downloads, no console errors."""

from __future__ import annotations

import csv
import functools
import io
import re
import struct

import pytest
from playwright.sync_api import Page, Route, expect

from components import ids
from components.charts import CHARTS
from data_sources.series import SERIES
from tests.browser.conftest import DATES_END, DATES_START, built, eventually, reach_for_dates

PANELS = ("smallcaps", "altcoins", "stablecoins", "sentiment")
SIGNAL_TABLE = built(ids.SIGNAL_TABLE)
pytestmark = pytest.mark.browser
# Assertions wait on state; on a loaded 2-core machine the state may take far longer than Playwright's 5 s.
expect.set_options(timeout=30_000)


def _open(page: Page, url: str) -> None:
    page.goto(url)
    for key in PANELS:
        expect(page.locator(f"#graph-{key} .main-svg").first).to_be_visible(timeout=15_000)
    # dcc.Graph first draws an empty plot; wait for the server's traces before touching a chart.
    page.wait_for_function(
        "keys => keys.every(k => (document.querySelector(`#graph-${k} .js-plotly-plot`)?.data || []).length > 0)",
        arg=list(PANELS),
        timeout=15_000,
    )


def _x_range(page: Page, key: str) -> list[str]:
    return page.evaluate(
        "key => document.querySelector(`#graph-${key} .js-plotly-plot`)"
        ".layout.xaxis.range.map(v => String(v).slice(0, 10))",
        key,
    )


def _y_range(page: Page, key: str) -> list[float]:
    return page.evaluate("key => document.querySelector(`#graph-${key} .js-plotly-plot`).layout.yaxis.range", key)


def _layout(page: Page, key: str, path: str) -> object:
    return page.evaluate(
        "([key, path]) => path.split('.').reduce((o, k) => o && o[k], "
        "document.querySelector(`#graph-${key} .js-plotly-plot`).layout)",
        [key, path],
    )


def _action(kind: str, key: str) -> str:
    """The CSS selector of a chart's action (a pattern-matching id, rendered as sorted JSON)."""
    return f"""[id='{{"chart":"{key}","type":"{kind}"}}']"""


def _checked(page: Page, control: str) -> list[str]:
    return page.eval_on_selector_all(f"#{control} input:checked", "inputs => inputs.map(i => i.value)")


def test_page_shows_four_charts_with_badges_and_no_console_errors(
    page: Page, live_url: str, console_errors: list[str]
) -> None:
    _open(page, live_url)
    for key in PANELS:
        expect(page.locator(f"#badge-{key}")).to_have_text(re.compile(r"^as of .*\d{4}-\d{2}-\d{2}$"))
        credit = " ".join(page.locator(f"#graph-{key} .annotation-text").all_text_contents())
        assert "Source: snapshot (" in credit and "Data as of:" in credit
    expect(page.locator("#graph-smallcaps .legendtext")).to_have_text(["^RUT", "BTC", "^RUT breakout", "retest held"])
    assert page.url == live_url + "/"  # the default view has an empty query
    # TradingView's TOTAL2 ends months before IWM: the badge names both rather than implying it is as fresh.
    page.goto(live_url + "/?provider=cryptocap")
    expect(page.locator("#badge-altcoins")).to_have_text("as of 2026-08-21 · TOTAL2 (TV) 2026-04-18", timeout=15_000)
    expect(page.locator("#graph-altcoins .annotation-text", has_text="TOTAL2 (TV) ends 2026-04-18")).to_be_visible()
    assert console_errors == []


def test_the_page_draws_with_the_browsers_own_string_functions(page: Page, live_url: str) -> None:
    # Dash's polyfill swaps them for slow scripts that plotly.js calls for every colour it reads. Its versions still
    # count U+180E as a space (it is none since Unicode 6.3): that tells them apart.
    _open(page, live_url)
    native = page.evaluate(
        "s => [s.trim(), s.trimStart(), s.trimEnd(), String(parseInt(s + 8)), String(parseFloat(s + 8))]",
        "\u180e",
    )
    assert native == ["\u180e", "\u180e", "\u180e", "NaN", "NaN"]
    assert page.evaluate("[' 08 '.trim(), parseInt(' 08 '), parseFloat('2.5e3'), Number.parseInt('7')]") == [
        "08",
        8,
        2500,
        7,
    ]


def test_a_resize_redraws_a_chart_only_when_its_box_changed_size(page: Page, live_url: str) -> None:
    # dcc.Graph resizes every chart after its first plot; Plotly's resize would draw the whole chart again.
    _open(page, live_url)
    resize = """async ([k, width]) => { const gd = document.querySelector(`#graph-${k} .js-plotly-plot`);
      let redrawn = 0; const count = () => { redrawn += 1; }; gd.on('plotly_afterplot', count);
      if (width) document.querySelector(`#panel-${k}`).style.width = width + 'px';
      await Plotly.Plots.resize(gd); gd.removeListener('plotly_afterplot', count);
      return [redrawn, gd._fullLayout.width]; }"""
    redrawn, width = page.evaluate(resize, ["smallcaps", None])
    assert redrawn == 0
    assert page.evaluate(resize, ["smallcaps", width - 120]) == [1, width - 120]
    page.set_viewport_size({"width": 900, "height": 900})  # dcc.Graph still follows its box on its own
    page.wait_for_function(
        "() => [...document.querySelectorAll('#panel-altcoins .js-plotly-plot')].every(gd => "
        "Math.abs(gd._fullLayout.width - gd.getBoundingClientRect().width) <= 1 && gd._fullLayout.width < 900)"
    )


def test_each_chart_draws_its_data_in_its_first_plot(page: Page, live_url: str) -> None:
    # The page comes holding the view's first answer (layout.page_for_referrer): no empty plot, then a second one
    # once the view callback answers.
    page.add_init_script("""(() => { window.firstPlots = {}; let plotly;
      const wrap = (P) => ['newPlot', 'react'].forEach((name) => { const original = P[name];
        P[name] = function (gd, figure, ...rest) { const id = gd.closest && gd.closest('.chart')?.id;
          if (id && !(id in window.firstPlots)) window.firstPlots[id] = ((figure && figure.data) || []).length;
          return original.call(this, gd, figure, ...rest); }; });
      Object.defineProperty(window, 'Plotly', { configurable: true, get: () => plotly,
        set: (value) => { plotly = value; wrap(value); } }); })()""")
    _open(page, live_url + "/?preset=3y&mode=rebase")
    first = page.evaluate("window.firstPlots")
    assert {f"graph-{key}" for key in PANELS} <= set(first)
    assert all(first[f"graph-{chart.key}"] > 0 for chart in CHARTS), first


def test_a_chart_shows_a_spinner_until_it_is_drawn(page: Page, live_url: str) -> None:
    spinner = """k => { const slot = document.querySelector(`#panel-${k} .graph-slot`);
      const after = slot && getComputedStyle(slot, '::after');
      return after ? [after.content, after.opacity] : null; }"""
    page.route("**/async-graph.js", lambda route: route.abort())  # the charts' code never arrives
    page.goto(live_url)
    page.wait_for_function(f"k => {{ const s = ({spinner})(k); return s && s[1] === '1'; }}", arg="smallcaps")
    page.unroute("**/async-graph.js")
    _open(page, live_url)
    for key in PANELS:
        assert page.evaluate(spinner, key)[0] == "none"
    held: list[Route] = []  # a slow server: its answers wait until released
    page.route("**/_dash-update-component", lambda route: held.append(route))
    page.locator("#preset").get_by_text("Max", exact=True).click()  # new traces: the server redraws the charts
    page.wait_for_function(f"k => {{ const s = ({spinner})(k); return s && s[1] === '1'; }}", arg="smallcaps")
    page.unroute("**/_dash-update-component")
    for route in held:
        route.continue_()
    page.wait_for_function(f"k => ({spinner})(k)[0] === 'none'", arg="smallcaps")


def test_zooming_one_chart_moves_every_other_chart_and_the_url(
    page: Page, live_url: str, console_errors: list[str]
) -> None:
    _open(page, live_url + "/?range=2019-06-01..2022-12-31")
    sizes: list[int] = []
    page.on("response", lambda r: sizes.append(len(r.body())) if "_dash-update-component" in r.url else None)
    page.evaluate(
        "Plotly.relayout(document.querySelector('#graph-stablecoins .js-plotly-plot'),"
        " {'xaxis.range': ['2020-03-01', '2021-06-30']})"
    )
    for key in PANELS:
        eventually(page, functools.partial(_x_range, page, key), ["2020-03-01", "2021-06-30"])
    expect(page).to_have_url(re.compile(r"\?range=2020-03-01\.\.2021-06-30$"))
    # y is refitted to the window in the browser, from the traces it holds: the server sends no trace again.
    eventually(page, lambda: _y_range(page, "smallcaps")[0] < 1_000, True)  # ^RUT's March 2020 low is 991
    low, high = _y_range(page, "smallcaps")
    assert low > 900 and 2_300 < high < 2_500
    expect(page.locator("#dates-shown")).to_have_text("2020-03-01→2021-06-30")
    reach_for_dates(page)
    expect(page.locator(DATES_START)).to_have_value("2020-03-01")
    expect(page.locator(DATES_END)).to_have_value("2021-06-30")
    expect(page).to_have_url(re.compile(r"\?range=2020-03-01\.\.2021-06-30$"))  # the picker's arrival changed nothing
    assert sizes and max(sizes) < 5_000
    # Out of the window the traces were built for, the new window's traces follow at full resolution.
    page.evaluate(
        "Plotly.relayout(document.querySelector('#graph-smallcaps .js-plotly-plot'),"
        " {'xaxis.range': ['2010-01-04', '2010-12-31']})"
    )
    expect(page).to_have_url(re.compile(r"\?range=2010-01-04\.\.2010-12-31$"))
    eventually(page, lambda: _first_x0(page), "2010")
    assert console_errors == []


def _first_x0(page: Page) -> str:
    """The year the first trace of the small-caps chart starts in (the window trace: the range, when one is drawn)."""
    return page.evaluate("String(document.querySelector('#graph-smallcaps .js-plotly-plot').data[0].x0).slice(0, 4)")


def test_a_real_drag_zoom_links_the_charts(page: Page, live_url: str) -> None:
    _open(page, live_url + "/?preset=max")
    box = page.locator("#graph-smallcaps .nsewdrag").first.bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.6, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.8, y, steps=8)
    page.mouse.up()
    expect(page).to_have_url(re.compile(r"\?range=\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}"))
    zoomed = _x_range(page, "smallcaps")
    for key in PANELS[1:]:
        eventually(page, functools.partial(_x_range, page, key), zoomed)


def test_a_shared_link_restores_controls_and_ranges_in_a_new_browser(page: Page, live_url: str) -> None:
    query = "?range=2020-10-01..2021-06-30&equity=iwm&alt=total3&scale=log&mode=rebase&stables=usdc&theme=dark"
    _open(page, live_url + "/" + query)
    assert _checked(page, "equity") == ["iwm"]
    assert _checked(page, "altcoin") == ["total3"]
    assert _checked(page, "mode") == ["rebase"]
    assert _checked(page, "scale") == ["log"]
    assert _checked(page, "stables") == ["usdc_supply"]
    assert _checked(page, "theme") == ["dark"]
    assert _checked(page, "preset") == []
    expect(page.locator("#page")).to_have_class(re.compile("theme-dark"))
    for key in PANELS:
        assert _x_range(page, key) == ["2020-10-01", "2021-06-30"]
    assert _layout(page, "smallcaps", "yaxis.type") == "log"
    expect(page.locator("#graph-smallcaps .legendtext")).to_have_text(["IWM", "BTC", "IWM breakout", "retest held"])
    expect(page.locator("#graph-stablecoins .legendtext")).to_have_text(["USDC", "Total crypto cap"])
    assert page.url.endswith(query)


def test_controls_write_the_url_and_back_forward_restore_the_view(page: Page, live_url: str) -> None:
    _open(page, live_url)
    page.get_by_text("IWM", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"\?equity=iwm$"))
    page.locator("#preset").get_by_text("Max").click()
    expect(page).to_have_url(re.compile(r"\?preset=max&equity=iwm$"))
    eventually(page, lambda: _x_range(page, "smallcaps")[0], "2000-05-26")  # IWM, the oldest series shown
    page.go_back()
    expect(page).to_have_url(re.compile(r"\?equity=iwm$"))
    eventually(page, lambda: _checked(page, "preset"), ["5y"])
    eventually(page, lambda: _x_range(page, "smallcaps")[0], "2021-08-22")
    page.go_back()
    eventually(page, lambda: _checked(page, "equity"), ["rut"])
    page.go_forward()
    eventually(page, lambda: _checked(page, "equity"), ["iwm"])


def test_malformed_parameters_fall_back_to_defaults_without_an_error_page(
    page: Page, live_url: str, console_errors: list[str]
) -> None:
    _open(page, live_url + "/?range=2021-13-01..nope&equity=spx&scale=%00&stables=&theme=neon&zzz=1")
    assert _checked(page, "equity") == ["rut"]
    assert _checked(page, "preset") == ["5y"]
    assert _checked(page, "theme") == ["light"]
    assert _checked(page, "stables") == ["usdt_supply", "usdc_supply", "stablecoin_majors"]
    expect(page).to_have_url(live_url + "/")
    assert console_errors == []


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_modebar_png_download_is_a_real_image_named_by_panel_and_range(page: Page, live_url: str) -> None:
    _open(page, live_url + "/?range=2020-01-01..2021-12-31")
    page.locator("#graph-altcoins").hover()
    with page.expect_download() as download:
        page.locator('#graph-altcoins [data-title^="Download plot"]').click()
    assert download.value.suggested_filename == "riskon_altcoins_2020-01-01_2021-12-31.png"
    data = download.value.path().read_bytes()
    assert _png_size(data) == (2200, 960)  # 1100 x 480 at scale 2
    assert len(data) > 50_000


def test_csv_download_holds_the_panel_data_over_the_range(page: Page, live_url: str) -> None:
    _open(page, live_url + "/?range=2021-01-01..2021-01-31&equity=iwm")
    with page.expect_download() as download:
        page.locator(_action("csv", "smallcaps")).click()
    assert download.value.suggested_filename == "riskon_smallcaps_2021-01-01_2021-01-31.csv"
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    iwm, btc = "iShares Russell 2000 ETF (IWM) [USD]", "Bitcoin price [USD]"
    assert list(rows[0]) == ["date", iwm, btc]  # label and unit
    assert rows[0]["date"] == "2021-01-01" and rows[-1]["date"] == "2021-01-31" and len(rows) == 31
    assert rows[0][iwm] == "" and float(rows[0][btc]) > 28_000  # New Year's Day: no IWM session, BTC trades
    assert not any("e+" in row[btc] or "e-" in row[btc] for row in rows)  # plain decimals


def test_server_png_link_returns_an_image(page: Page, live_url: str) -> None:
    _open(page, live_url + "/?preset=1y&theme=dark")
    href = page.locator("#png-sentiment").get_attribute("href")
    assert href is not None and href.startswith("/export/sentiment.png?range=")
    response = page.request.get(live_url + href)
    assert response.status == 200 and response.headers["content-type"] == "image/png"
    assert _png_size(response.body()) == (2200, 960)


@pytest.mark.parametrize("where", ["icon", "words"])
def test_copy_link_copies_the_current_view(page: Page, live_url: str, where: str) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_url)
    _open(page, live_url + "/?scale=log")
    page.evaluate("navigator.clipboard.writeText('nothing copied yet')")  # the clipboard outlives a page
    if where == "icon":
        page.locator("#copy-link").click()
    else:  # found by QA: the words showed a pointer but copied nothing
        control = page.locator(".copy-link")
        box = control.bounding_box()
        assert box is not None
        control.click(position={"x": box["width"] - 4, "y": box["height"] / 2})
    eventually(page, lambda: page.evaluate("navigator.clipboard.readText()"), live_url + "/?scale=log")


def test_signal_table_row_click_zooms_every_chart_and_controls_reach_the_url(page: Page, live_url: str) -> None:
    _open(page, live_url + "/?resolution=monthly&entry=prior&peak_days=181")
    assert _checked(page, "resolution") == ["monthly"]
    page.locator("#panel-signals").scroll_into_view_if_needed()  # the table is built as its card nears the screen
    table = page.locator(SIGNAL_TABLE)
    expect(table.locator("td", has_text="2020-11-30").first).to_be_visible()
    assert page.locator("#peak-days").input_value() == "181"
    table.locator("td", has_text="2020-11-30").first.click()
    for key in (*PANELS, "correlation", "drawdown", "ssr"):
        eventually(page, functools.partial(_x_range, page, key), ["2020-08-02", "2022-01-04"])
    expect(page).to_have_url(re.compile(r"\?range=2020-08-02\.\.2022-01-04&resolution=monthly"))
    page.locator("#resolution").get_by_text("Weekly").click()
    expect(page).to_have_url(re.compile(r"resolution=weekly"))
    page.locator("#min-drawdown").fill("25")
    page.locator("#min-drawdown").press("Enter")
    expect(page).to_have_url(re.compile(r"min_drawdown=25"))


def test_double_click_returns_every_chart_and_the_url_to_the_preset(page: Page, live_url: str) -> None:
    _open(page, live_url + "/?preset=3y")
    preset = _x_range(page, "smallcaps")
    page.evaluate(
        "Plotly.relayout(document.querySelector('#graph-altcoins .js-plotly-plot'),"
        " {'xaxis.range': ['2024-01-01', '2024-12-31']})"
    )
    expect(page).to_have_url(re.compile(r"\?range=2024-01-01\.\.2024-12-31&preset=3y$"))
    for key in PANELS:
        eventually(page, functools.partial(_x_range, page, key), ["2024-01-01", "2024-12-31"])
    drag = page.locator("#graph-stablecoins .nsewdrag").first
    drag.scroll_into_view_if_needed()
    box = drag.bounding_box()
    assert box is not None
    page.mouse.dblclick(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page).to_have_url(re.compile(r"\?preset=3y$"))
    for key in (*PANELS, "correlation", "drawdown", "ssr", "liquidity"):
        eventually(page, functools.partial(_x_range, page, key), preset)  # never Plotly's 1986-2028 autorange


def test_hovering_one_chart_shows_the_same_day_on_the_others(page: Page, live_url: str) -> None:
    _open(page, live_url + "/?range=2024-01-01..2024-12-31")
    box = page.locator("#graph-smallcaps .nsewdrag").first.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator("#graph-smallcaps .hoverlayer .legend")).to_be_attached()  # the unified hover label
    for key in PANELS[1:]:
        expect(page.locator(f"#graph-{key} .hoverlayer .legend")).to_be_attached()
    own = page.locator("#graph-smallcaps .hoverlayer .legend text").first.text_content()
    other = page.locator("#graph-altcoins .hoverlayer .legend text").first.text_content()
    assert own and own == other  # the same day's date heads both labels


def test_the_data_status_drawer_fills_when_opened(page: Page, live_url: str) -> None:
    """The drawer's table (a row per series) is drawn when the analyst opens it, not on every page load."""
    _open(page, live_url)
    expect(page.locator("#status-table tr")).to_have_count(0)
    page.get_by_text("Data status", exact=True).click()
    expect(page.locator("#status-table tbody tr")).to_have_count(len(SERIES))
    expect(page.locator("#status-table")).to_contain_text("Bitcoin")
