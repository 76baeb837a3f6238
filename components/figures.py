"""Pure figure builders: series and a view in, a Plotly figure dict out, with title, source and as-of inside.

Figures are plain dicts (Plotly's JSON schema, which Dash sends as is): building graph_objects validates every
property on each call and costs more than the rest of the callback. Tests validate the dicts with
`plotly.graph_objects.Figure`. Arrays travel as Plotly typed arrays (base64): dates as float64 epoch
milliseconds, values as float32 (7 significant digits, beyond what a chart shows).
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from components.panels import SHORT_LABELS, PanelSeries, panel_series, panel_title
from components.theme import FEAR_GREED_COLORS, SERIES_COLORS, template
from data_sources.fear_greed import LABELS as FEAR_GREED_LABELS
from data_sources.fear_greed import codes as fear_greed_codes
from data_sources.series import series_def as spec

if TYPE_CHECKING:
    from components.url_state import ViewState
    from data_sources.store import SeriesMeta

Figure = dict[str, Any]
MS_PER_DAY = 86_400_000
NS_PER_MS = 1_000_000


def typed_array(values: np.ndarray) -> dict[str, str]:
    """Plotly's typed-array spec ({dtype, bdata}); plotly's own helper re-validates the array and costs 10x more."""
    dtype = {np.dtype("float32"): "f4", np.dtype("float64"): "f8"}[values.dtype]
    return {"dtype": dtype, "bdata": base64.b64encode(np.ascontiguousarray(values).tobytes()).decode("ascii")}


def typed_dates(index: pd.DatetimeIndex) -> dict[str, str]:
    """Dates as a float64 epoch-millisecond typed array (a date axis reads numbers as epoch ms)."""
    return typed_array(index.as_unit("ms").asi8.astype("float64"))


def daily_trace_data(values: pd.Series) -> dict[str, Any]:
    """x0/dx plus one float32 value per calendar day: no date array on the wire, and days without an
    observation (weekends for equities) are NaN gaps that the line bridges, never filled values."""
    days = pd.DatetimeIndex(values.index).as_unit("s").asi8 // 86_400
    slots = np.full(days[-1] - days[0] + 1, np.nan, dtype="float32")
    slots[days - days[0]] = values.to_numpy(dtype="float32")
    return {"x0": values.index[0].isoformat(), "dx": MS_PER_DAY, "y": typed_array(slots), "connectgaps": True}


def trace_data(values: pd.Series) -> dict[str, Any]:
    """x and y of a line in the fewer bytes: daily slots (4 bytes per calendar day) for daily series, explicit
    float64 dates + float32 values (12 bytes per point) for sparse ones such as weekly or monthly returns."""
    index = pd.DatetimeIndex(values.index)
    if len(index) == 0 or (index[-1] - index[0]).days + 1 <= 3 * len(index):
        return daily_trace_data(values) if len(index) else {"x": [], "y": []}
    return {"x": typed_dates(index), "y": typed_array(values.to_numpy(dtype="float32"))}


def rebase(values: pd.Series, *, at: dt.date) -> pd.Series:
    """`values` / (first value on or after `at`) x 100, over the whole series so that panning still reads right."""
    base = values.loc[pd.Timestamp(at) :].dropna()
    if base.empty:
        return values * np.nan
    return values / base.iloc[0] * 100


def credit_line(metas: list[SeriesMeta]) -> str:
    """'Source: ...<br>Data as of: <date> (<series>); ...': what an exported PNG must carry to cite its data."""
    sources = _sources(list(dict.fromkeys(meta.source for meta in metas if meta.available)))
    by_day: dict[str, list[str]] = {}
    for meta in metas:
        if meta.last is not None:
            by_day.setdefault(f"{meta.last:%Y-%m-%d}", []).append(
                SHORT_LABELS[meta.series_id] + (" stale" if meta.stale else "")
            )
    as_of = "; ".join(f"{day} ({', '.join(labels)})" for day, labels in by_day.items())
    return f"Source: {sources or 'none available'}<br>Data as of: {as_of or 'n/a'}"


def _sources(names: list[str]) -> str:
    """'snapshot (A); snapshot (B)' as 'snapshot (A; B)', so that a three-source line fits under a chart."""
    kinds = {name.partition(" (")[0] for name in names}
    if len(names) > 1 and len(kinds) == 1 and all(name.endswith(")") and " (" in name for name in names):
        return f"{kinds.pop()} ({'; '.join(name.partition(' (')[2][:-1] for name in names)})"
    return "; ".join(names)


def unavailable_messages(metas: list[SeriesMeta]) -> list[str]:
    """One line per series that cannot be drawn, saying why."""
    return [f"{spec(meta.series_id).label}: {meta.message or 'unavailable'}" for meta in metas if not meta.available]


def _base_layout(*, title: str, credit: str, state: ViewState, x_range: tuple[dt.date, dt.date]) -> dict[str, Any]:
    return {
        "template": template(state.theme),
        "title": {"text": f"<b>{title}</b>", "x": 0.01, "xanchor": "left", "y": 0.97, "font": {"size": 15}},
        "margin": {"l": 64, "r": 64, "t": 64, "b": 84},
        "height": 400,
        "hovermode": "x unified",
        "legend": {"orientation": "h", "x": 1, "y": 1.0, "yanchor": "bottom", "xanchor": "right"},
        "xaxis": {
            "type": "date",
            "showspikes": True,
            "spikemode": "across",
            "spikesnap": "cursor",
            "spikethickness": 1,
            "hoverformat": "%a %d %b %Y",
        },
        "annotations": [
            {
                "text": credit,
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": -0.11,
                "xanchor": "left",
                "yanchor": "top",
                "showarrow": False,
                "align": "left",
                "font": {"size": 10},
            },
        ],
    }


def _axis_title(series_ids: tuple[str, ...]) -> str:
    """'^RUT (points)', 'BTC (USD)'; several series share one axis as 'Supply (USD)' (the legend names them)."""
    units = {spec(series_id).unit for series_id in series_ids}
    names = SHORT_LABELS[series_ids[0]] if len(series_ids) == 1 else "Supply"
    return f"{names} ({units.pop()})" if len(units) == 1 else names


def _ticks(series_ids: tuple[str, ...]) -> dict[str, str]:
    """Dollar axes read $300B, $4T; others plain numbers with k/M/B."""
    dollars = all(spec(series_id).unit == "USD" for series_id in series_ids)
    return {"exponentformat": "B", "tickprefix": "$" if dollars else ""}


def _hover(series_id: str, state: ViewState) -> str:
    if state.mode == "rebase":
        return "%{y:.1f}"
    return "$%{y:,.4s}" if spec(series_id).unit == "USD" else "%{y:,.2f}"


def fit_range(values: np.ndarray, *, log: bool) -> list[float] | None:
    """A y range spanning `values` with 5% padding (log10 units on a log axis); None when nothing can be drawn."""
    values = values[np.isfinite(values)]
    if log:
        values = np.log10(values[values > 0])
    if values.size == 0:
        return None
    low, high = float(values.min()), float(values.max())
    pad = (high - low) * 0.05 or abs(high) * 0.05 or 1.0
    return [low - pad, high + pad]


def _array(value: Any) -> np.ndarray:
    if isinstance(value, dict):
        return _decoded(value["bdata"], value["dtype"])
    return np.asarray(value, dtype="float64")


@functools.lru_cache(maxsize=512)
def _decoded(bdata: str, dtype: str) -> np.ndarray:
    """A typed array's values, decoded once: cached figures keep the same strings, whose hashes Python caches."""
    array = np.frombuffer(base64.b64decode(bdata), dtype={"f4": "float32", "f8": "float64"}[dtype]).astype("float64")
    array.flags.writeable = False
    return array


def trace_points(trace: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """A trace's x (epoch ms) and y as float64 arrays, whether x is sent as an array or as x0 + dx."""
    y = _array(trace["y"])
    if "x" in trace:
        return _array(trace["x"]), y
    start = pd.Timestamp(trace["x0"]).value // NS_PER_MS
    return start + trace["dx"] * np.arange(y.size, dtype="float64"), y


def fitted_y_ranges(figure: Figure, x_range: tuple[dt.date, dt.date]) -> dict[str, list[float]]:
    """Each y axis that is not fixed (`fixedrange`, e.g. Fear & Greed's 0-100) fitted to the points inside
    `x_range`: Plotly autoranges y over a trace's whole history, which flattens a recent window of a long series."""
    low, high = (pd.Timestamp(day).value // NS_PER_MS for day in x_range)
    visible: dict[str, list[np.ndarray]] = {}
    for trace in figure["data"]:
        x, y = trace_points(trace)
        axis = "yaxis" + str(trace.get("yaxis", "y"))[1:]
        visible.setdefault(axis, []).append(y[(x >= low) & (x <= high)])
    ranges = {}
    for axis, parts in visible.items():
        settings = figure["layout"].get(axis, {})
        if settings.get("fixedrange"):
            continue
        fitted = fit_range(np.concatenate(parts), log=settings.get("type") == "log")
        if fitted is not None:
            ranges[axis] = fitted
    return ranges


def fit_axes(figure: Figure, x_range: tuple[dt.date, dt.date]) -> Figure:
    """A copy of `figure` (traces shared, not copied) showing `x_range`, its free y axes fitted to what is visible."""
    ranges: dict[str, list[Any]] = {"xaxis": [x_range[0].isoformat(), x_range[1].isoformat()]}
    ranges |= fitted_y_ranges(figure, x_range)
    layout = figure["layout"] | {axis: _fitted_axis(figure["layout"].get(axis, {}), r) for axis, r in ranges.items()}
    return {**figure, "layout": layout}


def _fitted_axis(settings: dict[str, Any], axis_range: list[Any]) -> dict[str, Any]:
    """Axis settings over `axis_range`; a log axis spanning a decade or more labels 1, 2, 5 per decade (Plotly
    labels every digit), a narrower one keeps Plotly's own ticks (1-2-5 would leave one label or none)."""
    fitted = {key: value for key, value in settings.items() if key != "dtick" or settings.get("type") != "log"}
    if settings.get("type") == "log" and axis_range[1] - axis_range[0] >= 1:
        fitted["dtick"] = "D2"
    return fitted | {"range": axis_range}


def _dual(series: PanelSeries, state: ViewState) -> bool:
    return state.mode == "raw" and bool(series.right)


def line_figure(
    key: str,
    values: Mapping[str, pd.Series],
    meta: Mapping[str, SeriesMeta],
    state: ViewState,
    x_range: tuple[dt.date, dt.date],
) -> Figure:
    """Two groups of series over time: raw on dual y-axes, or all rebased to 100 at the range start."""
    series = panel_series(key, state)
    dual = _dual(series, state)
    traces = []
    for series_id in series.all:
        points = values[series_id].dropna()
        if state.mode == "rebase":
            points = rebase(points, at=x_range[0]).dropna()
        if points.empty:
            continue
        label = SHORT_LABELS[series_id]
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                **trace_data(points),
                "name": label,
                "yaxis": "y2" if dual and series_id in series.right else "y",
                "line": {"color": SERIES_COLORS[series_id], "width": 1.6},
                "hovertemplate": f"{_hover(series_id, state)}<extra>{label}</extra>",
            }
        )
    layout = _base_layout(
        title=panel_title(key, state),
        credit=credit_line([meta[series_id] for series_id in series.all]),
        state=state,
        x_range=x_range,
    )
    axis_type = "log" if state.scale == "log" else "linear"
    if state.mode == "rebase":
        layout["yaxis"] = {
            "type": axis_type,
            "title": {"text": f"Rebased to 100 on {x_range[0]:%d %b %Y}"},
        }
    else:
        layout["yaxis"] = {
            "type": axis_type,
            "title": {"text": _axis_title(series.left)},
            **_ticks(series.left),
        }
        if dual:
            layout["yaxis2"] = {
                "type": axis_type,
                "title": {"text": _axis_title(series.right)},
                "overlaying": "y",
                "side": "right",
                "showgrid": False,
                "tickmode": "auto",
                **_ticks(series.right),
            }
    return {"data": traces, "layout": layout}


def fear_greed_figure(
    values: Mapping[str, pd.Series], meta: Mapping[str, SeriesMeta], state: ViewState, x_range: tuple[dt.date, dt.date]
) -> Figure:
    """Daily Fear & Greed bars coloured by alternative.me's own classes."""
    index = values["fear_greed"].dropna()
    codes = fear_greed_codes(index.to_numpy(dtype="float64"))
    traces = []
    for code, label in enumerate(FEAR_GREED_LABELS):
        chosen = index[codes == code]
        color = FEAR_GREED_COLORS[label]
        traces.append(
            {
                "type": "bar",
                "x": typed_dates(pd.DatetimeIndex(chosen.index)),
                "y": typed_array(chosen.to_numpy(dtype="float32")),
                "name": label,
                "marker": {"color": color, "line": {"width": 0}},
                "width": MS_PER_DAY,
                "hovertemplate": f"%{{y:.0f}} {label}<extra></extra>",
            }
        )
    layout = _base_layout(
        title=panel_title("sentiment", state), credit=credit_line([meta["fear_greed"]]), state=state, x_range=x_range
    )
    layout |= {
        "barmode": "overlay",
        "bargap": 0,
        "yaxis": {"title": {"text": "Index (0 fear - 100 greed)"}, "dtick": 25, "range": [0, 100], "fixedrange": True},
    }
    return {"data": traces, "layout": layout}


def build_figure(
    key: str,
    values: Mapping[str, pd.Series],
    meta: Mapping[str, SeriesMeta],
    state: ViewState,
    x_range: tuple[dt.date, dt.date],
) -> Figure:
    """The figure of panel `key` before `fit_axes`; `values` and `meta` hold at least the panel's series."""
    if key == "sentiment":
        return fear_greed_figure(values, meta, state, x_range)
    return line_figure(key, values, meta, state, x_range)
