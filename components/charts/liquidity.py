"""Fed net liquidity (total assets - Treasury General Account - overnight reverse repo) against BTC and ^RUT:
its level beside theirs (on a log axis, where their moves compare as percentages), or the 13-week change of all
three on weekly closes ("when liquidity turns, risk assets take the lead")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from components.charts.base import Chart
from components.charts.lines import line_figure
from components.figures import Line, base_layout, hover, line_traces, on_scale, prepare
from components.theme import color, short
from components.url_state import LIQUIDITY
from data_sources.analytics import resample_closes

if TYPE_CHECKING:
    from components.charts.base import ChartData, DateRange
    from components.figures import Figure
    from components.url_state import ViewState

LIQUIDITY_ID = "net_liquidity"
RISK = ("btc", "rut")
WEEKS = 13


def title(state: ViewState) -> str:
    what = "13-week change" if state.liquidity == "change" else "level"
    return f"Fed net liquidity vs BTC and ^RUT ({what})"


def series(state: ViewState) -> tuple[str, ...]:
    return (LIQUIDITY_ID, *RISK)


def _changes(data: ChartData) -> dict[str, Line]:
    """Each series' change over 13 weeks of weekly (Sunday-labelled) closes; a missing week stays missing."""
    weekly = resample_closes(data.frame(series_ids := (LIQUIDITY_ID, *RISK)), resolution="weekly")
    changes = weekly[list(series_ids)].pct_change(WEEKS, fill_method=None)
    return {series_id: prepare(changes[series_id]) for series_id in series_ids}


def build(data: ChartData, state: ViewState, x_range: DateRange) -> Figure:
    if state.mode == "rebase" and state.liquidity == "level":
        return line_figure(title(state), (LIQUIDITY_ID,), RISK, data, state, x_range)
    traces: list[dict[str, Any]] = []
    layout = base_layout(title=title(state), metas=[data.meta[sid] for sid in series(state)], state=state,
                         x_range=x_range)  # fmt: skip
    if state.liquidity == "change":
        changes = data.memo(("liquidity_changes",), lambda: _changes(data))
        for series_id in series(state):
            name = short(series_id)
            fmt = f"%{{y:.1%}}<extra>{name}</extra>"
            traces += line_traces(changes[series_id], x_range, name=name, hovertemplate=fmt,
                                  line={"color": color(series_id, state.theme), "width": 1.6})  # fmt: skip
        layout["yaxis"] = {"tickformat": ".0%", "title": {"text": f"change over {WEEKS} weeks"}, "zeroline": True}
        return {"data": traces, "layout": layout}
    name = short(LIQUIDITY_ID)
    fmt = f"$%{{y:,.4s}}<extra>{name}</extra>"
    traces += line_traces(data.line(LIQUIDITY_ID), x_range, name=name, hovertemplate=fmt,
                          line={"color": color(LIQUIDITY_ID, state.theme), "width": 2})  # fmt: skip
    for series_id in RISK:
        name = short(series_id)
        traces += line_traces(data.line(series_id), x_range, name=name, yaxis="y2",
                              hovertemplate=f"{hover(series_id, state)}<extra>{name}</extra>",
                              line={"color": color(series_id, state.theme), "width": 1.4})  # fmt: skip
    layout["yaxis"] = {"title": {"text": "Net liquidity (USD)"}, "exponentformat": "B",
                       "tickprefix": "$"}  # fmt: skip
    layout["yaxis2"] = {"type": "log", "title": {"text": "BTC (USD), ^RUT (points), log"}, "overlaying": "y",
                        "side": "right", "showgrid": False}  # fmt: skip
    return {"data": traces, "layout": on_scale(layout, state, ("yaxis",))}


CHART = Chart(
    "liquidity",
    title,
    series,
    build,
    reads=("liquidity", "mode", "scale", "theme"),
    controls=(LIQUIDITY,),
)
