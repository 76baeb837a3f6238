"""Turn a view's preset or custom range into the dates every chart shows.

Presets end at the latest date of any displayed series (the series end on different days; each chart's
as-of badge says where its own data stops) and 'max' spans the full history of the displayed series.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from components.url_state import ViewState

_YEARS = {"1y": 1, "3y": 3, "5y": 5}


def resolve_range(state: ViewState, *, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """[start, end] for the view, given the earliest and latest dates of the displayed data."""
    if state.start is not None and state.end is not None:
        return state.start, state.end
    if state.preset == "max":
        return first, last
    if state.preset == "ytd":
        return dt.date(last.year, 1, 1), last
    start = (pd.Timestamp(last) - pd.DateOffset(years=_YEARS[state.preset])).date()
    return max(start, first), last
