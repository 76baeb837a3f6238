"""The view callback over HTTP: one request per interaction, answering each chart with only what it needs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import plotly.io._json as plotly_json
import pytest
from flask.testing import FlaskClient

from components import ids
from components.callbacks import badge, chart_figures, load, next_state, state_range, view_range
from components.charts import CHARTS
from components.url_state import CONTROLS, DEFAULT, ViewState, decode
from data_sources.store import SeriesMeta, Store
from tests.conftest import Page as RendererPage


@pytest.fixture(scope="module")
def client(snapshot_store: Store) -> FlaskClient:
    from app import create_app

    return create_app(snapshot_store).server.test_client()


class Page:
    """The browser's side of the view callback: its inputs and states, updated from each answer."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        specs = client.get("/_dash-dependencies").get_json()
        self.spec = next(spec for spec in specs if spec["inputs"][0]["id"] == ids.URL)
        self.table_spec = next(spec for spec in specs if spec["inputs"][0]["id"] == ids.SIGNAL_VIEW)
        self.values: dict[str, Any] = {f"{control.id}.value": control.default for control in CONTROLS}
        self.values["stables.value"] = list(DEFAULT.stables)

    def entry(self, item: dict[str, Any]) -> Any:
        if item["id"].startswith("{"):
            return []
        return {**item, "value": self.values.get(f"{item['id']}.{item['property']}")}

    def send(self, changed: str, value: object) -> dict[str, Any]:
        """Set `changed` ('id.property') to `value` as the browser would, post the callback, apply the answer."""
        self.values[changed] = value
        parts = [part.rsplit(".", 1) for part in self.spec["output"].strip(".").split("...")]
        # A pattern id (the date picker) names a list of components: none here, where it is not built.
        outputs = [
            [] if component.startswith("{") else {"id": component, "property": prop} for component, prop in parts
        ]
        inputs = [self.entry(item) for item in self.spec["inputs"]]
        state = [self.entry(item) for item in self.spec["state"]]
        body = {"output": self.spec["output"], "outputs": outputs, "inputs": inputs, "state": state,
                "changedPropIds": [changed]}  # fmt: skip
        response = self.client.post("/_dash-update-component", json=body)
        assert response.status_code in (200, 204), response.get_data(as_text=True)[:300]
        answer = response.get_json()["response"] if response.status_code == 200 else {}
        for component, props in answer.items():
            for prop, new in props.items():
                if not component.startswith("{"):
                    self.values[f"{component}.{prop}"] = new
        self.last_bytes = len(response.get_data())
        return answer


def test_opening_a_link_draws_every_chart_and_sets_every_control(client: FlaskClient) -> None:
    page = Page(client)
    answer = page.send("url.search", "?equity=iwm&scale=log&preset=1y")
    for chart in CHARTS:
        assert answer[ids.graph(chart.key)]["figure"]["data"], chart.key
        assert answer[ids.badge(chart.key)]["children"].startswith("as of ")
    assert answer["equity"]["value"] == "iwm"
    assert answer["scale"]["value"] == "log" and answer["preset"]["value"] == "1y"
    assert answer[ids.SIGNAL_VIEW]["data"] == "?equity=iwm"  # only what the table reads
    png = answer[ids.png_link("smallcaps")]["href"]
    assert png == "/export/smallcaps.png?range=2025-08-22..2026-08-22&preset=1y&equity=iwm&scale=log"


def test_the_view_answers_plain_json_that_plotlys_encoder_need_not_walk(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # plotly's encoder tries orjson first; one Dash component in an answer makes it walk the whole answer (about
    # 270 KiB at Max) in Python instead, which doubled the view callback's time.
    walked: list[object] = []

    def walk(value: object, **_: object) -> object:
        walked.append(value)
        return value

    monkeypatch.setattr(plotly_json, "clean_to_json_compatible", walk)
    page = Page(client)
    page.send("url.search", "?preset=max")
    page.send("url.search", "?range=2020-01-01..2021-06-30")  # a custom range: the picker's stand-in shows it
    page.send("url.search", "?preset=1y")
    assert walked == []


@pytest.mark.parametrize("referrer", ["http://[::1/?preset=max", "http://x]/?preset=1y", "https://[fe80::1"])
def test_a_referer_that_is_not_a_url_gets_the_bare_page(client: FlaskClient, referrer: str) -> None:
    # Found by QA as a 500 with a traceback (urlsplit raises on a broken IPv6 host).
    response = client.get("/_dash-layout", headers={"Referer": referrer})
    assert response.status_code == 200
    assert all("figure" not in RendererPage(response.get_json()).props(ids.graph(chart.key)) for chart in CHARTS)


def test_the_held_pages_figures_reach_plotlys_encoder_encoded(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A page is components, so plotly's encoder walks it in Python; the figures it holds (most of its nodes) pass
    # through that walk already encoded, which took a fifth off serving a held page.
    walk = plotly_json.clean_to_json_compatible
    figures_walked: list[object] = []

    def spy(value: object, **options: object) -> object:
        if isinstance(value, dict) and {"data", "layout"} <= value.keys():
            figures_walked.append(value)
        return walk(value, **options)

    monkeypatch.setattr(plotly_json, "clean_to_json_compatible", spy)
    held = RendererPage(client.get("/_dash-layout", headers={"Referer": "http://x/?preset=max"}).get_json())
    assert all(held.props(ids.graph(chart.key))["figure"]["data"] for chart in CHARTS)
    assert figures_walked == []


def test_a_zoom_the_browser_drew_is_one_small_answer_without_figures_or_table(client: FlaskClient) -> None:
    page = Page(client)
    page.send("url.search", "")
    answer = page.send("zoom.data", {"start": "2022-01-01", "end": "2025-12-31"})
    assert answer["url"]["search"] == "?range=2022-01-01..2025-12-31"
    assert not any(key.startswith("graph-") for key in answer)  # drawn and refitted in the browser already
    assert ids.SIGNAL_VIEW not in answer  # the table does not recompute
    assert page.last_bytes < 3_000
    # Every day of the five years is in the browser already: a deeper zoom needs no traces either.
    deeper = page.send("zoom.data", {"start": "2023-01-01", "end": "2023-06-30"})
    assert not any(key.startswith("graph-") for key in deeper)
    # Max travels decimated (two points per several days): deep inside it, the window comes at full resolution.
    page.send("preset.value", "max")
    detailed = page.send("zoom.data", {"start": "2008-01-01", "end": "2008-06-30"})
    assert detailed["graph-smallcaps"]["figure"]["data"][0]["dx"] == 86_400_000
    assert ids.SIGNAL_VIEW not in detailed


def test_a_preset_inside_the_drawn_window_is_drawn_by_the_browser_and_one_outside_sends_new_traces(
    client: FlaskClient, snapshot_store: Store
) -> None:
    page = Page(client)
    first = page.send("url.search", "")
    # The browser is told each preset's range for the view, the same the server would draw.
    ranges = first[ids.PRESET_RANGES]["data"]
    for preset in ("ytd", "1y", "3y", "5y", "max"):
        start, end = state_range(snapshot_store, ViewState(preset=preset))
        assert ranges[preset] == [start.isoformat(), end.isoformat()]
    inside = page.send("preset.value", "3y")
    assert inside["url"]["search"] == "?preset=3y"
    assert not any(key.startswith("graph-") for key in inside)  # the browser draws it from the 5Y traces
    assert page.last_bytes < 3_000
    rebuilt = page.send("preset.value", "max")
    assert rebuilt["graph-smallcaps"]["figure"]["data"]  # 5Y traces cannot show 1987-2026 in full
    assert ids.SIGNAL_VIEW not in rebuilt


def test_a_scale_change_is_drawn_by_the_browser_and_one_from_a_link_sends_only_layouts(client: FlaskClient) -> None:
    page = Page(client)
    page.send("url.search", "")
    full = page.last_bytes
    clicked = page.send("scale.value", "log")
    assert clicked["url"]["search"] == "?scale=log"
    assert not any(key.startswith("graph-") for key in clicked)  # the browser drew it (layout.meta.scaled)
    assert page.last_bytes < 3_000
    linked = page.send("url.search", "")  # back to linear, from the URL: nothing was drawn in the browser
    for key in ("smallcaps", "altcoins", "liquidity"):
        operations = linked[f"graph-{key}"]["figure"]["operations"]
        assert [op["location"] for op in operations] == [["layout"]]
    assert linked["graph-smallcaps"]["figure"]["operations"][0]["params"]["value"]["yaxis"]["type"] == "linear"
    assert page.last_bytes < full / 3  # no traces travel
    rebased = page.send("mode.value", "rebase")  # rebased values are new traces
    assert rebased["graph-smallcaps"]["figure"]["data"]


def _leaves(value: object, path: str = "") -> dict[str, object]:
    if isinstance(value, dict):
        return {leaf: v for key, item in value.items() for leaf, v in _leaves(item, f"{path}.{key}").items()}
    return {path.lstrip("."): value}


@pytest.mark.parametrize("view", ["", "?mode=rebase", "?liquidity=change&preset=max", "?provider=cryptocap"])
def test_log_and_linear_differ_only_where_the_browser_redraws_a_scale_change(snapshot_store: Store, view: str) -> None:
    # The browser draws a scale change itself on the axes layout.meta names (type, refitted range, log ticks);
    # any other difference would be lost.
    linear, _ = chart_figures(snapshot_store, decode(view))
    log, _ = chart_figures(snapshot_store, decode(view + "&scale=log"))
    marked = set()
    for chart in CHARTS:
        before, after = linear[chart.key], log[chart.key]
        assert before["data"] == after["data"], chart.key
        scaled = after["layout"].get("meta", {}).get("scaled", [])
        assert before["layout"].get("meta") == after["layout"].get("meta"), chart.key
        assert ("scale" in chart.reads) >= bool(scaled), chart.key
        old, new = _leaves(before["layout"]), _leaves(after["layout"])
        changed = {path for path in old.keys() | new.keys() if old.get(path) != new.get(path)}
        assert changed <= {f"{axis}.{field}" for axis in scaled for field in ("type", "range", "dtick")}, chart.key
        assert all(after["layout"][axis]["type"] == "log" for axis in scaled), chart.key
        marked |= {chart.key} if scaled else set()
    assert {"smallcaps", "altcoins", "stablecoins", "ssr"} <= marked


def test_a_control_rebuilds_only_the_charts_that_read_it(client: FlaskClient) -> None:
    page = Page(client)
    page.send("url.search", "")
    answer = page.send("horizon.value", 60)
    rebuilt = {key.removeprefix("graph-") for key in answer if key.startswith("graph-")}
    assert rebuilt == {"ssr"} and answer["url"]["search"] == "?horizon=60"
    answer = page.send("min-drawdown.value", 25)
    rebuilt = {key.removeprefix("graph-") for key in answer if key.startswith("graph-")}
    assert rebuilt == {"smallcaps", "altcoins"}  # the breakout markers; the table follows its own store
    assert answer[ids.SIGNAL_VIEW]["data"] == "?min_drawdown=25"


def test_next_state_applies_one_change_and_rejects_garbage() -> None:
    zoomed = next_state(DEFAULT, "zoom", {"zoom": {"start": "2020-01-01 05:00", "end": "2020-06-01"}}, None)
    assert (zoomed.start, zoomed.end) == (dt.date(2020, 1, 1), dt.date(2020, 6, 1))
    assert next_state(zoomed, "zoom", {"zoom": None}, None).has_custom_range is False
    assert next_state(zoomed, "preset", {"preset": "max"}, None) == ViewState(preset="max")
    assert next_state(DEFAULT, "equity", {"equity": "spx"}, None) == DEFAULT
    assert next_state(DEFAULT, "stables", {"stables": ["usdc_supply", "doge"]}, None).stables == ("usdc_supply",)
    assert next_state(DEFAULT, "provider", {"provider": "cryptocap"}, None).provider == "cryptocap"
    assert next_state(DEFAULT, "zoom", {"zoom": {"start": 5, "end": [1]}}, None) == DEFAULT
    assert next_state(DEFAULT, "url", {}, "?scale=log") == decode("scale=log")
    assert next_state(DEFAULT, "min-age", {"min-age": "120"}, None).min_age == 120


def test_the_picker_sets_the_range_and_its_first_call_changes_nothing() -> None:
    """The picker appears showing the URL's range: that first call keeps the URL's view even when the view the
    callback holds is not yet that (a page still loading); a picked or cleared range edits the view held."""
    shared = "?range=2020-10-01..2021-06-30&equity=iwm"
    first = {"start_date": "2020-10-01", "end_date": "2021-06-30"}
    assert next_state(DEFAULT, ids.DATES, first, shared) == decode(shared)
    assert next_state(DEFAULT, ids.DATES, {"start_date": None, "end_date": None}, "") == DEFAULT
    held = decode("?equity=iwm&scale=log")
    picked = next_state(held, ids.DATES, {"start_date": "2021-01-04", "end_date": "2021-03-31"}, shared)
    assert picked == held.with_range(dt.date(2021, 1, 4), dt.date(2021, 3, 31))
    cleared = next_state(decode(shared), ids.DATES, {"start_date": None, "end_date": None}, shared)
    assert cleared == decode("?equity=iwm")
    # One day of two (the analyst picks the start, then the end): the view waits, its range unchanged.
    assert next_state(held, ids.DATES, {"start_date": "2021-01-04", "end_date": None}, "?equity=iwm") == held
    assert next_state(decode(shared), ids.DATES, {"start_date": None, "end_date": "2021-03-31"}, shared) == decode(
        shared
    )


def _meta(series_id: str, *, last: str | None = "2024-01-02", stale: bool = False) -> SeriesMeta:
    stamp = pd.Timestamp(last) if last else None
    return SeriesMeta(series_id, "vendor", stamp, stamp, stamp, stale, None if last else "unavailable: HTTP 503")


def test_the_badge_names_lagging_stale_and_missing_series() -> None:
    assert badge([_meta("btc"), _meta("rut", last=None)]) == (
        "as of 2024-01-02 - partly unavailable",
        "badge badge-error",
    )
    assert badge([_meta("btc", stale=True)]) == ("as of 2024-01-02 - stale", "badge badge-stale")
    metas = [_meta("usdt_supply"), _meta("total_mcap", last="2023-05-01")]
    assert badge(metas)[0] == "as of 2024-01-02 · Total crypto cap 2023-05-01"


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (DEFAULT, (dt.date(2021, 8, 22), dt.date(2026, 8, 22))),
        (decode("preset=ytd"), (dt.date(2026, 1, 1), dt.date(2026, 8, 22))),
        (decode("preset=1y"), (dt.date(2025, 8, 22), dt.date(2026, 8, 22))),
        (decode("preset=max"), (dt.date(1987, 9, 10), dt.date(2026, 8, 22))),
        (decode("range=2020-01-01..2020-02-01"), (dt.date(2020, 1, 1), dt.date(2020, 2, 1))),
    ],
)
def test_presets_end_at_the_latest_data_and_max_spans_all_of_it(
    snapshot_store: Store, state: ViewState, expected: tuple[dt.date, dt.date]
) -> None:
    from components.callbacks import displayed

    assert view_range(state, load(snapshot_store, displayed(state)).meta.values()) == expected


def test_the_page_is_served_holding_the_first_view_of_the_url_that_asks(client: FlaskClient) -> None:
    # The browser names its URL in the Referer of /_dash-layout: the page comes with that view's charts drawn, so
    # they plot as they mount, and the view callback's first call finds them drawn and sends no figure.
    bare = RendererPage(client.get("/_dash-layout").get_json())
    assert all("figure" not in bare.props(ids.graph(chart.key)) for chart in CHARTS)
    held = RendererPage(client.get("/_dash-layout", headers={"Referer": "http://x/?preset=1y&equity=iwm"}).get_json())
    assert held.props(ids.VIEW)["data"] == "?preset=1y&equity=iwm"
    assert held.props("equity")["value"] == "iwm" and held.props("preset")["value"] == "1y"
    for chart in CHARTS:
        assert held.props(ids.graph(chart.key))["figure"]["data"], chart.key
        assert held.props(ids.badge(chart.key))["children"].startswith("as of ")
    direct = Page(client)
    answer = direct.send("url.search", "?preset=1y&equity=iwm")  # what the callback alone would have drawn
    for chart in CHARTS:
        assert held.props(ids.graph(chart.key))["figure"] == answer[ids.graph(chart.key)]["figure"], chart.key
    spec = next(spec for spec in client.get("/_dash-dependencies").get_json() if spec["inputs"][0]["id"] == ids.URL)
    held.props(ids.URL)["search"] = "?preset=1y&equity=iwm"
    first = client.post("/_dash-update-component", json=held.request(spec, triggered=False))
    answered = first.get_json()["response"] if first.status_code == 200 else {}
    assert not any(ids.graph(chart.key) in answered for chart in CHARTS)
    assert ids.VIEW not in answered and ids.RENDERED not in answered
