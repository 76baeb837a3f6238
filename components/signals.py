"""Breakout signals on the dashboard: the markers on the equity lines and the forward-return table. Builders are
pure (data and a view in, traces and rows out); `register` adds the table's callbacks."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from dash import ALL, Dash, Input, Output, State, ctx, no_update
from dash.dash_table import FormatTemplate
from dash.dash_table.Format import Format, Scheme
from dash.exceptions import PreventUpdate

from components import ids, tables
from components.figures import typed_array, typed_dates
from components.theme import short
from components.url_state import ViewState, decode, encode, parse_date, project
from data_sources.analytics import breakouts, convention, forward_returns

if TYPE_CHECKING:
    from components.charts.base import ChartData, DateRange
    from data_sources.store import Store

# Forward returns are measured for these assets after each breakout of the chosen equity.
SIGNAL_ASSETS = ("btc", "altcoin_mcap", "total_mcap")
# The view fields the detector reads, and those the table reads (its callback's input holds only these).
DETECTOR_READS = ("resolution", "min_age", "min_drawdown", "margin")
TABLE_READS = ("equity", "iwm_close", *DETECTOR_READS, "entry", "peak_days")
# Rows clicked in the table zoom every chart to this window around the signal.
ZOOM_BEFORE_DAYS, ZOOM_AFTER_DAYS = 120, 400


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
    events = detect(frame[state.equity_series], state)
    if events.empty:
        return pd.DataFrame()
    returns = forward_returns(
        frame, signals=events["date"], resolution=state.resolution, entry=state.entry, window_days=state.peak_days
    )
    returns = returns.dropna(subset=["entry_close"])
    details = events.set_index("date")[["level", "level_date", "retest_status"]]
    table = returns.join(details, on="signal")
    table.insert(1, "equity", short(state.equity_series))
    table["asset"] = table["asset"].map(short)
    return table


def table_rows(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The table as DataTable rows: dates as YYYY-MM-DD, numbers as floats (the table formats them)."""
    if table.empty:
        return []
    shown = table.copy()
    for column in ("signal", "entry_date", "level_date", "peak_date"):
        shown[column] = shown[column].dt.strftime("%Y-%m-%d")
    return tables.records(shown)


def table_answer(data: ChartData, state: ViewState) -> tuple[list[dict[str, Any]], str, str]:
    """The table's rows, summary and convention line for the table's fields of the view, from `data` (the equity
    and SIGNAL_ASSETS): computed once per view and data version (ChartData.memo), a lookup after that."""
    state = project(state, TABLE_READS)

    def compute() -> tuple[list[dict[str, Any]], str, str]:
        table = signal_table(data.frame((state.equity_series, *SIGNAL_ASSETS)), state)
        events = 0 if table.empty else table["signal"].nunique()
        rule = convention(resolution=state.resolution, entry=state.entry, window_days=state.peak_days)
        summary = f"{events} breakouts of {short(state.equity_series)} with crypto data after them"
        return table_rows(table), summary, f"Convention: {rule}."

    return data.memo(("table", state), compute)


def table_columns() -> list[dict[str, Any]]:
    percent = FormatTemplate.percentage(1)
    money = Format(precision=4, scheme=Scheme.decimal_si_prefix)
    return tables.columns(
        [
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
    )


def zoom_window(signal: object) -> DateRange | None:
    """The range a clicked row zooms to: from a little before the signal to a year after (None if unreadable)."""
    day = parse_date(signal)
    if day is None:
        return None
    try:
        start, end = day - dt.timedelta(days=ZOOM_BEFORE_DAYS), day + dt.timedelta(days=ZOOM_AFTER_DAYS)
    except OverflowError:  # a date too close to 0001-01-01 or 9999-12-31
        return None
    return start, end


def marker_points(
    series_id: str, closes: pd.Series, events: pd.DataFrame, *, yaxis: str
) -> list[tuple[dict[str, Any], np.ndarray]]:
    """Breakouts (triangles) and retests (circles: filled held, open failed) on an equity's line: each trace but
    its y, and the closes (float64) its points sit on."""
    if events.empty:
        return []
    closes = closes.dropna()
    label = short(series_id)

    def points(trace: dict[str, Any], dates: pd.Series) -> tuple[dict[str, Any], np.ndarray]:
        days = pd.DatetimeIndex(dates)
        return {**trace, "x": typed_dates(days)}, closes.reindex(days).to_numpy(dtype="float64")

    traces = [
        points(
            {
                "type": "scatter",
                "mode": "markers",
                "name": f"{label} breakout",
                "yaxis": yaxis,
                "marker": {"symbol": "triangle-up", "size": 11, "color": "#16a34a",
                           "line": {"width": 1, "color": "#fff"}},
                "hovertemplate": f"{label} breakout<extra></extra>",
            },
            events["close_date"],
        )
    ]  # fmt: skip
    retests = events.dropna(subset=["retest_date"])
    for status, symbol in (("held", "circle"), ("failed", "circle-open"), ("pending", "circle-dot")):
        chosen = retests[retests["retest_status"] == status]
        if chosen.empty:
            continue
        trace = {
            "type": "scatter",
            "mode": "markers",
            "name": f"retest {status}",
            "yaxis": yaxis,
            "marker": {"symbol": symbol, "size": 9, "color": "#16a34a" if status == "held" else "#dc2626"},
            "hovertemplate": f"{label} retest ({status})<extra></extra>",
        }
        traces.append(points(trace, chosen["retest_date"]))
    return traces


def placed(points: list[tuple[dict[str, Any], np.ndarray]], base: float | None) -> list[dict[str, Any]]:
    """The marker traces on the line as drawn: at the closes, or rebased to 100 at `base` (see figures.rebase_at)."""
    return [
        {**trace, "y": typed_array((closes if base is None else closes / base * 100).astype("float32"))}
        for trace, closes in points
    ]


def markers(data: ChartData, series_id: str, state: ViewState, x_range: DateRange) -> list[dict[str, Any]]:
    """The breakout and retest markers of an equity for the view's detector settings: found and placed once per
    detector, rebased (the only part that depends on the range) per call."""
    closes = data.values[series_id]
    detector = tuple(getattr(state, name) for name in DETECTOR_READS)
    events = data.memo(("breakouts", series_id, *detector), lambda: detect(closes, state))
    points = data.memo(("markers", series_id, *detector),
                       lambda: marker_points(series_id, closes, events, yaxis="y"))  # fmt: skip
    return placed(points, data.line(series_id).first_on_or_after(x_range[0]) if state.mode == "rebase" else None)


def register(app: Dash, store: Store) -> None:
    """The table's callback and the row click that zooms every chart."""
    from components.charts.base import load  # here: the charts import this module for their markers

    table = ids.indexed(ids.SIGNAL_TABLE, ALL)  # a list: empty until the card nears the screen (layout.deferred)

    @app.callback(
        Output(table, "data"),
        Output(ids.SIGNAL_SUMMARY, "children"),
        Output(ids.SIGNAL_CONVENTION, "children"),
        Input(ids.SIGNAL_VIEW, "data"),
    )
    def update_table(search: str | None) -> tuple[list[list[dict[str, Any]]], str, str]:
        """The table's rows, summary and convention, once the table is built: its first call is when it appears."""
        tables = ctx.outputs_list[0]
        if not tables:
            raise PreventUpdate
        state = decode(search)
        rows, summary, rule = table_answer(load(store, (state.equity_series, *SIGNAL_ASSETS)), state)
        return [rows] * len(tables), summary, rule

    @app.callback(
        Output(ids.URL, "search", allow_duplicate=True),
        Input(table, "active_cell"),
        State(table, "derived_viewport_data"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def zoom_to_row(cells: list[Any], viewports: list[Any], search: str | None) -> Any:
        """A row click puts its window in the URL, which the view callback applies to every chart."""
        cell, rows = next(iter(cells), None), next(iter(viewports), None)
        if not isinstance(cell, dict) or not isinstance(rows, list) or not isinstance(cell.get("row"), int):
            return no_update
        if not 0 <= cell["row"] < len(rows) or not isinstance(rows[cell["row"]], dict):
            return no_update
        window = zoom_window(rows[cell["row"]].get("signal"))
        return encode(decode(search).with_range(*window)) if window else no_update
