"""Signal analytics on the dashboard: breakout markers, the forward-return table, rolling correlation, drawdowns
and stablecoin ratios. Builders are pure (data and a view in, figures and rows out); `register` adds callbacks."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from dash import Dash, Input, Output, State, dcc, html, no_update
from dash.dash_table import FormatTemplate
from dash.dash_table.DataTable import DataTable
from dash.dash_table.Format import Format, Scheme

from components import ids
from components.figures import Figure, _base_layout, credit_line, rebase, trace_data, typed_array, typed_dates
from components.panels import SHORT_LABELS
from components.theme import SERIES_COLORS
from components.url_state import ViewState, decode
from data_sources.analytics import (
    breakouts,
    convention,
    drawdown,
    forward_returns,
    rolling_correlation,
    stablecoin_share,
    supply_ratio,
    supply_up_market_down,
)

if TYPE_CHECKING:
    from data_sources.store import SeriesMeta, Store

SIGNAL_ASSETS = ("btc", "altcoin_mcap", "total_mcap")
ANALYTICS_KEYS = ("correlation", "drawdown", "ssr")
ANALYTICS_TITLES = {
    "correlation": "Rolling correlation of log returns",
    "drawdown": "Drawdown from all-time high",
    "ssr": "Stablecoin supply ratio and share of crypto market cap",
}
WINDOW_COLORS = {"corr_30": "#9db4e0", "corr_90": "#4a78c2", "corr_180": "#1b3a73"}
# Rows clicked in the table zoom every chart to this window around the signal.
ZOOM_BEFORE_DAYS, ZOOM_AFTER_DAYS = 120, 400


def analytics_series(state: ViewState) -> tuple[str, ...]:
    """Every series the analytics need for `state` (whole histories: detection must see the old highs)."""
    return tuple(dict.fromkeys(("rut", "iwm", state.equity, *SIGNAL_ASSETS, "btc_mcap", "stablecoin_supply")))


def analytics_used(key: str, state: ViewState) -> list[str]:
    """The series analytics panel `key` draws from, for its credit line and badge."""
    if key == "correlation":
        return [state.corr_with, state.equity]
    if key == "drawdown":
        return [state.equity, "btc", "altcoin_mcap"]
    return ["btc_mcap", "stablecoin_supply", "total_mcap"]


def detect(closes: pd.Series, state: ViewState) -> pd.DataFrame:
    """Prior-high breakouts of `closes` with the view's resolution and detector parameters."""
    return breakouts(
        closes.dropna(),
        resolution=state.resolution,
        min_age_days=state.min_age,
        min_drawdown=state.min_drawdown / 100,
        margin=state.margin / 100,
    )


def signal_table(frame: pd.DataFrame, state: ViewState) -> pd.DataFrame:
    """One row per breakout of the chosen equity x asset that existed then: forward returns and the convention."""
    events = detect(frame[state.equity], state)
    if events.empty:
        return pd.DataFrame()
    returns = forward_returns(
        frame, signals=events["date"], resolution=state.resolution, entry=state.entry, window_days=state.peak_days
    )
    returns = returns.dropna(subset=["entry_close"])
    details = events.set_index("date")[["level", "level_date", "retest_status"]]
    table = returns.join(details, on="signal")
    table.insert(1, "equity", SHORT_LABELS[state.equity])
    table["asset"] = table["asset"].map(SHORT_LABELS)
    return table


def table_rows(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The table as DataTable rows: dates as YYYY-MM-DD, numbers as floats (the table formats them)."""
    if table.empty:
        return []
    shown = table.copy()
    for column in ("signal", "entry_date", "level_date", "peak_date"):
        shown[column] = shown[column].dt.strftime("%Y-%m-%d")
    rows: list[dict[str, Any]] = shown.replace({np.nan: None}).to_dict("records")  # type: ignore[assignment]
    return rows


def table_columns() -> list[dict[str, Any]]:
    percent = FormatTemplate.percentage(1)
    money = Format(precision=4, scheme=Scheme.decimal_si_prefix)
    columns = [
        ("signal", "Breakout", "text", None),
        ("equity", "Index", "text", None),
        ("level", "Prior high", "numeric", money),
        ("level_date", "High set", "text", None),
        ("retest_status", "Retest", "text", None),
        ("asset", "Asset", "text", None),
        ("entry_close", "Entry", "numeric", money),
        ("return_30d", "30d", "numeric", percent),
        ("return_90d", "90d", "numeric", percent),
        ("return_180d", "180d", "numeric", percent),
        ("return_365d", "365d", "numeric", percent),
        ("peak_return", "Peak", "numeric", percent),
        ("peak_date", "Peak on", "text", None),
        ("max_drawdown", "Max DD", "numeric", percent),
    ]
    return [
        {"id": key, "name": name, "type": kind, **({"format": fmt} if fmt is not None else {})}
        for key, name, kind, fmt in columns
    ]


def zoom_window(signal: str) -> dict[str, str] | None:
    """The range a clicked row zooms to: from a little before the signal to a year after."""
    try:
        day = dt.date.fromisoformat(signal)
        start, end = day - dt.timedelta(days=ZOOM_BEFORE_DAYS), day + dt.timedelta(days=ZOOM_AFTER_DAYS)
    except (TypeError, ValueError, OverflowError):  # not a date, or one near 0001-01-01 / 9999-12-31
        return None
    return {"start": start.isoformat(), "end": end.isoformat()}


def marker_traces(
    closes: pd.Series, events: pd.DataFrame, state: ViewState, x_range: tuple[dt.date, dt.date], *, yaxis: str
) -> list[dict[str, Any]]:
    """Breakouts (triangles) and retests (circles: filled held, open failed) on an equity's line."""
    if events.empty:
        return []
    plotted = rebase(closes.dropna(), at=x_range[0]) if state.mode == "rebase" else closes.dropna()
    label = SHORT_LABELS[str(closes.name)]

    def points(dates: pd.Series) -> dict[str, Any]:
        days = pd.DatetimeIndex(dates)
        return {"x": typed_dates(days), "y": typed_array(plotted.reindex(days).to_numpy(dtype="float32"))}

    traces = [
        {
            "type": "scatter",
            "mode": "markers",
            "name": f"{label} breakout",
            "yaxis": yaxis,
            **points(events["close_date"]),
            "marker": {"symbol": "triangle-up", "size": 11, "color": "#16a34a", "line": {"width": 1, "color": "#fff"}},
            "hovertemplate": f"{label} breakout<extra></extra>",
        }
    ]
    retests = events.dropna(subset=["retest_date"])
    for status, symbol in (("held", "circle"), ("failed", "circle-open"), ("pending", "circle-dot")):
        chosen = retests[retests["retest_status"] == status]
        if chosen.empty:
            continue
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": f"retest {status}",
                "yaxis": yaxis,
                **points(chosen["retest_date"]),
                "marker": {"symbol": symbol, "size": 9, "color": "#16a34a" if status == "held" else "#dc2626"},
                "hovertemplate": f"{label} retest ({status})<extra></extra>",
            }
        )
    return traces


def _line(name: str, values: pd.Series, color: str, *, yaxis: str = "y", fmt: str = ".2f") -> dict[str, Any]:
    values = values.dropna()
    return {
        "type": "scatter",
        "mode": "lines",
        "name": name,
        **trace_data(values),
        "yaxis": yaxis,
        "line": {"color": color, "width": 1.5},
        "hovertemplate": f"%{{y:{fmt}}}<extra>{name}</extra>",
    }


def analytics_figure(
    key: str, frame: pd.DataFrame, meta: dict[str, SeriesMeta], state: ViewState, x_range: tuple[dt.date, dt.date]
) -> Figure:
    """The figure of analytics panel `key` (correlation, drawdown or ssr)."""
    if key == "correlation":
        corr = rolling_correlation(frame, x=state.corr_with, y=state.equity, resolution=state.resolution)
        bar = {"daily": "sessions", "weekly": "weeks", "monthly": "months"}[state.resolution]
        traces = [_line(f"{str(col).split('_')[1]} {bar}", corr[col], WINDOW_COLORS[str(col)]) for col in corr]
        used = analytics_used(key, state)
        subtitle = f"{SHORT_LABELS[state.corr_with]} vs {SHORT_LABELS[state.equity]}, {state.resolution} log returns"
        axis = {"range": [-1, 1], "fixedrange": True, "title": {"text": "correlation"}, "zeroline": True}
        shapes: list[dict[str, Any]] = []
    elif key == "drawdown":
        used = analytics_used(key, state)
        traces = [
            _line(SHORT_LABELS[sid], drawdown(frame[[sid]].dropna())[sid], SERIES_COLORS[sid], fmt=".1%")
            for sid in used
        ]
        subtitle = "below each series' running all-time high"
        axis = {"tickformat": ".0%", "title": {"text": "drawdown"}}
        shapes = []
    else:
        used = analytics_used(key, state)
        ssr = supply_ratio(frame)
        share = stablecoin_share(frame)
        traces = [
            _line("SSR (BTC cap / stablecoins)", ssr, SERIES_COLORS["btc"]),
            _line("Stablecoin share of total cap", share, SERIES_COLORS["usdt_supply"], yaxis="y2", fmt=".1%"),
        ]
        periods = supply_up_market_down(frame, horizon_days=state.horizon, resolution=state.resolution)
        shapes = [
            {"type": "rect", "xref": "x", "yref": "paper", "x0": f"{start:%Y-%m-%d}", "x1": f"{end:%Y-%m-%d}",
             "y0": 0, "y1": 1, "fillcolor": "#f59e0b", "opacity": 0.15, "line": {"width": 0}, "layer": "below"}
            for start, end in zip(periods["start"], periods["end"], strict=True)
        ]  # fmt: skip
        subtitle = f"shaded: stablecoin supply up while total cap fell over {state.horizon} days"
        axis = {"title": {"text": "SSR"}, "type": "log" if state.scale == "log" else "linear"}
    metas = [meta[series_id] for series_id in used if series_id in meta]
    title = f"{ANALYTICS_TITLES[key]}<br><span style='font-size:11px'>{subtitle}</span>"
    layout = _base_layout(title=title, credit=credit_line(metas), state=state, x_range=x_range)
    layout["xaxis"]["range"] = [x_range[0].isoformat(), x_range[1].isoformat()]
    layout["yaxis"] = axis
    layout["shapes"] = shapes
    if key == "ssr":
        layout["yaxis2"] = {"overlaying": "y", "side": "right", "tickformat": ".0%", "nticks": 6, "showgrid": False,
                            "title": {"text": "share of total cap"}}  # fmt: skip
    return {"data": traces, "layout": layout}


def signals_card() -> html.Section:
    """Detector and forward-return controls above the sortable table; clicking a row zooms every chart."""

    def number(component_id: str, value: float, step: float, title: str) -> html.Div:
        return html.Div(dcc.Input(id=component_id, type="number", value=value, step=step, debounce=True,
                                  className="number"), title=title)  # fmt: skip

    def segmented(component_id: str, options: dict[str, str], value: str) -> dcc.RadioItems:
        return dcc.RadioItems(id=component_id, options=[{"label": v, "value": k} for k, v in options.items()],
                              value=value, inline=True, className="segmented")  # fmt: skip

    controls = html.Div(
        [
            html.Div([html.Label("Closes", className="control-label"),
                      segmented(ids.RESOLUTION, {"daily": "Daily", "weekly": "Weekly", "monthly": "Monthly"}, "daily")],
                     className="control"),
            html.Div([html.Label("Entry", className="control-label"),
                      segmented(ids.ENTRY, {"signal": "Signal close", "prior": "Prior close"}, "signal")],
                     className="control"),
            html.Div([html.Label("High at least (days old)", className="control-label"),
                      number(ids.MIN_AGE, 90, 1, "A prior high must be at least this many days old")],
                     className="control"),
            html.Div([html.Label("Drawdown since (%)", className="control-label"),
                      number(ids.MIN_DRAWDOWN, 15, 1, "Minimum fall from the high before the breakout")],
                     className="control"),
            html.Div([html.Label("Margin (%)", className="control-label"),
                      number(ids.MARGIN, 0, 0.1, "Close this far above the high")], className="control"),
            html.Div([html.Label("Peak window (days)", className="control-label"),
                      number(ids.PEAK_DAYS, 365, 1, "Peak return and max drawdown look this far after entry")],
                     className="control"),
            html.Div([html.Label("Correlate", className="control-label"),
                      segmented(ids.CORR_WITH, {"btc": "BTC", "altcoin_mcap": "TOTAL2"}, "btc")], className="control"),
            html.Div([html.Label("Stablecoin horizon (days)", className="control-label"),
                      number(ids.HORIZON, 30, 1, "Window for supply vs market growth")], className="control"),
        ],
        className="controls signal-controls",
    )  # fmt: skip
    table = DataTable(
        id=ids.SIGNAL_TABLE,
        columns=table_columns(),  # type: ignore[arg-type]  # dash's generated TypedDict, same keys
        data=[],
        sort_action="native",
        page_size=12,
        style_table={"overflowX": "auto"},
        style_cell={"fontFamily": "inherit", "fontSize": 12, "padding": "4px 8px", "textAlign": "right"},
        style_cell_conditional=[{"if": {"column_type": "text"}, "textAlign": "left"}],
        style_header={"fontWeight": 600},
    )
    return html.Section(
        [
            html.Div([html.H2("Breakouts of prior highs and what crypto did next", className="card-title"),
                      html.Span(id=ids.SIGNAL_SUMMARY, className="badge")], className="card-head"),
            controls,
            table,
            html.P(id=ids.SIGNAL_CONVENTION, className="convention"),
        ],
        id=ids.card("signals"),
        className="card card-wide",
    )  # fmt: skip


def register(app: Dash, store: Store) -> None:
    """The table's callback and the row click that zooms every chart."""

    @app.callback(
        Output(ids.SIGNAL_TABLE, "data"),
        Output(ids.SIGNAL_SUMMARY, "children"),
        Output(ids.SIGNAL_CONVENTION, "children"),
        Input(ids.VIEW, "data"),
    )
    def update_table(search: str | None) -> tuple[list[dict[str, Any]], str, str]:
        state = decode(search)
        frame = store.panel(analytics_series(state)).frame
        table = signal_table(frame, state)
        events = 0 if table.empty else table["signal"].nunique()
        rule = convention(resolution=state.resolution, entry=state.entry, window_days=state.peak_days)
        summary = f"{events} breakouts of {SHORT_LABELS[state.equity]} with crypto data after them"
        return table_rows(table), summary, f"Convention: {rule}."

    @app.callback(
        Output(ids.ZOOM, "data", allow_duplicate=True),
        Input(ids.SIGNAL_TABLE, "active_cell"),
        State(ids.SIGNAL_TABLE, "derived_viewport_data"),
        prevent_initial_call=True,
    )
    def zoom_to_row(cell: dict[str, Any] | None, rows: list[dict[str, Any]] | None) -> Any:
        if not isinstance(cell, dict) or not isinstance(rows, list) or not isinstance(cell.get("row"), int):
            return no_update
        if not 0 <= cell["row"] < len(rows) or not isinstance(rows[cell["row"]], dict):
            return no_update
        return zoom_window(str(rows[cell["row"]].get("signal"))) or no_update
