"""Every chart on the page, in page order: layout, render, CSV, server PNG and the clientside wiring iterate it.

Adding a chart is one module with a `CHART` record (see base.Chart) and one line here."""

from __future__ import annotations

from components.charts import (
    altcoins,
    correlation,
    drawdown,
    flows,
    liquidity,
    sentiment,
    smallcaps,
    ssr,
    stablecoins,
)
from components.charts.base import Chart, ChartData, DateRange, data_version, export_name, load

# The four price panels, then the analytics charts shown beside the signal table.
PANELS: tuple[Chart, ...] = (smallcaps.CHART, altcoins.CHART, stablecoins.CHART, sentiment.CHART)
ANALYTICS: tuple[Chart, ...] = (correlation.CHART, drawdown.CHART, ssr.CHART, liquidity.CHART, flows.CHART)
CHARTS: tuple[Chart, ...] = PANELS + ANALYTICS
BY_KEY: dict[str, Chart] = {chart.key: chart for chart in CHARTS}

__all__ = [
    "ANALYTICS",
    "BY_KEY",
    "CHARTS",
    "PANELS",
    "Chart",
    "ChartData",
    "DateRange",
    "data_version",
    "export_name",
    "load",
]
