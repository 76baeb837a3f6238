"""The page: a header, the control bar, one card per chart (with the controls it owns) and the signal table.

Every control's widget is drawn from its declaration in url_state; the URL is the source of truth for values."""

from __future__ import annotations

from typing import Any

from dash import dcc, html
from dash.dash_table.DataTable import DataTable

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
)

# Controls drawn in the top bar (besides the custom range) and on the signal card; the rest sit on their chart.
BAR_CONTROLS: tuple[Control, ...] = (PRESET, EQUITY, IWM_CLOSE, PROVIDER, MODE, SCALE)
SIGNAL_CONTROLS: tuple[Control, ...] = (RESOLUTION, ENTRY, MIN_AGE, MIN_DRAWDOWN, MARGIN, PEAK_DAYS)
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


def controls() -> html.Div:
    """The top bar: range preset, custom dates and the controls every chart shares."""
    dates = dcc.DatePickerRange(id=ids.DATES, display_format="YYYY-MM-DD", start_date_placeholder_text="start",
                                end_date_placeholder_text="end", clearable=True, minimum_nights=1)  # fmt: skip
    custom = html.Div([html.Label("Custom", className="control-label"), dates], className="control")
    return html.Div([labelled(PRESET), custom, *map(labelled, BAR_CONTROLS[1:])], className="controls")


def card(chart: Chart) -> html.Section:
    """One chart: status badge and actions, its own controls, a message line for unavailable series, the graph."""
    actions = html.Div(
        [
            html.Button("CSV", id=ids.action(ids.CSV, chart.key), className="action", title="Download the data"),
            html.A("PNG", id=ids.png_link(chart.key), className="action", target="_blank", title="Image"),
        ],
        className="actions",
    )
    head = html.Div(
        [html.Span(id=ids.badge(chart.key), className="badge"), actions, dcc.Download(id=ids.action(ids.CSV_DOWNLOAD,
                                                                                              chart.key))],
        className="card-head",
    )  # fmt: skip
    own = [html.Div([labelled(control) for control in chart.controls], className="controls")] if chart.controls else []
    graph = dcc.Graph(id=ids.graph(chart.key), className="chart", config=GRAPH_CONFIG)
    return html.Section(
        [head, *own, html.Div(id=ids.message(chart.key), className="panel-message"),
         html.Div(graph, className="graph-slot")],
        id=ids.card(chart.key),
        className="card",
    )  # fmt: skip


def signals_card() -> html.Section:
    """Detector and forward-return controls above the sortable table; clicking a row zooms every chart.
    The card spans the grid's full width so that every column shows; columns can be hidden."""
    table = DataTable(
        id=ids.SIGNAL_TABLE,
        columns=[{**column, "hideable": True} for column in table_columns()],  # type: ignore[typeddict-item]
        data=[],
        sort_action="native",
        page_size=12,
        style_table={"overflowX": "auto"},
        style_cell={"fontFamily": "inherit", "fontSize": 12, "padding": "4px 8px", "textAlign": "right"},
        style_cell_conditional=[{"if": {"column_type": "text"}, "textAlign": "left"}],
        style_header={"fontWeight": 600},
    )
    head = html.Div([html.H2("Breakouts of prior highs and what crypto did next", className="card-title"),
                     html.Span(id=ids.SIGNAL_SUMMARY, className="badge")], className="card-head")  # fmt: skip
    return html.Section(
        [head, html.Div([labelled(c) for c in SIGNAL_CONTROLS], className="controls signal-controls"), table,
         html.P(id=ids.SIGNAL_CONVENTION, className="convention")],
        id=ids.card("signals"),
        className="card card-wide",
        style={"gridColumn": "1 / -1"},
    )  # fmt: skip


def study_card() -> html.Section:
    """The event study: its controls, the paths-vs-band chart, and the table of statistics with its convention.
    Its graph is not a linked chart (class 'chart'): its x axis counts days after entry."""
    table = DataTable(
        id=ids.STUDY_TABLE,
        columns=[{**column, "hideable": True} for column in study_columns()],  # type: ignore[typeddict-item]
        data=[],
        style_table={"overflowX": "auto"},
        style_cell={"fontFamily": "inherit", "fontSize": 12, "padding": "4px 8px", "textAlign": "right"},
        style_cell_conditional=[{"if": {"column_type": "text"}, "textAlign": "left"}],
        style_header={"fontWeight": 600, "whiteSpace": "normal"},
    )
    head = html.Div([html.H2("Event study: after the signal vs after any day", className="card-title"),
                     html.Span(id=ids.STUDY_SUMMARY, className="badge")], className="card-head")  # fmt: skip
    graph = dcc.Graph(id=ids.STUDY_GRAPH, className="study-chart", config=GRAPH_CONFIG)
    return html.Section(
        [head, html.Div([labelled(c) for c in STUDY_CONTROLS], className="controls"),
         html.Div(graph, className="graph-slot"), table, html.P(id=ids.STUDY_NOTES, className="convention")],
        id=ids.card("event-study"),
        className="card card-wide",
        style={"gridColumn": "1 / -1"},
    )  # fmt: skip


def upload_card() -> html.Section:
    """Bring your own series: drop a CSV, see it against a riskon series; the event study can use it."""
    drop = dcc.Upload(
        id=ids.UPLOAD_INPUT,
        children=html.Div(["Drop a CSV here or ", html.A("choose a file"), " (a date column, numeric columns)"]),
        className="upload-drop",
        style={"border": "1px dashed #9aa1ad", "borderRadius": "6px", "padding": "12px", "textAlign": "center"},
        accept=".csv,text/csv,text/plain",
        multiple=False,
    )
    head = html.Div(html.H2("Bring your own series", className="card-title"), className="card-head")
    return html.Section(
        [head, drop, html.Div(id=ids.UPLOAD_MESSAGE, role="status"),
         html.Div([labelled(c) for c in UPLOAD_CONTROLS], className="controls"),
         html.Div(id=ids.UPLOAD_STATUS, className="convention"),
         dcc.Graph(id=ids.UPLOAD_GRAPH, className="upload-chart", config=GRAPH_CONFIG)],
        id=ids.card("upload"),
        className="card",
    )  # fmt: skip


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
            dcc.Store(id=ids.EVIDENCE_SHOWN, data=False),
            dcc.Store(id=ids.UPLOAD_PENDING),
            dcc.Store(id=ids.ZOOM),
            dcc.Store(id=ids.RENDERED),
            dcc.Store(id=ids.PRESET_RANGES),
            header,
            *status_line.elements(),
            controls(),
            html.Main([card(chart) for chart in PANELS], className="grid"),
            html.H2("Signals: do small-cap breakouts lead crypto?", className="section-title"),
            html.Div([signals_card(), *[card(chart) for chart in ANALYTICS]], className="grid"),
            html.H2("Evidence: does the signal beat a random day?", className="section-title"),
            # Computed once near the screen (assets/clientside.js watchEvidence), not on every page load.
            html.Div([study_card(), upload_card()], className="grid evidence"),
            html.Footer(
                "Data: embedded snapshot of real public data or live sources; see each chart's source line.",
                className="footer",
            ),
        ],
        id=ids.PAGE,
        className=f"page theme-{DEFAULT.theme}",
    )
