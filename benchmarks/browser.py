"""Benchmark: what the analyst waits for in the browser, against a floor app from the same run.

Starts riskon (gunicorn, 2 gthread workers, embedded snapshot) and the issue's floor app: the same page skeleton
(riskon's own page: header, controls, cards, assets) whose graphs hold one tiny trace each, drawn by one callback;
and, for reference, a bare floor (three controls and the graphs). Drives headless Chromium and prints medians of
several runs, with the machine's load average:
- cold load (empty cache) and warm load (same browser) until every chart is drawn and nothing redraws;
- Linear -> Log and preset 5Y -> 1Y until every chart settles;
- a drag-zoom until every chart settles: redraws per chart (Plotly API calls) and plotly_afterplot events per
  chart, and the callbacks it costs;
- bytes per render against the raw float32 size of the visible points (x and y);
- the server PNG: first request (renderer warmed at start) and later ones.
Goals (issue 11): a zoom settles with one redraw per chart; scale/preset within 1.5x the floor; cold load within
1.5x, warm within 1.3x.
Run: .venv/bin/python -m benchmarks.browser [--runs 5]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import tempfile
import time
from typing import Any

import requests
from dash import Dash, Input, Output, dcc, html
from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from benchmarks.callbacks import free_port, start_gunicorn
from components import ids, layout, static
from components.charts import CHARTS as RISKON_CHARTS

CHARTS = len(RISKON_CHARTS)  # the floor draws as many graphs as riskon
PRESET, SCALE, MODE = "preset", "scale", "mode"  # riskon's controls (their view fields)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Counts every redraw per chart (Plotly API calls and plotly_afterplot events) and when the last one ended.
INSTRUMENT = """
(() => {
  const bench = (window.bench = { calls: {}, afterplots: {}, last: 0 });
  const listening = new WeakSet();
  const chartId = (gd) => (gd.closest && gd.closest('.chart') ? gd.closest('.chart').id : '?');
  const listen = (gd) => {
    if (!gd._ev || listening.has(gd._ev)) return;
    listening.add(gd._ev);
    gd.on('plotly_afterplot', () => {
      const id = chartId(gd);
      bench.afterplots[id] = (bench.afterplots[id] || 0) + 1;
      bench.last = performance.now();
    });
  };
  const wrap = (Plotly) => {
    ['newPlot', 'react', 'relayout', 'restyle', 'update', 'redraw'].forEach((name) => {
      const original = Plotly[name];
      Plotly[name] = function (gd, ...rest) {
        const div = typeof gd === 'string' ? document.getElementById(gd) : gd;
        const id = chartId(div);
        bench.calls[id] = (bench.calls[id] || 0) + 1;
        listen(div);
        const done = () => { listen(div); bench.last = performance.now(); };
        const result = original.call(this, gd, ...rest);
        listen(div);
        Promise.resolve(result).then(done, done);
        return result;
      };
    });
  };
  let plotly = window.Plotly;
  if (plotly) wrap(plotly);
  else Object.defineProperty(window, 'Plotly', {
    configurable: true,
    get: () => plotly,
    set: (value) => { plotly = value; wrap(value); },
  });
})();
"""
DRAWN = """() => {
  const charts = [...document.querySelectorAll('.chart')];
  return charts.length > 0 && charts.every(chart => {
    const plot = chart.querySelector('.js-plotly-plot');
    return plot && (plot.data || []).length > 0 && plot._fullLayout;
  });
}"""
VISIBLE_POINTS = """() => [...document.querySelectorAll('.chart .js-plotly-plot')].map(gd => {
  const axis = gd._fullLayout.xaxis;
  const [x0, x1] = axis.range.map(v => axis.r2l(v));
  let n = 0;
  (gd.calcdata || []).forEach(cd => cd.forEach(p => {
    const x = p.x !== undefined ? p.x : p.p;
    const y = p.y !== undefined ? p.y : p.s;
    if (x >= x0 && x <= x1 && Number.isFinite(y)) n++;
  }));
  return n;
})"""


def floor_app(bare: bool = False) -> Dash:
    """The floor the issue names: riskon's own page (header, controls, cards, the places of its tables, assets) whose
    graphs hold one tiny trace each, drawn by one callback. `bare`: only the three controls and the graphs, the
    floor this benchmark used before, printed for reference."""
    app = Dash(__name__, title="floor", update_title="", assets_folder="../assets", compress=True)
    static.cache_static(app)
    static.compress_fast(app)
    graphs = [ids.graph(chart.key) for chart in RISKON_CHARTS]
    if bare:
        radios = {PRESET: ["ytd", "1y", "3y", "5y", "max"], SCALE: ["linear", "log"], MODE: ["raw", "rebase"]}
        defaults = {PRESET: "5y", SCALE: "linear", MODE: "raw"}  # riskon's defaults
        controls = [
            dcc.RadioItems(id=key, options=values, value=defaults[key], inline=True) for key, values in radios.items()
        ]
        app.layout = html.Div([*controls, *[dcc.Graph(id=graph, className="chart") for graph in graphs]])
    else:
        app.layout = layout.page()
    years = {"ytd": 0.9, "1y": 1, "3y": 3, "5y": 5, "max": 20}

    @app.callback(
        [Output(graph, "figure") for graph in graphs],
        Input(PRESET, "value"),
        Input(SCALE, "value"),
        Input(MODE, "value"),
    )
    def draw(preset: str, scale: str, mode: str) -> list[dict[str, Any]]:
        start = 2026 - years[preset]
        trace = {"type": "scatter", "mode": "lines", "x": [start, 2026], "y": [1, 100 if mode == "raw" else 2]}
        figure_layout = {"height": 400, "yaxis": {"type": scale}, "xaxis": {"range": [start, 2026]}}
        return [{"data": [trace], "layout": figure_layout} for _ in graphs]

    return app


def floor_server(bare: bool = False) -> Any:
    """gunicorn's factory for a floor app (`benchmarks.browser:floor_server()`)."""
    return floor_app(bare).server


def settle(page: Page, since: float = 0, quiet_ms: int = 800, timeout_s: float = 120) -> float:
    """Wait until a chart has redrawn after `since` (page clock, ms), then none for `quiet_ms` with the network
    idle; the time of the last redraw."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        page.wait_for_load_state("networkidle")
        idle = page.evaluate(
            "([since, q]) => window.bench.last > since && performance.now() - window.bench.last > q", [since, quiet_ms]
        )
        if idle:
            return float(page.evaluate("window.bench.last"))
        page.wait_for_timeout(quiet_ms // 2)
    raise TimeoutError("the page did not settle")


def goto_drawn(page: Page, url: str) -> None:
    """Open `url` and wait until every chart is drawn; if they never are, stop and say what the page met (failed
    requests, script errors) rather than a bare timeout."""
    problems: list[str] = []
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.goto(url)
    try:
        page.wait_for_function(DRAWN, timeout=120_000)
    except PlaywrightError:
        raise SystemExit(f"{url}: the charts were not drawn in 120 s; " + ("; ".join(problems) or "no error")) from None


def reset_counts(page: Page) -> float:
    """Clear the redraw counters; the page's clock now (ms)."""
    clear = "() => { window.bench.calls = {}; window.bench.afterplots = {}; return performance.now(); }"
    return float(page.evaluate(clear))


def load(browser: Browser, url: str, context: Any = None) -> tuple[float, Any]:
    """Milliseconds from navigation to every chart drawn and settled, in `context` (a fresh one: cold)."""
    context = context or browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(INSTRUMENT)
    page = context.new_page()
    goto_drawn(page, url)
    elapsed = settle(page)
    page.close()
    return elapsed, context


def click_and_settle(page: Page, selector: str) -> float:
    """Milliseconds from a click on `selector` until every chart has settled."""
    started = page.evaluate(
        "s => { window.bench.calls = {}; window.bench.afterplots = {}; const t = performance.now();"
        " document.querySelector(s).click(); return t; }",
        selector,
    )
    return settle(page, float(started)) - float(started)


def open_page(browser: Browser, url: str) -> Page:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(INSTRUMENT)
    page = context.new_page()
    goto_drawn(page, url)
    settle(page)
    return page


def drag_zoom(page: Page) -> tuple[float, dict[str, int], dict[str, int], int]:
    """A drag-zoom on the first chart: ms until every chart settles, redraws and afterplots per chart, callbacks."""
    callbacks: list[str] = []
    page.on("request", lambda r: callbacks.append(r.url) if "_dash-update-component" in r.url else None)
    box = page.locator(".chart .nsewdrag").first.bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.55, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.8, y, steps=6)
    started = reset_counts(page)
    page.mouse.up()
    elapsed = settle(page, started) - started
    return elapsed, page.evaluate("window.bench.calls"), page.evaluate("window.bench.afterplots"), len(callbacks)


def render_bytes(browser: Browser, url: str) -> tuple[int, int, int]:
    """Wire and decoded bytes of the largest response on load that carries the charts (the page's layout, which holds
    the view's first answer, or a callback's answer), and the points visible on the charts."""
    sizes: list[tuple[int, int]] = []
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(INSTRUMENT)
    page = context.new_page()

    def record(response: Any) -> None:
        if "_dash-update-component" not in response.url and "_dash-layout" not in response.url:
            return
        with contextlib.suppress(PlaywrightError):  # a response still arriving when the page closed
            sizes.append((int(response.request.sizes()["responseBodySize"]), len(response.body())))

    page.on("response", record)
    goto_drawn(page, url)
    settle(page)
    visible = sum(page.evaluate(VISIBLE_POINTS))
    context.close()
    wire, decoded = max(sizes, key=lambda pair: pair[1])
    return wire, decoded, visible


def png_times(base: str, runs: int) -> tuple[float, list[float]]:
    """Seconds for the first server PNG of a view and for later ones (other views, not cached)."""
    times = []
    for month in range(1, runs + 2):
        started = time.perf_counter()
        response = requests.get(f"{base}/export/smallcaps.png?range=2021-{month:02d}-01..2022-06-30", timeout=60)
        response.raise_for_status()
        times.append(time.perf_counter() - started)
    return times[0], times[1:]


def median(values: list[float]) -> float:
    return statistics.median(values)


def row(label: str, riskon: list[float], floor: list[float] | None, goal: float | None) -> str:
    line = f"  {label:34} riskon {median(riskon):7.0f} ms"
    if floor:
        ratio = median(riskon) / median(floor)
        verdict = "" if goal is None else f"  (goal <= {goal}x: {'met' if ratio <= goal else 'NOT met'})"
        line += f"   floor {median(floor):7.0f} ms   ratio {ratio:5.2f}{verdict}"
    return line


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    loads = [os.getloadavg()]
    with tempfile.TemporaryDirectory() as cache_dir:
        ports = {"riskon": free_port(), "floor": free_port(), "bare": free_port()}
        servers = {
            "riskon": start_gunicorn(ports["riskon"], cache_dir),
            "floor": start_gunicorn(ports["floor"], cache_dir, app="benchmarks.browser:floor_server()"),
            "bare": start_gunicorn(ports["bare"], cache_dir, app="benchmarks.browser:floor_server(True)"),
        }
        urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        results: dict[str, dict[str, list[float]]] = {name: {} for name in urls}
        zooms: list[tuple[float, dict[str, int], dict[str, int], int]] = []
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                for _ in range(runs):
                    for name, url in urls.items():
                        figures = results[name]
                        cold, context = load(browser, url)
                        warm, _ = load(browser, url, context)
                        context.close()
                        page = open_page(browser, url)
                        log_ms = click_and_settle(page, f"#{SCALE} input[value=log]")
                        preset_ms = click_and_settle(page, f"#{PRESET} input[value='1y']")  # from 5Y
                        page.context.close()
                        for key, value in (("cold", cold), ("warm", warm), ("log", log_ms), ("preset", preset_ms)):
                            figures.setdefault(key, []).append(value)
                        if name == "riskon":
                            page = open_page(browser, url)
                            zooms.append(drag_zoom(page))
                            page.context.close()
                    loads.append(os.getloadavg())
                wire, decoded, visible = render_bytes(browser, urls["riskon"])
                browser.close()
            png_first, png_later = png_times(urls["riskon"], runs)  # the renderer warmed while the server ran
        finally:
            for server in servers.values():
                server.terminate()
                server.wait(10)
    riskon, floor, bare = results["riskon"], results["floor"], results["bare"]
    print(
        f"riskon in headless Chromium vs a floor app (riskon's page, its {CHARTS} graphs holding one tiny trace each), "
        f"medians of {runs} runs"
    )
    print("load average (1, 5, 15 min) during the runs: " + "; ".join(" ".join(f"{v:.1f}" for v in la) for la in loads))
    print(row("cold load, every chart drawn", riskon["cold"], floor["cold"], 1.5))
    print(row("warm load", riskon["warm"], floor["warm"], 1.3))
    print(row("Linear -> Log", riskon["log"], floor["log"], 1.5))
    print(row("preset 5Y -> 1Y", riskon["preset"], floor["preset"], 1.5))
    print("  for reference, against a bare floor (three controls and the graphs, no page around them):")
    for key, label in (("cold", "cold load"), ("warm", "warm load"), ("log", "Linear -> Log"), ("preset", "preset")):
        print(row(label, riskon[key], bare[key], None))
    print(row("drag-zoom until every chart settles", [z[0] for z in zooms], None, None))
    redraws = [max(z[1].values(), default=0) for z in zooms]
    afterplots = [max(z[2].values(), default=0) for z in zooms]
    print(
        f"  drag-zoom: at most {max(redraws)} Plotly calls and {max(afterplots)} plotly_afterplot per chart "
        f"(goal: one redraw per chart); callbacks per zoom: {sorted(z[3] for z in zooms)}"
    )
    print(f"  last zoom, Plotly calls per chart: {zooms[-1][1]}; plotly_afterplot per chart: {zooms[-1][2]}")
    raw = visible * 2 * 4
    print(
        f"  render on load: {wire / 1024:.0f} KiB on the wire, {decoded / 1024:.0f} KiB decoded, {visible} points "
        f"visible ({raw / 1024:.0f} KiB raw float32 x+y): {wire / raw:.2f}x wire, {decoded / raw:.2f}x decoded"
    )
    print(
        f"  server PNG: first {png_first:.2f} s (a view not drawn before; renderer warmed at start), later "
        f"median {median(png_later):.2f} s over {len(png_later)} views"
    )


if __name__ == "__main__":
    main()
