"""Crypto Fear & Greed as a filled step line coloured by alternative.me's own classes.

One filled trace whose horizontal fill gradient changes colour at each class boundary: a few paths instead of
one SVG bar per day, and no anti-aliasing gaps between bars."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from components.charts.base import Chart
from components.figures import base_layout, line_data, trace_points
from components.theme import FEAR_GREED_COLORS
from data_sources.fear_greed import LABELS as FEAR_GREED_LABELS
from data_sources.fear_greed import codes as fear_greed_codes

if TYPE_CHECKING:
    from components.charts.base import ChartData, DateRange
    from components.figures import Figure
    from components.url_state import ViewState

_CLASS_COLORS = [FEAR_GREED_COLORS[label] for label in FEAR_GREED_LABELS]


def title(state: ViewState) -> str:
    return "Crypto Fear & Greed Index"


def series(state: ViewState) -> tuple[str, ...]:
    return ("fear_greed",)


def class_gradient(trace: dict[str, Any]) -> list[list[Any]]:
    """A colorscale over the trace's x extent that holds each class's colour across the days it covers."""
    x, y = trace_points(trace)
    if x.size < 2:
        return [[0, _CLASS_COLORS[0]], [1, _CLASS_COLORS[0]]]
    codes = np.where(np.isfinite(y), fear_greed_codes(y), 2)  # a missing day: no fill, any colour
    starts = np.flatnonzero(np.diff(codes, prepend=codes[0] - 1))  # first point of each run of one class
    ends = np.append(starts[1:], x.size - 1)  # a run's fill reaches the next run's first point
    positions = np.round((x[np.stack([starts, ends], axis=1)] - x[0]) / (x[-1] - x[0]), 6).reshape(-1).tolist()
    colours = np.repeat(np.array(_CLASS_COLORS)[codes[starts]], 2).tolist()
    return [[position, colour] for position, colour in zip(positions, colours, strict=True)]


def build(data: ChartData, state: ViewState, x_range: DateRange) -> Figure:
    line = data.line("fear_greed")
    traces: list[dict[str, Any]] = []
    for number, part in enumerate(line_data(line, x_range) if not line.empty else []):
        trace = {
            "type": "scatter",
            "mode": "lines",
            "name": "Fear & Greed",
            "legendgroup": "fear_greed",
            "showlegend": False,
            **part,
            "line": {"shape": "hv", "width": 0.6, "color": "#6b7280"},
            "fill": "tozeroy",
        }
        if number == 0:
            trace |= {"fillgradient": {"type": "horizontal", "colorscale": class_gradient(trace)},
                      "hovertemplate": "%{y:.0f}<extra>Fear & Greed</extra>"}  # fmt: skip
        else:  # the history, drawn only until the server sends the new window: an outline, no fill
            trace |= {"fill": "none", "hoverinfo": "skip", "connectgaps": False}
        traces.append(trace)
    # Legend keys for the classes (no data): the fill's colours need a key.
    traces += [
        {"type": "scatter", "mode": "markers", "x": [None], "y": [None], "name": label, "hoverinfo": "skip",
         "marker": {"color": FEAR_GREED_COLORS[label], "symbol": "square", "size": 10}}
        for label in FEAR_GREED_LABELS
    ]  # fmt: skip
    layout = base_layout(title=title(state), metas=[data.meta["fear_greed"]], state=state, x_range=x_range)
    layout["yaxis"] = {"title": {"text": "Index (0 fear - 100 greed)"}, "dtick": 25, "range": [0, 100],
                       "fixedrange": True}  # fmt: skip
    return {"data": traces, "layout": layout}


CHART = Chart("sentiment", title, series, build, reads=("theme",))
