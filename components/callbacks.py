"""Server callbacks: the one URL <-> controls sync, the figure render, CSV downloads and the benchmark ping."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pandas as pd
from dash import Dash, Input, Output, Patch, State, ctx, dcc, no_update

from components import ids
from components.figures import Figure, build_figure, fit_axes, unavailable_messages
from components.panels import PANEL_KEYS, SHORT_LABELS, all_series, panel_series
from components.ranges import resolve_range
from components.signals import ANALYTICS_KEYS, analytics_figure, analytics_series, analytics_used, detect, marker_traces
from components.url_state import DEFAULT, ViewState, decode, encode, parse_date, updated

if TYPE_CHECKING:
    from data_sources.store import SeriesMeta, Store

CHART_KEYS = PANEL_KEYS + ANALYTICS_KEYS
# Controls whose value is a ViewState field of the same meaning.
FIELD_CONTROLS = {
    ids.EQUITY: "equity",
    ids.ALTCOIN: "altcoin",
    ids.SCALE: "scale",
    ids.MODE: "mode",
    ids.THEME: "theme",
    ids.RESOLUTION: "resolution",
    ids.ENTRY: "entry",
    ids.MIN_AGE: "min_age",
    ids.MIN_DRAWDOWN: "min_drawdown",
    ids.MARGIN: "margin",
    ids.CORR_WITH: "corr_with",
    ids.HORIZON: "horizon",
    ids.PEAK_DAYS: "peak_days",
}


def next_state(current: ViewState, trigger: str | None, values: dict[str, Any], search: object) -> ViewState:
    """The view after one input changed: the URL replaces the view, a control edits one field of it."""
    if trigger in (None, ids.URL):
        return decode(search)
    if trigger == ids.ZOOM:
        zoom = values[ids.ZOOM] if isinstance(values[ids.ZOOM], dict) else {}
        return current.with_range(parse_date(zoom.get("start")), parse_date(zoom.get("end")))
    if trigger == ids.DATES:
        return current.with_range(parse_date(values["start_date"]), parse_date(values["end_date"]))
    if trigger == ids.PRESET:
        return updated(current, {"preset": values[ids.PRESET]}).with_range(None, None)
    if trigger == ids.STABLES:
        return updated(current, {"stables": values[ids.STABLES]})
    if trigger in FIELD_CONTROLS:
        return updated(current, {FIELD_CONTROLS[trigger]: values[trigger]})
    return current


def load(store: Store, series_ids: tuple[str, ...]) -> tuple[dict[str, pd.Series], dict[str, SeriesMeta]]:
    """Whole histories and metadata of `series_ids` (an unavailable series is an empty Series)."""
    values: dict[str, pd.Series] = {}
    meta: dict[str, SeriesMeta] = {}
    for series_id in series_ids:
        series, meta[series_id] = store.series(series_id)
        values[series_id] = series if series is not None else pd.Series(dtype="float64")
    return values, meta


def view_range(state: ViewState, meta: dict[str, SeriesMeta]) -> tuple[dt.date, dt.date]:
    """The dates every chart shows for `state`, from the extent of the displayed data."""
    firsts = [m.first.date() for m in meta.values() if m.first is not None]
    lasts = [m.last.date() for m in meta.values() if m.last is not None]
    if not firsts:
        today = dt.date.today()
        return resolve_range(state, first=today - dt.timedelta(days=365), last=today)
    return resolve_range(state, first=min(firsts), last=max(lasts))


def badge(metas: list[SeriesMeta]) -> tuple[str, str]:
    """Badge text and CSS class: the newest date of the panel's data, each series that ends earlier, and whether
    anything is stale or missing."""
    lasts = {meta.series_id: meta.last for meta in metas if meta.last is not None}
    newest = max(lasts.values(), default=None)
    lagging = [f"{SHORT_LABELS[sid]} {last:%Y-%m-%d}" for sid, last in lasts.items() if last != newest]
    text = " · ".join([f"as of {newest:%Y-%m-%d}", *lagging]) if newest is not None else "no data"
    if any(not meta.available for meta in metas):
        return text + " - partly unavailable", "badge badge-error"
    if any(meta.stale for meta in metas):
        return text + " - stale", "badge badge-stale"
    return text, "badge"


def graph_config(key: str, x_range: tuple[dt.date, dt.date]) -> dict[str, Any]:
    """Modebar settings: a stable PNG file name (panel + range) at scale 2."""
    return {
        "displaylogo": False,
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
        "toImageButtonOptions": {
            "format": "png",
            "filename": f"riskon_{key}_{x_range[0]}_{x_range[1]}",
            "scale": 2,
            "width": 1100,
            "height": 480,
        },
    }


def chart_series(key: str, state: ViewState) -> tuple[str, ...]:
    """The series chart `key` draws from (a panel's own, or an analytics chart's inputs)."""
    return tuple(analytics_used(key, state)) if key in ANALYTICS_KEYS else panel_series(key, state).all


def chart_figures(
    store: Store, state: ViewState
) -> tuple[dict[str, Figure], dict[str, list[SeriesMeta]], tuple[dt.date, dt.date]]:
    """Every chart's figure for the view (breakouts marked on the equity lines), their series' metadata, the range."""
    series_ids = tuple(dict.fromkeys(all_series(state) + analytics_series(state)))
    meta = {series_id: store.series(series_id)[1] for series_id in series_ids}
    x_range = view_range(state, {series_id: meta[series_id] for series_id in all_series(state)})
    # In raw mode the traces do not depend on the range, so every zoom and preset reuses them.
    traces_range = x_range if state.mode == "rebase" else None
    data_version = tuple((m.series_id, m.source, m.as_of, m.last, m.stale) for m in meta.values())
    traces_view = replace(state, preset=DEFAULT.preset, start=None, end=None)
    figures = _unfitted_figures(store, traces_view, traces_range, data_version)
    metas = {key: [meta[series_id] for series_id in chart_series(key, state)] for key in CHART_KEYS}
    return {key: fit_axes(figure, x_range) for key, figure in figures.items()}, metas, x_range


@functools.lru_cache(maxsize=8)
def _unfitted_figures(
    store: Store, state: ViewState, x_range: tuple[dt.date, dt.date] | None, data_version: tuple[object, ...]
) -> dict[str, Figure]:
    """Every chart before `fit_axes`, built from `store`'s data as of `data_version` (part of the cache key only);
    `x_range` None means the traces do not depend on it. Callers must not mutate the result."""
    values, meta = load(store, all_series(state))
    x_range = x_range or view_range(state, meta)
    analytics = store.panel(analytics_series(state))
    meta |= analytics.meta
    frame = analytics.frame
    figures = {key: build_figure(key, values, meta, state, x_range) for key in PANEL_KEYS}
    for key, equity in (("smallcaps", state.equity), ("altcoins", "iwm")):
        events = detect(frame[equity], state)
        figures[key]["data"] += marker_traces(frame[equity], events, state, x_range, yaxis="y")
    return figures | {key: analytics_figure(key, frame, meta, state, x_range) for key in ANALYTICS_KEYS}


def only_range_changed(before: ViewState, after: ViewState) -> bool:
    """Whether the charts can keep their traces: only the range moved, and values do not depend on it (raw mode)."""
    return after.mode == "raw" and replace(before, preset=after.preset, start=after.start, end=after.end) == after


def range_patches(figures: dict[str, Figure]) -> dict[str, Patch]:
    """Per chart, a Patch carrying only its axis ranges: a zoom costs a few hundred bytes instead of every trace."""
    patches = {}
    for key, figure in figures.items():
        patch = Patch()
        for axis, settings in figure["layout"].items():
            if not axis.startswith(("xaxis", "yaxis")):
                continue
            if "range" in settings:
                patch["layout"][axis]["range"] = settings["range"]
            if settings.get("type") == "log":  # fit_axes picks log ticks by the span of the range
                patch["layout"][axis]["dtick"] = settings.get("dtick")
        patches[key] = patch
    return patches


def panel_csv(key: str, state: ViewState, store: Store, x_range: tuple[dt.date, dt.date]) -> str:
    """The data behind a chart over the range: one row per date, one column per series, never filled."""
    series_ids = chart_series(key, state)
    panel = store.panel(series_ids, start=pd.Timestamp(x_range[0]), end=pd.Timestamp(x_range[1]))
    return panel.frame.dropna(how="all").to_csv(date_format="%Y-%m-%d", float_format="%.10g")


def register(app: Dash, store: Store) -> None:
    """Attach the server callbacks to `app`, reading data from `store`."""
    control_outputs = [
        Output(ids.PRESET, "value"),
        Output(ids.DATES, "start_date"),
        Output(ids.DATES, "end_date"),
        Output(ids.STABLES, "value"),
        *[Output(control, "value") for control in FIELD_CONTROLS],
    ]

    @app.callback(
        Output(ids.URL, "search"),
        Output(ids.VIEW, "data"),
        Output(ids.PAGE, "className"),
        *control_outputs,
        Input(ids.URL, "search"),
        Input(ids.ZOOM, "data"),
        Input(ids.PRESET, "value"),
        Input(ids.DATES, "start_date"),
        Input(ids.DATES, "end_date"),
        Input(ids.STABLES, "value"),
        *[Input(control, "value") for control in FIELD_CONTROLS],
        State(ids.VIEW, "data"),
    )
    def sync_view(search: str | None, zoom: Any, preset: str, start_date: str | None, end_date: str | None,
                  stables: list[str], *rest: Any) -> tuple[Any, ...]:  # fmt: skip
        """The one URL <-> controls sync: whichever changed, the view is rebuilt and every side follows it."""
        *field_values, current_search = rest
        values = {ids.ZOOM: zoom, ids.PRESET: preset, "start_date": start_date, "end_date": end_date}
        values |= {ids.STABLES: stables, **dict(zip(FIELD_CONTROLS, field_values, strict=True))}
        trigger = ctx.triggered_id if isinstance(ctx.triggered_id, str) else None
        state = next_state(decode(current_search), trigger, values, search)
        query = encode(state)
        return (
            query if query != (search or "") else no_update,
            query,
            f"page theme-{state.theme}",
            state.preset if not state.has_custom_range else None,
            state.start.isoformat() if state.start else None,
            state.end.isoformat() if state.end else None,
            list(state.stables),
            *[getattr(state, field) for field in FIELD_CONTROLS.values()],
        )

    panel_outputs = []
    for key in CHART_KEYS:
        panel_outputs += [
            Output(ids.graph(key), "figure"),
            Output(ids.graph(key), "config"),
            Output(ids.badge(key), "children"),
            Output(ids.badge(key), "className"),
            Output(ids.message(key), "children"),
            Output(ids.png_link(key), "href"),
        ]

    @app.callback(*panel_outputs, Output(ids.RENDERED, "data"), Input(ids.VIEW, "data"), State(ids.RENDERED, "data"))
    def render(search: str | None, rendered: str | None) -> list[Any]:
        """Every panel's figure, export settings and status for the view; a new range alone only patches ranges."""
        state = decode(search)
        figures, chart_metas, x_range = chart_figures(store, state)
        outputs: list[Any] = []
        if rendered is not None and only_range_changed(decode(rendered), state):
            patches = range_patches(figures)
            for key in CHART_KEYS:
                href = f"/export/{key}.png{encode(state.with_range(*x_range))}"
                outputs += [patches[key], graph_config(key, x_range), no_update, no_update, no_update, href]
            return [*outputs, no_update]
        for key in CHART_KEYS:
            metas = chart_metas[key]
            text, css = badge(metas)
            outputs += [
                figures[key],
                graph_config(key, x_range),
                text,
                css,
                "; ".join(unavailable_messages(metas)),
                f"/export/{key}.png{encode(state.with_range(*x_range))}",
            ]
        return [*outputs, encode(state)]

    for key in CHART_KEYS:

        @app.callback(
            Output(ids.csv_download(key), "data"),
            Input(ids.csv_button(key), "n_clicks"),
            State(ids.VIEW, "data"),
            prevent_initial_call=True,
        )
        def download_csv(_: int, search: str | None, key: str = key) -> dict[str, Any]:
            """The panel's data as CSV, named like its PNG."""
            state = decode(search)
            x_range = view_range(state, load(store, all_series(state))[1])
            name = f"riskon_{key}_{x_range[0]}_{x_range[1]}.csv"
            return dcc.send_string(panel_csv(key, state, store, x_range), name)

    @app.callback(Output(ids.PING_OUT, "children"), Input(ids.PING, "n_clicks"), prevent_initial_call=True)
    def ping(clicks: int) -> str:
        """Does nothing: the floor the benchmark compares the render callback with."""
        return str(clicks)
