"""The status line under the header and the data-status drawer, re-read every tick; new live data re-renders the
charts without a reload (the view callback listens to the data version this writes)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

import pandas as pd
from dash import Dash, Input, Output, State, dcc, html, no_update, set_props

from components import ids
from components.charts.base import SERVED_SECONDS
from data_sources.config import status_seconds
from data_sources.series import SERIES
from data_sources.status import DataStatus, SeriesStatus, status

if TYPE_CHECKING:
    from data_sources.store import Store

# The charts read a worker's caches (charts.base.served under charts.base.load), which may hold the older copy for
# up to twice SERVED_SECONDS after a new one lands: the data version moves once every worker's charts will see the
# new data, else a chart would redraw the old data and the page would take the new version as shown. (During a
# refresh pass that is once, after its last copy lands.)
SETTLE = pd.Timedelta(seconds=2 * SERVED_SECONDS)
_LINE_CLASS = {"live": "", "snapshot": "", "partial": " status-stale", "starting": " status-stale",
               "offline": " status-offline"}  # fmt: skip


def elements() -> list[Any]:
    """The line, the drawer, the tick (every RISKON_STATUS_SECONDS) and the data version, under the page header."""
    line = html.Div(
        [html.Span(id=ids.STATUS_TEXT), html.A("Claims tested", href="/claims", className="claims-link")],
        id=ids.STATUS_LINE,
        className="status-line",
        role="status",
    )
    drawer = html.Details(
        [html.Summary("Data status", id=ids.STATUS_SUMMARY), html.Div(id=ids.STATUS_TABLE)], className="status-page"
    )
    tick = dcc.Interval(id=ids.STATUS_TICK, interval=round(status_seconds() * 1000))
    return [line, drawer, tick, dcc.Store(id=ids.DATA_VERSION)]


def _when(stamp: pd.Timestamp | None) -> str:
    return "-" if stamp is None else f"{stamp:%Y-%m-%d %H:%M} UTC"


def _row(row: SeriesStatus) -> html.Tr:
    health = "status-down" if not row.available else "status-stale" if row.stale or row.error else "status-ok"
    span = f"{row.first:%Y-%m-%d} to {row.last:%Y-%m-%d}" if row.first is not None and row.last is not None else "-"
    cells = [SERIES[row.series_id].label, row.source, span, _when(row.last_success), _when(row.last_attempt),
             row.error or "", _when(row.next_attempt)]  # fmt: skip
    return html.Tr([html.Td(cell, className=health if index == 0 else None) for index, cell in enumerate(cells)])


def table(data: DataStatus) -> html.Table:
    """One row per series: source used, range, last success, last attempt, error in a few words, next attempt."""
    head = ["Series", "Source used", "Data", "Last success", "Last attempt", "Error", "Next attempt"]
    return html.Table([html.Thead(html.Tr([html.Th(name) for name in head])),
                       html.Tbody([_row(row) for row in data.series])])  # fmt: skip


def data_version(data: DataStatus) -> str:
    """A short digest of what every series serves (source, fetch time, last date): changes when new data lands."""
    served = "|".join(f"{row.series_id}:{row.source}:{row.fetched_at}:{row.last}" for row in data.series)
    return hashlib.sha256(served.encode()).hexdigest()[:16]


def settled(data: DataStatus, now: pd.Timestamp) -> bool:
    """Whether the newest live copy landed long enough ago (SETTLE) for every worker's charts to serve it."""
    newest = max((row.fetched_at for row in data.series if row.fetched_at is not None), default=None)
    return newest is None or now - newest >= SETTLE


def register(app: Dash, store: Store) -> None:
    """Fill the line on load and every tick, the drawer while it is open (a table of every series costs the page
    ~0.4 s to draw), and on a tick move the data version if the served data changed: one read of the status for all
    four. The version is set aside from the callback's outputs (set_props): as an output it would make the view
    callback, which listens to it, wait for this one on every page load."""

    @app.callback(
        Output(ids.STATUS_TEXT, "children"),
        Output(ids.STATUS_LINE, "className"),
        Output(ids.STATUS_TABLE, "children"),
        Input(ids.STATUS_TICK, "n_intervals"),
        Input(ids.STATUS_SUMMARY, "n_clicks"),
        State(ids.DATA_VERSION, "data"),
        State(ids.RENDERED, "data"),
    )
    def show_status(ticks: int | None, clicks: int | None, shown: str | None, rendered: Any) -> tuple[Any, ...]:
        data = status(store)
        version = data_version(data)
        # Until the charts are drawn (on load, or a slow first render) they are being drawn from the data there is
        # now: a version would only make them ask again, and before the view is known, for the default view.
        if ticks and rendered and version != shown and settled(data, store.now()):
            set_props(ids.DATA_VERSION, {"data": version})
        drawer = table(data) if isinstance(clicks, int) and clicks % 2 == 1 else no_update  # odd clicks: open
        return data.line, "status-line" + _LINE_CLASS[data.state], drawer
