"""The price panels' shared figure: two groups of series over time, raw on dual y axes or rebased to 100."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from components.figures import Figure, axis_title, base_layout, hover, line_traces, on_scale, ticks
from components.theme import color, short

if TYPE_CHECKING:
    from components.charts.base import ChartData, DateRange
    from components.url_state import ViewState

# The view fields every two-group line chart reads.
LINE_READS = ("mode", "scale", "theme")


def line_figure(
    title: str,
    left: tuple[str, ...],
    right: tuple[str, ...],
    data: ChartData,
    state: ViewState,
    x_range: DateRange,
) -> Figure:
    """`left` on the primary axis and `right` on the secondary in raw mode; all on one axis when rebased."""
    dual = state.mode == "raw" and bool(right)
    traces: list[dict[str, Any]] = []
    for series_id in left + right:
        points = data.line(series_id)
        if state.mode == "rebase":
            points = points.rebased(x_range[0])
        if points.empty:
            continue
        name = short(series_id)
        traces += line_traces(
            points,
            x_range,
            name=name,
            yaxis="y2" if dual and series_id in right else "y",
            line={"color": color(series_id, state.theme), "width": 1.6},
            hovertemplate=f"{hover(series_id, state)}<extra>{name}</extra>",
        )
    layout = base_layout(title=title, metas=[data.meta[sid] for sid in left + right], state=state, x_range=x_range)
    if state.mode == "rebase":
        # Each series from its own first value on or after the range start (BTC has none before 2015, ^RUT none on a
        # Sunday): the title says so rather than name a day some series have no value on.
        layout["yaxis"] = {"title": {"text": f"100 = each series' first value from {x_range[0]:%d %b %Y}"}}
    else:
        layout["yaxis"] = {"title": {"text": axis_title(left)}, **ticks(left)}
        if dual:
            layout["yaxis2"] = {
                "title": {"text": axis_title(right)},
                "overlaying": "y",
                "side": "right",
                "showgrid": False,
                "tickmode": "auto",
                **ticks(right),
            }
    return {"data": traces, "layout": on_scale(layout, state, ("yaxis", "yaxis2"))}
