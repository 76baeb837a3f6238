"""Rolling correlation of log returns (30/90/180 sessions, weeks or months) between BTC or TOTAL2 and small caps."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from components.charts.base import Chart
from components.figures import base_layout, line_traces, prepare
from components.theme import correlation_colors, short
from components.url_state import CORR_WITH
from data_sources.analytics import rolling_correlation

if TYPE_CHECKING:
    from components.charts.base import ChartData, DateRange
    from components.figures import Figure
    from components.url_state import ViewState

_BARS = {"daily": "sessions", "weekly": "weeks", "monthly": "months"}


def title(state: ViewState) -> str:
    return (f"Rolling correlation of log returns<br><span style='font-size:11px'>{short(state.corr_with)} vs "
            f"{short(state.equity_series)}, {state.resolution} log returns</span>")  # fmt: skip


def series(state: ViewState) -> tuple[str, ...]:
    return (state.corr_with, state.equity_series)


def build(data: ChartData, state: ViewState, x_range: DateRange) -> Figure:
    lines = data.memo(
        ("correlation", state.corr_with, state.equity_series, state.resolution),
        lambda: {column: prepare(values) for column, values in rolling_correlation(
            data.frame(series(state)), x=state.corr_with, y=state.equity_series, resolution=state.resolution).items()},
    )  # fmt: skip
    colours = correlation_colors(state.theme)
    traces: list[dict[str, Any]] = []
    for number, (column, line) in enumerate(lines.items()):
        name = f"{str(column).split('_')[1]} {_BARS[state.resolution]}"
        traces += line_traces(line, x_range, name=name, line={"color": colours[number], "width": 1.5},
                              hovertemplate=f"%{{y:.2f}}<extra>{name}</extra>")  # fmt: skip
    layout = base_layout(title=title(state), metas=[data.meta[sid] for sid in series(state)], state=state,
                         x_range=x_range)  # fmt: skip
    layout["yaxis"] = {"range": [-1, 1], "fixedrange": True, "title": {"text": "correlation"}, "zeroline": True}
    return {"data": traces, "layout": layout}


CHART = Chart(
    "correlation",
    title,
    series,
    build,
    reads=("corr_with", "equity", "iwm_close", "resolution", "theme"),
    controls=(CORR_WITH,),
)
