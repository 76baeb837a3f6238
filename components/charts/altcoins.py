"""Altcoin market cap (TOTAL2 or TOTAL3) vs IWM, with IWM's breakouts and retests marked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.charts.base import Chart
from components.charts.lines import LINE_READS, line_figure
from components.signals import DETECTOR_READS, markers
from components.theme import short
from components.url_state import ALTCOIN

if TYPE_CHECKING:
    from components.charts.base import ChartData, DateRange
    from components.figures import Figure
    from components.url_state import ViewState


def title(state: ViewState) -> str:
    return f"Altcoin market cap ({short(state.altcoin)}) vs IWM"


def series(state: ViewState) -> tuple[str, ...]:
    return ("iwm", state.altcoin)


def build(data: ChartData, state: ViewState, x_range: DateRange) -> Figure:
    figure = line_figure(title(state), ("iwm",), (state.altcoin,), data, state, x_range)
    figure["data"] += markers(data, "iwm", state, x_range)
    return figure


CHART = Chart("altcoins", title, series, build, reads=("altcoin", *LINE_READS, *DETECTOR_READS), controls=(ALTCOIN,))
