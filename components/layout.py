"""The page: a header, the control bar, one card per chart (with the controls it owns) and the signal table.

Every control's widget is drawn from its declaration in url_state; the URL is the source of truth for values.
The date picker and the tables are built when the analyst comes to them (`deferred`), so that their code (Dash's
async date-picker and table bundles) loads then and not with every page."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

import flask
import orjson
from dash import ALL, MATCH, ClientsideFunction, Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.dash_table.DataTable import DataTable
from dash.development.base_component import Component

from components import ids, status_line
from components.charts import ANALYTICS, PANELS, Chart
from components.charts.event_study import table_columns as study_columns
from components.signals import table_columns
from components.url_state import (
    DEFAULT,
    ENTRY,
    EQUITY,
    IWM_CLOSE,
    MARGIN,
    MIN_AGE,
    MIN_DRAWDOWN,
    MODE,
    PEAK_DAYS,
    PLACEBO,
    PRESET,
    PROVIDER,
    RESOLUTION,
    SCALE,
    STUDY_ASSET,
    STUDY_DAYS,
    STUDY_SIGNAL,
    THEME,
    UPLOAD,
    UPLOAD_COLUMN,
    UPLOAD_DAYS,
    UPLOAD_VS,
    Choice,
    Control,
    Number,
    Toggles,
    Token,
    ViewState,
    decode,
)

# Controls drawn in the top bar (besides the custom range) and on the signal card; the rest sit on their chart.
BAR_CONTROLS: tuple[Control, ...] = (PRESET, EQUITY, IWM_CLOSE, PROVIDER, MODE, SCALE)
SIGNAL_CONTROLS: tuple[Control, ...] = (RESOLUTION, ENTRY, MIN_AGE, MIN_DRAWDOWN, MARGIN, PEAK_DAYS)
# The signal table is built when its place comes this close below the screen: not with a 1400 x 1000 first screen
# (its card starts just below it), but before a scroll brings it into view.
SIGNALS_MARGIN = "300px"
STUDY_CONTROLS: tuple[Control, ...] = (STUDY_SIGNAL, STUDY_ASSET, STUDY_DAYS, PLACEBO)
UPLOAD_CONTROLS: tuple[Control, ...] = (UPLOAD, UPLOAD_COLUMN, UPLOAD_VS, UPLOAD_DAYS)
# Range-free modebar settings, set once: a changed config makes plotly.js redraw from scratch (newPlot). The
# PNG's file name (chart and range) is set in the browser (assets/clientside.js).
GRAPH_CONFIG: Any = {
    "displaylogo": False,
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2, "width": 1100, "height": 480},
}


def widget(control: Control) -> Any:
    """The input a control declares: segmented buttons, a checklist or a number box, at its default value."""
    if isinstance(control, Number):
        box = dcc.Input(id=control.id, type="number", value=control.default, step=control.step, debounce=True,
                        min=control.bounds[0], max=control.bounds[1], className="number")  # fmt: skip
        return html.Div(box, title=control.help)
    if isinstance(control, Token):
        box = dcc.Input(id=control.id, type="text", value=control.default, debounce=True, placeholder="none",
                        className="token", style={"width": "18ch"})  # fmt: skip
        return html.Div(box, title=control.help)
    options = [{"label": text, "value": value} for value, text in getattr(control, "options", {}).items()]
    if isinstance(control, Toggles):
        return dcc.Checklist(id=control.id, options=options, value=list(control.default), inline=True,
                             className="segmented")  # fmt: skip
    assert isinstance(control, Choice)
    return dcc.RadioItems(id=control.id, options=options, value=control.default, inline=True, className="segmented")


def labelled(control: Control) -> html.Div:
    return html.Div([html.Label(control.label, className="control-label"), widget(control)], className="control")


def deferred(part: str, *standing_in: Any, when: str, margin: str = "0px") -> html.Div:
    """The place where `part` (PARTS) is built once wanted: when the place comes within `margin` of the screen
    (when="near") or when the analyst reaches for it (when="reach": pointer over, focus or touch, just before the
    click). `standing_in` shows until then (assets/clientside.js watchLazy; style.css hides it after)."""
    return html.Div(
        [*standing_in, html.Div(id=ids.indexed(ids.LAZY, part), className="lazy"),
         dcc.Store(id=ids.indexed(ids.WANTED, part), data=False)],
        className="deferred",
        **{"data-part": part, "data-when": when, "data-margin": margin},  # type: ignore[arg-type]
    )  # fmt: skip


def controls() -> html.Div:
    """The top bar: range preset, custom dates and the controls every chart shares. The custom range shows as text
    shaped like the picker until the analyst reaches for it (`date_picker` then replaces it)."""
    shown = html.Div(shown_range(DEFAULT), id=ids.DATES_SHOWN, className="dates-shown", tabIndex=0, role="button",
                     title="Pick a custom range")  # fmt: skip
    custom = html.Div([html.Label("Custom", className="control-label"), deferred(ids.DATES, shown, when="reach")],
                      className="control")  # fmt: skip
    return html.Div([labelled(PRESET), custom, *map(labelled, BAR_CONTROLS[1:])], className="controls")


def custom_days(state: ViewState) -> tuple[str | None, str | None]:
    """The view's custom range as ISO days, or (None, None) when it follows a preset."""
    return (state.start.isoformat(), state.end.isoformat()) if state.start and state.end else (None, None)


def shown_range(state: ViewState) -> list[html.Span]:
    """The view's custom range as the picker shows it: its two days, or its placeholders."""
    start, end = custom_days(state)
    empty = "" if start else " dates-empty"
    return [html.Span(start or "start", className="dates-day" + empty), html.Span("→", className="dates-arrow"),
            html.Span(end or "end", className="dates-day" + empty)]  # fmt: skip


def date_picker(state: ViewState) -> dcc.DatePickerRange:
    """The custom-range picker, showing the range of `state` (the URL's, so its first call changes nothing)."""
    start, end = custom_days(state)
    return dcc.DatePickerRange(id=ids.indexed(ids.DATES), display_format="YYYY-MM-DD", start_date=start,
                               end_date=end, start_date_placeholder_text="start", end_date_placeholder_text="end",
                               clearable=True, minimum_nights=1)  # fmt: skip


def card(chart: Chart) -> html.Section:
    """One chart: status badge and actions, its own controls, a message line for unavailable series, the graph."""
    actions = html.Div(
        [
            html.Button("CSV", id=ids.action(ids.CSV, chart.key), className="action", title="Download the data"),
            html.A("PNG", id=ids.png_link(chart.key), className="action", target="_blank", title="Image"),
        ],
        className="actions",
    )
    head = html.Div([html.Span(id=ids.badge(chart.key), className="badge"), actions], className="card-head")
    own = [html.Div([labelled(control) for control in chart.controls], className="controls")] if chart.controls else []
    graph = dcc.Graph(id=ids.graph(chart.key), className="chart", config=GRAPH_CONFIG)
    return html.Section(
        [head, *own, html.Div(id=ids.message(chart.key), className="panel-message"),
         html.Div(graph, className="graph-slot")],
        id=ids.card(chart.key),
        className="card",
    )  # fmt: skip


def signal_table() -> DataTable:
    """The sortable signal table; clicking a row zooms every chart (signals.register)."""
    return DataTable(
        id=ids.indexed(ids.SIGNAL_TABLE),
        columns=[{**column, "hideable": True} for column in table_columns()],  # type: ignore[typeddict-item]
        data=[],
        sort_action="native",
        page_size=12,
        style_table={"overflowX": "auto"},
        style_cell={"fontFamily": "inherit", "fontSize": 12, "padding": "4px 8px", "textAlign": "right"},
        style_cell_conditional=[{"if": {"column_type": "text"}, "textAlign": "left"}],
        style_header={"fontWeight": 600},
    )


def signals_card() -> html.Section:
    """Detector and forward-return controls above the sortable table (built as the card nears the screen).
    The card spans the grid's full width so that every column shows; columns can be hidden."""
    head = html.Div([html.H2("Breakouts of prior highs and what crypto did next", className="card-title"),
                     html.Span(id=ids.SIGNAL_SUMMARY, className="badge")], className="card-head")  # fmt: skip
    return html.Section(
        [head, html.Div([labelled(c) for c in SIGNAL_CONTROLS], className="controls signal-controls"),
         deferred(ids.SIGNAL_TABLE, when="near", margin=SIGNALS_MARGIN),
         html.P(id=ids.SIGNAL_CONVENTION, className="convention")],
        id=ids.card("signals"),
        className="card card-wide",
        style={"gridColumn": "1 / -1"},
    )  # fmt: skip


def study_card() -> html.Section:
    """The event study: its controls, the paths-vs-band chart, and the table of statistics with its convention.
    Its graph is not a linked chart (class 'chart'): its x axis counts days after entry."""
    head = html.Div([html.H2("Event study: after the signal vs after any day", className="card-title"),
                     html.Span(id=ids.STUDY_SUMMARY, className="badge")], className="card-head")  # fmt: skip
    graph = deferred(ids.STUDY_GRAPH, when="near", margin="100%")  # 10,000 placebo draws: not on every page load
    return html.Section(
        [head, html.Div([labelled(c) for c in STUDY_CONTROLS], className="controls"),
         html.Div(graph, className="graph-slot"), deferred(ids.STUDY_TABLE, when="near", margin="100%"),
         html.P(id=ids.STUDY_NOTES, className="convention")],
        id=ids.card("event-study"),
        className="card card-wide",
        style={"gridColumn": "1 / -1"},
    )  # fmt: skip


def study_table() -> DataTable:
    """The event study's statistics (event_study.register fills it)."""
    return DataTable(
        id=ids.indexed(ids.STUDY_TABLE),
        columns=[{**column, "hideable": True} for column in study_columns()],  # type: ignore[typeddict-item]
        data=[],
        style_table={"overflowX": "auto"},
        style_cell={"fontFamily": "inherit", "fontSize": 12, "padding": "4px 8px", "textAlign": "right"},
        style_cell_conditional=[{"if": {"column_type": "text"}, "textAlign": "left"}],
        style_header={"fontWeight": 600, "whiteSpace": "normal"},
    )


def evidence_graph(kind: str, class_name: str) -> dcc.Graph:
    """An evidence card's graph, built as its card nears the screen; not a linked chart (no class 'chart')."""
    return dcc.Graph(id=ids.indexed(kind), className=class_name, config=GRAPH_CONFIG)


def upload_drop() -> dcc.Upload:
    """Where a CSV is dropped (upload.register checks and stores it). Any file is taken: an `accept` filter would
    drop another kind of file without a word, where the check names what is wrong with it."""
    return dcc.Upload(
        id=ids.indexed(ids.UPLOAD_INPUT),
        children=html.Div(["Drop a CSV here or ", html.A("choose a file"), " (a date column, numeric columns)"]),
        className="upload-drop",
        style={"border": "1px dashed #9aa1ad", "borderRadius": "6px", "padding": "12px", "textAlign": "center"},
        multiple=False,
    )


def upload_card() -> html.Section:
    """Bring your own series: drop a CSV (the drop box is built as the card nears the screen), see it against a
    riskon series; the event study can use it."""
    head = html.Div(html.H2("Bring your own series", className="card-title"), className="card-head")
    return html.Section(
        [head, deferred(ids.UPLOAD_INPUT, when="near", margin="100%"), html.Div(id=ids.UPLOAD_MESSAGE, role="status"),
         html.Div([labelled(c) for c in UPLOAD_CONTROLS], className="controls"),
         html.Div(id=ids.UPLOAD_STATUS, className="convention"),
         html.Div(deferred(ids.UPLOAD_GRAPH, when="near", margin="100%"), className="graph-slot")],
        id=ids.card("upload"),
        className="card",
    )  # fmt: skip


# What each deferred part is built from: the view the URL holds (the picker shows its range).
PARTS: dict[str, Callable[[ViewState], Any]] = {
    ids.DATES: date_picker,
    ids.SIGNAL_TABLE: lambda _: signal_table(),
    ids.STUDY_GRAPH: lambda _: evidence_graph(ids.STUDY_GRAPH, "study-chart"),
    ids.STUDY_TABLE: lambda _: study_table(),
    ids.UPLOAD_INPUT: lambda _: upload_drop(),
    ids.UPLOAD_GRAPH: lambda _: evidence_graph(ids.UPLOAD_GRAPH, "upload-chart"),
}


def register(app: Dash) -> None:
    """Build each deferred part once the browser says it is wanted (its code loads as it first renders)."""
    app.clientside_callback(ClientsideFunction("riskon", "watchLazy"), Input(ids.indexed(ids.WANTED, ALL), "data"))

    @app.callback(
        Output(ids.indexed(ids.LAZY, MATCH), "children"),
        Input(ids.indexed(ids.WANTED, MATCH), "data"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def build(_: object, search: str | None) -> Any:
        """The part the browser asked for (it asks once), as the URL's view shows it."""
        builder = PARTS.get(str(ctx.outputs_list["id"]["index"]))
        return builder(decode(search)) if builder else no_update


def page_for_referrer(first_view: Callable[[str], Mapping[str, Mapping[str, Any]]]) -> html.Div:
    """The page as served to a browser (app.layout): holding the view callback's first answer for the URL that asks
    for it (the Referer of /_dash-layout, same-origin), so its charts draw as they mount. A request without one (or
    the app's start-up check) gets the bare page, which the view callback then fills."""
    referrer = flask.request.referrer if flask.has_request_context() else None
    try:
        query = urllib.parse.urlsplit(referrer).query if referrer else None
    except ValueError:  # not a URL (e.g. 'http://[::1/'): as if none were sent
        query = None
    if query is None:
        return page()
    return holding(page(), first_view(f"?{query}" if query else ""))


def holding(node: Any, props: Mapping[str, Mapping[str, Any]]) -> Any:
    """`node` with the props that `props` ({component id: {prop: value}}) names set on its components."""
    if isinstance(node, list | tuple):
        for child in node:
            holding(child, props)
    elif isinstance(node, Component):
        own = getattr(node, "id", None)
        for name, value in props.get(own, {}).items() if isinstance(own, str) else ():
            setattr(node, name, _encoded(value))
        holding(getattr(node, "children", None), props)
    return node


def _encoded(value: Any) -> Any:
    """A held object (a figure, the charts' tokens) as its JSON already. Dash encodes a page with plotly's encoder,
    which walks every node of a page in Python (a page is components, which orjson cannot encode) but passes a
    Fragment to orjson whole; the figures are most of a held page's nodes."""
    if not isinstance(value, dict):
        return value
    try:
        return orjson.Fragment(orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS))
    except TypeError:  # something only plotly's encoder knows
        return value


def page() -> html.Div:
    """The whole page; the URL is the source of truth for every control's value."""
    brand = html.Div(
        [html.H1("riskon"), html.P("Small caps, crypto and stablecoins: is risk on?", className="tagline")],
        className="brand",
    )
    copy_link = html.Div(
        [dcc.Clipboard(id=ids.COPY_LINK, title="Copy a link to this view"), "Copy link"], className="copy-link"
    )
    header = html.Header([brand, html.Div([widget(THEME), copy_link], className="header-actions")], className="header")
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh="callback-nav"),
            dcc.Store(id=ids.VIEW),
            dcc.Store(id=ids.SIGNAL_VIEW),
            dcc.Store(id=ids.STUDY_VIEW),
            dcc.Store(id=ids.UPLOAD_VIEW),
            dcc.Store(id=ids.UPLOAD_PENDING),
            dcc.Store(id=ids.ZOOM),
            dcc.Store(id=ids.RENDERED),
            dcc.Store(id=ids.PRESET_RANGES),
            dcc.Store(id=ids.VIEW_TITLE),
            dcc.Download(id=ids.CSV_DOWNLOAD),
            header,
            *status_line.elements(),
            controls(),
            html.Main([card(chart) for chart in PANELS], className="grid"),
            html.H2("Signals: do small-cap breakouts lead crypto?", className="section-title"),
            html.Div([signals_card(), *[card(chart) for chart in ANALYTICS]], className="grid"),
            html.H2("Evidence: does the signal beat a random day?", className="section-title"),
            # Their graphs and tables are built, and so computed, once near the screen (deferred).
            html.Div([study_card(), upload_card()], className="grid evidence"),
            html.Footer(
                "Data: embedded snapshot of real public data or live sources; see each chart's source line.",
                className="footer",
            ),
        ],
        id=ids.PAGE,
        className=f"page theme-{DEFAULT.theme}",
    )
