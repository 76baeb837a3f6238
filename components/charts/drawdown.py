"""Drawdown of the equity, BTC and TOTAL2 below each one's running all-time high."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from components.charts.base import Chart
from components.figures import Line, base_layout, line_traces, prepare
from components.theme import color, short
from data_sources.analytics import drawdown

if TYPE_CHECKING:
    from components.charts.base import ChartData, DateRange
    from components.figures import Figure
    from components.url_state import ViewState


def title(state: ViewState) -> str:
    return "Drawdown from all-time high<br><span style='font-size:11px'>below each series' running all-time high</span>"


def series(state: ViewState) -> tuple[str, ...]:
    return (state.equity_series, "btc", "altcoin_mcap")


def _drawdown(data: ChartData, series_id: str) -> Line:
    return prepare(drawdown(data.values[series_id].dropna().to_frame())[series_id])


def build(data: ChartData, state: ViewState, x_range: DateRange) -> Figure:
    traces: list[dict[str, Any]] = []
    for series_id in series(state):
        below = data.memo(("drawdown", series_id), functools.partial(_drawdown, data, series_id))
        name = short(series_id)
        traces += line_traces(below, x_range, name=name,
                              line={"color": color(series_id, state.theme), "width": 1.5},
                              hovertemplate=f"%{{y:.1%}}<extra>{name}</extra>")  # fmt: skip
    layout = base_layout(title=title(state), metas=[data.meta[sid] for sid in series(state)], state=state,
                         x_range=x_range)  # fmt: skip
    layout["yaxis"] = {"tickformat": ".0%", "title": {"text": "drawdown"}}
    return {"data": traces, "layout": layout}


CHART = Chart("drawdown", title, series, build, reads=("equity", "iwm_close", "theme"))
