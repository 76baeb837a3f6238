"""Small-cap ETF flows: cumulative net creations of IWM and IJR (shares outstanding change x NAV) against ^RUT,
and each fund's total for its last two calendar years - the seed's "$19.5B of outflows in 2025" made checkable."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import pandas as pd

from components.charts.base import Chart
from components.figures import Line, base_layout, line_traces, prepare
from components.theme import color, short

if TYPE_CHECKING:
    from components.charts.base import ChartData, DateRange
    from components.figures import Figure
    from components.url_state import ViewState

FLOWS = ("iwm_flows", "ijr_flows")
INDEX = "rut"


def title(state: ViewState) -> str:
    return "Small-cap ETF flows vs the Russell 2000"


def series(state: ViewState) -> tuple[str, ...]:
    return (*FLOWS, INDEX)


def year_totals(data: ChartData) -> str:
    """'IWM flows 2025: -$12.3B; ...' for each fund's last two calendar years with data (empty without data)."""
    parts = []
    for series_id in FLOWS:
        flows = data.values[series_id].dropna()
        totals = flows.groupby(pd.DatetimeIndex(flows.index).year).sum().tail(2)
        parts += [
            f"{short(series_id)} {year}: {'+' if t >= 0 else '-'}${abs(t) / 1e9:,.1f}B" for year, t in totals.items()
        ]
    return "; ".join(parts)


def _cumulative(data: ChartData, series_id: str) -> Line:
    return prepare(data.values[series_id].dropna().cumsum())


def build(data: ChartData, state: ViewState, x_range: DateRange) -> Figure:
    traces: list[dict[str, Any]] = []
    for series_id in FLOWS:
        # Cumulated from the first day with data (not the range start, so a zoom reuses the figure); never filled.
        cumulative = data.memo(("cumulative", series_id), functools.partial(_cumulative, data, series_id))
        name = f"{short(series_id)} (cumulative)"
        traces += line_traces(cumulative, x_range, name=name, hovertemplate=f"$%{{y:,.4s}}<extra>{name}</extra>",
                              line={"color": color(series_id, state.theme), "width": 1.8})  # fmt: skip
    name = short(INDEX)
    traces += line_traces(data.line(INDEX), x_range, name=name, yaxis="y2",
                          hovertemplate=f"%{{y:,.2f}}<extra>{name}</extra>",
                          line={"color": color(INDEX, state.theme), "width": 1.2})  # fmt: skip
    subtitle = data.memo(("year_totals",), lambda: year_totals(data))
    subtitle = subtitle or "no flow data yet: iShares fund data arrives with live sources"
    layout = base_layout(title=f"{title(state)}<br><span style='font-size:11px'>{subtitle}</span>",
                         metas=[data.meta[sid] for sid in series(state)], state=state, x_range=x_range)  # fmt: skip
    layout["yaxis"] = {"title": {"text": "cumulative net flows (USD)"}, "exponentformat": "B", "tickprefix": "$"}
    layout["yaxis2"] = {"title": {"text": "^RUT (points)"}, "overlaying": "y", "side": "right", "showgrid": False}
    return {"data": traces, "layout": layout}


CHART = Chart("flows", title, series, build, reads=("theme",))
