"""The ETF-flows chart: cumulative flows from the fund data, yearly totals, and a calm sentence without data."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.charts import BY_KEY, ChartData
from components.figures import trace_points
from components.url_state import DEFAULT
from data_sources.store import SeriesMeta

RANGE = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
SESSIONS = pd.bdate_range("2025-01-02", "2025-12-31", name="date")


def _data(flows: dict[str, pd.Series]) -> ChartData:
    rut = pd.Series(np.linspace(2200, 2500, len(SESSIONS)), index=SESSIONS)
    values = {"iwm_flows": pd.Series(dtype="float64"), "ijr_flows": pd.Series(dtype="float64"), "rut": rut} | flows
    meta = {
        sid: SeriesMeta(sid, "test", None, v.index[0] if len(v) else None, v.index[-1] if len(v) else None, False)
        for sid, v in values.items()
    }
    return ChartData(values, meta, "test")


def test_cumulative_flows_and_the_year_total_come_from_the_daily_flows() -> None:
    daily = pd.Series(-19.5e9 / len(SESSIONS), index=SESSIONS)
    figure = BY_KEY["flows"].build(_data({"iwm_flows": daily}), DEFAULT, RANGE)
    go.Figure(figure)
    line = next(t for t in figure["data"] if t["name"] == "IWM flows (cumulative)" and "bdata" in str(t["y"]))
    _, y = trace_points(line)
    assert np.nanmin(y) < -19e9 and np.nanmax(y) < 0  # money left every day: the line only falls
    assert "IWM flows 2025: -$19.5B" in figure["layout"]["title"]["text"]


def test_without_flow_data_the_chart_says_where_it_comes_from() -> None:
    figure = BY_KEY["flows"].build(_data({}), DEFAULT, RANGE)
    assert "no flow data yet: iShares fund data arrives with live sources" in figure["layout"]["title"]["text"]
