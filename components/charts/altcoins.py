"""Altcoin market cap (TOTAL2 or TOTAL3) vs IWM, with IWM's breakouts and retests marked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.charts.base import Chart, crypto_cap
from components.charts.lines import LINE_READS, line_figure
from components.signals import DETECTOR_READS, markers
from components.theme import short
from components.url_state import ALTCOIN

if TYPE_CHECKING:
    from components.charts.base import ChartData, DateRange
    from components.figures import Figure
    from components.url_state import ViewState


def title(state: ViewState) -> str:
    return f"Altcoin market cap ({short(crypto_cap(state, state.altcoin))}) vs {short(state.iwm_close)}"


def series(state: ViewState) -> tuple[str, ...]:
    return (state.iwm_close, crypto_cap(state, state.altcoin))


def build(data: ChartData, state: ViewState, x_range: DateRange) -> Figure:
    iwm, altcoins = series(state)
    figure = line_figure(title(state), (iwm,), (altcoins,), data, state, x_range)
    figure["data"] += markers(data, iwm, state, x_range)
    return figure


CHART = Chart(
    "altcoins",
    title,
    series,
    build,
    reads=("altcoin", "provider", "iwm_close", *LINE_READS, *DETECTOR_READS),
    controls=(ALTCOIN,),
)
