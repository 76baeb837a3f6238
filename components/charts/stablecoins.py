"""Stablecoin supply (any of USDT, USDC and the total) vs the total crypto market cap."""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.charts.base import Chart, crypto_cap
from components.charts.lines import LINE_READS, line_figure
from components.url_state import STABLES

if TYPE_CHECKING:
    from components.charts.base import ChartData, DateRange
    from components.figures import Figure
    from components.url_state import ViewState


def title(state: ViewState) -> str:
    return "Stablecoin supply vs total crypto market cap"


def series(state: ViewState) -> tuple[str, ...]:
    return (*state.stables, crypto_cap(state, "total"))


def build(data: ChartData, state: ViewState, x_range: DateRange) -> Figure:
    return line_figure(title(state), state.stables, (crypto_cap(state, "total"),), data, state, x_range)


CHART = Chart("stablecoins", title, series, build, reads=("stables", "provider", *LINE_READS), controls=(STABLES,))
