"""Small caps vs Bitcoin: ^RUT or IWM against BTC, with the equity's breakouts and retests marked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.charts.base import Chart
from components.charts.lines import LINE_READS, line_figure
from components.signals import DETECTOR_READS, markers
from components.theme import short

if TYPE_CHECKING:
    from components.charts.base import ChartData, DateRange
    from components.figures import Figure
    from components.url_state import ViewState


def title(state: ViewState) -> str:
    return f"Small caps vs Bitcoin: {short(state.equity_series)} and BTC"


def series(state: ViewState) -> tuple[str, ...]:
    return (state.equity_series, "btc")


def build(data: ChartData, state: ViewState, x_range: DateRange) -> Figure:
    figure = line_figure(title(state), (state.equity_series,), ("btc",), data, state, x_range)
    figure["data"] += markers(data, state.equity_series, state, x_range)
    return figure


CHART = Chart("smallcaps", title, series, build, reads=("equity", "iwm_close", *LINE_READS, *DETECTOR_READS))
