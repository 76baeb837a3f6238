"""Server callbacks: one view callback (URL <-> controls <-> charts), CSV downloads, and the clientside wiring.

One interaction is one request: the view callback turns whichever input changed into the new view, writes the URL
and the controls, and answers each chart with what it needs, from nothing (a zoom the browser already drew and
refitted) through a range patch (the traces cover the new range) to a new figure. The signal table listens to a
store holding only the fields it reads, so a zoom never recomputes it.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from dash import ALL, ClientsideFunction, Dash, Input, Output, Patch, State, ctx, dcc, no_update
from dash.development.base_component import Component

from components import ids
from components.charts import (
    BY_KEY,
    CHARTS,
    PANELS,
    Chart,
    DateRange,
    event_study,
    export_name,
    load,
    upload,
)
from components.figures import MAX_POINTS, Figure, fit_axes, unavailable_messages
from components.layout import custom_days, shown_range
from components.ranges import resolve_range
from components.signals import TABLE_READS
from components.theme import label, short, unit
from components.url_state import (
    CONTROLS,
    DEFAULT,
    PRESET,
    SCALE,
    ViewState,
    decode,
    encode,
    parse_date,
    project,
    updated,
)

if TYPE_CHECKING:
    from data_sources.store import SeriesMeta, Store

_CONTROL_IDS = {control.id: control for control in CONTROLS}


def displayed(state: ViewState) -> tuple[str, ...]:
    """Every series the price panels show for `state`: presets end at the newest of them."""
    return tuple(dict.fromkeys(sid for chart in PANELS for sid in chart.series(state)))


def extent(metas: Iterable[SeriesMeta]) -> DateRange:
    """The first and last dates of the displayed data (the year to today when there is none)."""
    metas = list(metas)
    firsts = [m.first.date() for m in metas if m.first is not None]
    lasts = [m.last.date() for m in metas if m.last is not None]
    if not firsts:
        today = dt.date.today()
        return today - dt.timedelta(days=365), today
    return min(firsts), max(lasts)


def view_range(state: ViewState, metas: Iterable[SeriesMeta]) -> DateRange:
    """The dates every chart shows for `state`, from the extent of the displayed data."""
    first, last = extent(metas)
    return resolve_range(state, first=first, last=last)


def preset_ranges(store: Store, state: ViewState) -> dict[str, list[str]]:
    """Each preset's [start, end] for the series `state` displays: the browser draws a preset change from these."""
    return dict(_preset_ranges(extent(load(store, displayed(state)).meta.values())))


@functools.lru_cache(maxsize=64)
def _preset_ranges(data: DateRange) -> dict[str, list[str]]:
    """Each preset's [start, end] over the data's first and last dates; once per extent (callers must not mutate
    it)."""
    ranges = {preset: resolve_range(updated(DEFAULT, {PRESET.field: preset}), first=data[0], last=data[1])
              for preset in PRESET.options}  # fmt: skip
    return {preset: [start.isoformat(), end.isoformat()] for preset, (start, end) in ranges.items()}


def state_range(store: Store, state: ViewState) -> DateRange:
    return view_range(state, load(store, displayed(state)).meta.values())


def next_state(current: ViewState, trigger: str | None, values: Mapping[str, Any], search: object) -> ViewState:
    """The view after one input changed: the URL replaces the view, a control edits one field of it."""
    if trigger in (None, ids.URL):
        return decode(search)
    if trigger == ids.ZOOM:
        zoom = values[ids.ZOOM] if isinstance(values[ids.ZOOM], dict) else {}
        return current.with_range(parse_date(zoom.get("start")), parse_date(zoom.get("end")))
    if trigger == ids.DATES:
        picked, shown = (parse_date(values["start_date"]), parse_date(values["end_date"])), decode(search)
        if (picked[0] is None) != (picked[1] is None):
            return current  # one day of the two picked: the view waits for the other
        # The picker appears showing the URL's range (layout.date_picker) and its first call says so: no change.
        return shown if picked == (shown.start, shown.end) else current.with_range(*picked)
    if trigger == PRESET.id:
        return updated(current, {PRESET.field: values[trigger]}).with_range(None, None)
    if trigger in _CONTROL_IDS:
        return updated(current, {_CONTROL_IDS[trigger].field: values[trigger]})
    return current


def badge(metas: Iterable[SeriesMeta]) -> tuple[str, str]:
    """Badge text and CSS class: the newest date of the chart's data, each series that ends earlier, and whether
    anything is stale or missing."""
    return _badge(tuple(metas))


@functools.lru_cache(maxsize=256)
def _badge(metas: tuple[SeriesMeta, ...]) -> tuple[str, str]:
    lasts = {meta.series_id: meta.last for meta in metas if meta.last is not None}
    newest = max(lasts.values(), default=None)
    lagging = [f"{short(sid)} {last:%Y-%m-%d}" for sid, last in lasts.items() if last != newest]
    text = " · ".join([f"as of {newest:%Y-%m-%d}", *lagging]) if newest is not None else "no data"
    if any(not meta.available for meta in metas):
        return text + " - partly unavailable", "badge badge-error"
    if any(meta.stale for meta in metas):
        return text + " - stale", "badge badge-stale"
    return text, "badge"


@functools.lru_cache(maxsize=64)
def _built(store: Store, key: str, view: ViewState, window: DateRange, version: str) -> Figure:
    """Chart `key`'s figure for the projected `view` with lines windowed on `window`, from the data as of
    `version` (part of the cache key only). Callers must not mutate it."""
    chart = BY_KEY[key]
    return chart.build(load(store, chart.series(view)), view, window)


@functools.lru_cache(maxsize=256)
def _shown(store: Store, key: str, view: ViewState, window: DateRange, version: str, x_range: DateRange) -> Figure:
    """`_built`'s figure showing `x_range` with its y axes fitted (a view asked again costs a lookup). Callers must
    not mutate it."""
    return fit_axes(_built(store, key, view, window, version), x_range)


def chart_figure(store: Store, chart: Chart, state: ViewState, x_range: DateRange) -> tuple[Figure, str]:
    """The chart's figure over `x_range` (y fitted) and the token naming what its traces were built for."""
    view = project(state, chart.reads)
    version = load(store, chart.series(view)).version
    token = encode(view.with_range(*x_range)) + "#" + version
    return _shown(store, chart.key, view, x_range, version, x_range), token


def covers(window: DateRange, x_range: DateRange) -> bool:
    """Whether traces built for `window` can show `x_range`: it lies inside, at no less than half the detail."""
    days = (window[1] - window[0]).days
    inside = window[0] <= x_range[0] and x_range[1] <= window[1]
    return inside and (days <= MAX_POINTS or 2 * (x_range[1] - x_range[0]).days >= days)


def held(token: object) -> tuple[ViewState, DateRange, str] | None:
    """What a chart's `token` (chart_figure) says its traces were built for: the projected view, the window and
    the data version; None for anything else."""
    if not isinstance(token, str) or "#" not in token:
        return None
    query, _, version = token.partition("#")
    before = decode(query)
    if before.start is None or before.end is None:
        return None
    return before.with_range(None, None), (before.start, before.end), version


def reusable(store: Store, chart: Chart, state: ViewState, x_range: DateRange, token: object) -> DateRange | None:
    """The window the chart's traces were built for (per `token`) if they still serve the view, else None."""
    built = held(token)
    view = project(state, chart.reads)
    if built is None or built[0] != view:
        return None
    window, version = built[1], built[2]
    if chart.rebased(state) and window[0] != x_range[0]:
        return None  # values are rebased at the range start
    if not covers(window, x_range):
        return None
    if version != load(store, chart.series(view)).version:
        return None
    return window


def drawn_traces(store: Store, chart: Chart, token: object, x_range: DateRange) -> list[Any] | None:
    """The traces the browser holds for the chart, as its `token` names them, if they were built for `x_range`
    (traces for another window differ, and rebuilding an evicted view to learn so would waste a render) from the
    data as it is now; else None."""
    built = held(token)
    if built is None or built[1] != x_range:
        return None
    view, window, version = built
    if version != load(store, chart.series(view)).version:
        return None
    return list(_built(store, chart.key, view, window, version)["data"])


def layout_patch(figure: Figure) -> Patch:
    """Only the layout of `figure`, for a chart whose traces the browser holds already."""
    patch = Patch()
    patch["layout"] = figure["layout"]
    return patch


def refitted(store: Store, chart: Chart, state: ViewState, window: DateRange, x_range: DateRange) -> Figure:
    """The chart's figure built for `window`, showing `x_range` with its y axes fitted."""
    view = project(state, chart.reads)
    return _shown(store, chart.key, view, window, load(store, chart.series(view)).version, x_range)


def range_patch(figure: Figure) -> Patch:
    """Only the axis ranges of `figure`, and each y axis's type and ticks: a few hundred bytes. The type and
    ticks too because the browser may have changed them itself (a scale change) without the figure it holds."""
    patch = Patch()
    for axis, settings in figure["layout"].items():
        if not axis.startswith(("xaxis", "yaxis")):
            continue
        if "range" in settings:
            patch["layout"][axis]["range"] = settings["range"]
        if axis.startswith("yaxis"):
            if "type" in settings:
                patch["layout"][axis]["type"] = settings["type"]
            patch["layout"][axis]["dtick"] = settings.get("dtick")
    return patch


def chart_csv(store: Store, chart: Chart, state: ViewState, x_range: DateRange) -> str:
    """The data behind a chart over the range: one row per date, one column per series headed by its label and
    unit, never filled; numbers as plain decimals (65000000000, not 6.5e+10)."""
    series_ids = chart.series(state)
    frame = store.panel(series_ids, start=pd.Timestamp(x_range[0]), end=pd.Timestamp(x_range[1])).frame
    frame = frame.dropna(how="all").rename(columns={sid: f"{label(sid)} [{unit(sid)}]" for sid in series_ids})
    return frame.to_csv(date_format="%Y-%m-%d", float_format=_plain)


def _plain(value: object) -> str:
    """The shortest decimal that reads back as `value`, never in exponent notation."""
    return np.format_float_positional(float(value), trim="-")  # type: ignore[arg-type]


def png_href(key: str, query: str) -> str:
    """The server PNG of chart `key` for the view `query` (with its range pinned)."""
    return f"/export/{key}.png{query}"


def chart_figures(store: Store, state: ViewState) -> tuple[dict[str, Figure], DateRange]:
    """Every chart's figure for the view and the range they show (the server PNG export draws from these)."""
    x_range = state_range(store, state)
    return {chart.key: chart_figure(store, chart, state, x_range)[0] for chart in CHARTS}, x_range


def register(app: Dash, store: Store) -> Callable[[str], dict[str, dict[str, Any]]]:
    """Attach the server callbacks to `app`, reading data from `store`, and the clientside ones; the view callback's
    first answer for a query (`first_view`), for the page to be served with."""
    chart_outputs = []
    for chart in CHARTS:
        chart_outputs += [
            Output(ids.graph(chart.key), "figure"),
            Output(ids.badge(chart.key), "children"),
            Output(ids.badge(chart.key), "className"),
            Output(ids.message(chart.key), "children"),
            Output(ids.png_link(chart.key), "href"),
        ]

    view_outputs = [
        Output(ids.URL, "search"),
        Output(ids.VIEW, "data"),
        Output(ids.SIGNAL_VIEW, "data"),
        Output(ids.STUDY_VIEW, "data"),
        Output(ids.UPLOAD_VIEW, "data"),
        Output(ids.PAGE, "className"),
        Output(ids.DATES_SHOWN, "children"),
        Output(ids.indexed(ids.DATES, ALL), "start_date"),
        Output(ids.indexed(ids.DATES, ALL), "end_date"),
        *[Output(control.id, "value") for control in CONTROLS],
        *chart_outputs,
        Output(ids.RENDERED, "data"),
        Output(ids.PRESET_RANGES, "data"),
    ]

    @app.callback(
        *view_outputs,
        Input(ids.URL, "search"),
        Input(ids.ZOOM, "data"),
        Input(ids.indexed(ids.DATES, ALL), "start_date"),
        Input(ids.indexed(ids.DATES, ALL), "end_date"),
        *[Input(control.id, "value") for control in CONTROLS],
        Input(ids.DATA_VERSION, "data"),
        State(ids.VIEW, "data"),
        State(ids.SIGNAL_VIEW, "data"),
        State(ids.STUDY_VIEW, "data"),
        State(ids.UPLOAD_VIEW, "data"),
        State(ids.RENDERED, "data"),
        State(ids.PRESET_RANGES, "data"),
    )
    def update_view(search: str | None, zoom: Any, start_dates: Any, end_dates: Any, *rest: Any) -> tuple[Any, ...]:
        """Whichever input changed, the view is rebuilt and the URL, the controls and every chart follow it."""
        triggered = ctx.triggered_id
        trigger = triggered.get("type") if isinstance(triggered, dict) else triggered
        pickers = [len(outputs) for outputs in _picker_outputs(ctx.outputs_list)]
        answer = view_answer(search, zoom, start_dates, end_dates, *rest, trigger=trigger, pickers=pickers)
        return tuple(map(_as_json, answer))

    def view_answer(
        search: str | None, zoom: Any, start_dates: Any, end_dates: Any, *rest: Any, trigger: object, pickers: list[int]
    ) -> tuple[Any, ...]:
        """The view callback's answer, given its inputs and states, what changed and how many pickers are built."""
        # The data version only says new data landed: each chart then redraws if its own data changed.
        *controls, _data_version, current, signal_view, study_view, upload_view, rendered, presets = rest
        # The picker is a list of one once the analyst has reached for it (layout.date_picker), else empty.
        start_dates, end_dates = (dates if isinstance(dates, list) else [] for dates in (start_dates, end_dates))
        values = {ids.ZOOM: zoom, "start_date": next(iter(start_dates), None), "end_date": next(iter(end_dates), None)}
        values |= {control.id: value for control, value in zip(CONTROLS, controls, strict=True)}
        trigger = trigger if isinstance(trigger, str) else None
        before = decode(current)
        state = next_state(before, trigger, values, search)
        query = encode(state)
        x_range = state_range(store, state)
        # The range to draw here: none when it did not move or the browser drew it already (a zoom or a preset
        # change; a double-click that clears the zoom returns every chart to the preset from here).
        drawn = (trigger == ids.ZOOM and state.has_custom_range) or trigger == PRESET.id
        moved = not drawn and (current is None or x_range != state_range(store, before))
        rendered = rendered if isinstance(rendered, dict) else {}
        tokens: dict[str, Any] = {}
        charts: list[Any] = []
        pinned = encode(state.with_range(*x_range))
        for chart in CHARTS:
            window = reusable(store, chart, state, x_range, rendered.get(chart.key))
            if window is not None:
                tokens[chart.key] = rendered[chart.key]
                patch = range_patch(refitted(store, chart, state, window, x_range)) if moved else no_update
                charts += [patch, no_update, no_update, no_update, png_href(chart.key, pinned)]
                continue
            figure, tokens[chart.key] = chart_figure(store, chart, state, x_range)
            if drawn_traces(store, chart, rendered.get(chart.key), x_range) == list(figure["data"]):
                # The browser holds the traces: it drew a scale change itself (layout.meta.scaled), else it needs
                # only the layout.
                patch = no_update if trigger == SCALE.id else layout_patch(figure)
                charts += [patch, no_update, no_update, no_update, png_href(chart.key, pinned)]
                continue
            metas = list(load(store, chart.series(state)).meta.values())
            charts += [figure, *badge(metas), "; ".join(unavailable_messages(metas)), png_href(chart.key, pinned)]
        table_view = encode(project(state, TABLE_READS))
        evidence = encode(project(state, event_study.READS)), encode(project(state, upload.READS))
        start, end = custom_days(state)
        sent = zip((start, end), (start_dates, end_dates), pickers, strict=True)
        # The picker shows what the analyst picks (one day, then the other): only other changes are written to it.
        picked = [[no_update] * count if trigger == ids.DATES else _to_pickers(value, shown, count)
                  for value, shown, count in sent]  # fmt: skip
        return (
            query if query != (search or "") else no_update,
            query if query != current else no_update,
            table_view if table_view != signal_view else no_update,
            evidence[0] if evidence[0] != study_view else no_update,
            evidence[1] if evidence[1] != upload_view else no_update,
            f"page theme-{state.theme}",
            shown_range(state)
            if current is None or (state.start, state.end) != (before.start, before.end)
            else no_update,
            *picked,
            *[_control_value(control.field, state, value) for control, value in zip(CONTROLS, controls, strict=True)],
            *charts,
            tokens if tokens != rendered else no_update,
            ranges if (ranges := preset_ranges(store, state)) != presets else no_update,
        )

    def first_view(search: str) -> dict[str, dict[str, Any]]:
        """What the view callback answers a page opened at `search`, as {component id: {prop: value}}: the page is
        served holding it (app.layout), so its charts draw as they mount, not after a round trip. The browser's
        first call then finds everything drawn (the view and the charts' tokens match) and sends next to nothing."""
        controls = [control.default for control in CONTROLS]  # as the bare page shows them
        nothing_held = [None] * 7  # the data version, the views, the charts' tokens, the preset ranges
        answer = view_answer(search, None, [], [], *controls, *nothing_held, trigger=None, pickers=[0, 0])
        props: dict[str, dict[str, Any]] = {}
        for output, value in zip(view_outputs, answer, strict=True):
            # The browser's address bar is its own; the picker (a pattern id) is not in the page yet.
            if value is not no_update and isinstance(output.component_id, str) and output.component_id != ids.URL:
                props.setdefault(output.component_id, {})[output.component_property] = value
        return props

    @app.callback(
        Output(ids.CSV_DOWNLOAD, "data"),
        Input(ids.action(ids.CSV, ALL), "n_clicks"),
        State(ids.VIEW, "data"),
        prevent_initial_call=True,
    )
    def download_csv(_: list[int | None], search: str | None) -> Any:
        """The chart's data over the view's range as CSV, named like its PNG."""
        key = ctx.triggered_id.get("chart") if isinstance(ctx.triggered_id, dict) else None
        if key not in BY_KEY:
            return no_update
        state = decode(search)
        x_range = state_range(store, state)
        return dcc.send_string(chart_csv(store, BY_KEY[key], state, x_range), export_name(key, x_range, "csv"))

    register_clientside(app)
    return first_view


def _as_json(value: Any) -> Any:
    """`value` with its Dash components (the picker's stand-in) as their JSON: one component in an answer makes
    plotly's encoder walk all of it in Python (~5 ms for the 270 KiB at Max) instead of orjson's one pass."""
    if isinstance(value, list) and any(isinstance(item, Component) for item in value):
        return [item.to_plotly_json() if isinstance(item, Component) else item for item in value]
    return value


def _picker_outputs(outputs: list[Any]) -> list[list[Any]]:
    """The view callback's outputs to the picker's start and end: the only lists among its outputs."""
    return [output for output in outputs if isinstance(output, list)]


def _to_pickers(value: object, shown: list[Any], count: int) -> list[Any]:
    """`value` for each of `count` pickers (none until built, then one), nothing for one that shows it already."""
    return [no_update if index < len(shown) and shown[index] == value else value for index in range(count)]


def _control_value(field: str, state: ViewState, shown: object) -> object:
    """What a control should show for `state`: nothing to send when it shows that already. The preset control
    is cleared while a custom range is shown."""
    value: object = getattr(state, field)
    if field == PRESET.field and state.has_custom_range:
        value = None
    if isinstance(value, tuple):
        value = list(value)
    return no_update if value == shown else value


def register_clientside(app: Dash) -> None:
    """Linked zoom and hover, presets and scales drawn at once, the evidence cards' trigger and the copy-link text
    run in the browser (assets/clientside.js)."""
    # Zoom and hover events are taken from the charts in the browser once they are drawn; the zoom handler there
    # sets the zoom store.
    app.clientside_callback(
        ClientsideFunction("riskon", "watchCharts"), Input(ids.ZOOM, "data"), Input(ids.RENDERED, "data")
    )
    app.clientside_callback(
        ClientsideFunction("riskon", "watchControls"),
        Input(ids.PRESET_RANGES, "data"),
        State(PRESET.id, "value"),
        State(SCALE.id, "value"),
    )
    app.clientside_callback(
        ClientsideFunction("riskon", "copyLink"),
        Output(ids.COPY_LINK, "content"),
        Input(ids.COPY_LINK, "n_clicks"),
        prevent_initial_call=True,
    )
