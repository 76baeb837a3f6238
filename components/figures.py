"""Pure building blocks of the chart figures: trace encoding, layout, credit line, end-of-data marks, y fitting.

Figures are plain dicts (Plotly's JSON schema, which Dash sends as is): building graph_objects validates every
property on each call and costs more than the rest of the callback. Tests validate the dicts with
`plotly.graph_objects.Figure`. Arrays travel as Plotly typed arrays (base64): values as float32 (7 significant
digits, beyond what a chart shows), and a line's dates as x0 + dx rather than one date per point.

A long line travels as two traces: the window shown at up to MAX_POINTS points, and the whole history
decimated to about HISTORY_POINTS, so that zooming or panning out draws at once while the server sends the new
window. Decimation keeps each bucket's lowest and highest observation (real values, never averaged) on the days
they were observed (explicit dates: a value drawn or hovered is never moved to another day).
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import math
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from components.theme import label, short, template, unit
from data_sources.series import series_def

if TYPE_CHECKING:
    from components.url_state import ViewState
    from data_sources.store import SeriesMeta

Figure = dict[str, Any]
DateRange = tuple[dt.date, dt.date]
MS_PER_DAY = 86_400_000
EPOCH = dt.date(1970, 1, 1)
# Points a window travels with: every day of the default five years (1,827 days), so that zooms and presets inside
# it are drawn from what the browser holds, in one redraw (longer windows are decimated to this); the whole
# history behind the window takes ~HISTORY_POINTS.
MAX_POINTS = 1900
HISTORY_POINTS = 120
CREDIT_WIDTH = 110  # characters per line of the source line under a chart (about 560 px at 10 px)


def typed_array(values: np.ndarray) -> dict[str, str]:
    """Plotly's typed-array spec ({dtype, bdata}), built directly: plotly's own helper re-validates the array."""
    dtype = {np.dtype("float32"): "f4", np.dtype("float64"): "f8"}[values.dtype]
    return {"dtype": dtype, "bdata": base64.b64encode(np.ascontiguousarray(values).tobytes()).decode("ascii")}


def typed_dates(index: pd.DatetimeIndex) -> dict[str, str]:
    """Dates as a float64 epoch-millisecond typed array (a date axis reads numbers as epoch ms)."""
    return typed_array(index.as_unit("ms").asi8.astype("float64"))


def _day_numbers(index: pd.Index) -> np.ndarray:
    """Days since 1970-01-01 of each date (numpy directly: pandas' unit conversions cost more than the rest)."""
    return np.asarray(index.values, dtype="datetime64[D]").astype("int64")


def _bucket_extremes(slots: np.ndarray, size: int) -> np.ndarray:
    """The days (offsets into `slots`) of each bucket of `size` days' lowest and highest value, in the order they
    occur; an empty bucket's first day twice (its value is NaN: a gap)."""
    padded = np.full(math.ceil(slots.size / size) * size, np.nan, dtype=slots.dtype)
    padded[: slots.size] = slots
    buckets = padded.reshape(-1, size)
    missing = np.isnan(buckets)
    low = np.argmin(np.where(missing, np.inf, buckets), axis=1)
    high = np.argmax(np.where(missing, -np.inf, buckets), axis=1)
    pairs = np.sort(np.stack([low, high], axis=1), axis=1) + (np.arange(len(buckets)) * size)[:, None]
    return pairs.reshape(-1)


def _daily_data(day0: int, slots: np.ndarray) -> dict[str, Any]:
    """x0/dx/y of `slots`, one value per calendar day from `day0` (NaN: no observation)."""
    return {
        "x0": f"{EPOCH + dt.timedelta(days=day0)}T00:00:00",
        "dx": MS_PER_DAY,
        "y": typed_array(slots.astype("float32")),
    }


def _dated_data(day0: int, offsets: np.ndarray, values: np.ndarray) -> dict[str, Any]:
    """x/y of `values` on the days `offsets` (from `day0`): decimated points keep the day they were observed."""
    x = ((day0 + offsets) * MS_PER_DAY).astype("float64")
    return {"x": typed_array(x), "y": typed_array(values.astype("float32"))}


def _decimated_data(day0: int, slots: np.ndarray, size: int) -> dict[str, Any]:
    """`slots` (one value per day from `day0`) as each bucket of `size` days' two extremes, on their days, and its
    first and last observations (the line starts and ends where its data does)."""
    offsets = _with_ends(_bucket_extremes(slots, size), slots)
    return _dated_data(day0, offsets, slots[offsets])


def _with_ends(offsets: np.ndarray, slots: np.ndarray) -> np.ndarray:
    """`offsets` (days into `slots`) with the first and last observed ones added, in order."""
    observed = np.flatnonzero(slots == slots)  # not NaN
    return np.unique(np.concatenate([offsets, observed[:1], observed[-1:]]))


@dataclass(frozen=True, eq=False)
class Line:
    """One line prepared to be drawn over any window (see `line_data`): built once per series and data version
    (ChartData.line), so that a new window or rebase date is a slice and a scaling, not a pass over pandas.

    A daily line holds one float64 value per calendar day from `day0` (NaN: no observation, never filled) and its
    whole history's bucket extremes (the days of each bucket of `history_size` days' lowest and highest value,
    and of its first and last observation, as offsets into `values`). A sparse one (weekly or monthly points)
    holds its observations' `days` (day numbers) and values, and the history's chunk extremes (indices)."""

    day0: int = 0
    values: np.ndarray = field(default_factory=lambda: np.empty(0))
    history: np.ndarray = field(default_factory=lambda: np.empty(0))
    history_size: int = 1
    days: np.ndarray | None = None  # sparse lines only

    @property
    def empty(self) -> bool:
        return self.values.size == 0

    def first_on_or_after(self, day: dt.date) -> float:
        """The first observation on or after `day` (NaN if none): the base of a rebase there."""
        if self.days is not None:
            after = self.values[np.searchsorted(self.days, _day_number(day)) :]
        else:
            after = self.values[max(0, _day_number(day) - self.day0) :]
        observed = np.flatnonzero(np.isfinite(after))
        return float(after[observed[0]]) if observed.size else math.nan

    def rebased(self, day: dt.date) -> Line:
        """The line / its first observation on or after `day` x 100 (see `rebase_at`); empty when there is none."""
        base = self.first_on_or_after(day)
        if math.isnan(base):
            return Line()
        # The extremes are the same days: scaling keeps them lowest and highest.
        return Line(self.day0, self.values / base * 100, self.history, self.history_size, self.days)


def prepare(values: pd.Series) -> Line:
    """`values` (NaN dropped) as a Line."""
    values = values.dropna()
    if values.empty:
        return Line()
    days = _day_numbers(values.index)
    span = int(days[-1] - days[0] + 1)
    observed = values.to_numpy(dtype="float64")
    if span > 3 * len(values):
        return Line(int(days[0]), observed, _chunk_extremes(observed), days=days)
    slots = np.full(span, np.nan)
    slots[days - days[0]] = observed
    size = max(7, math.ceil(2 * span / HISTORY_POINTS))
    return Line(int(days[0]), slots, _with_ends(_bucket_extremes(slots, size), slots), size)


def line_data(values: pd.Series | Line, window: DateRange | None = None) -> list[dict[str, Any]]:
    """The x and y of one line as [window] or [window, history] (see the module docstring); NaN are dropped.

    Daily lines travel as x0/dx + one float32 per calendar day (or per half bucket when decimated); sparse ones
    (weekly or monthly points) as explicit float64 dates + float32 values."""
    line = values if isinstance(values, Line) else prepare(values)
    if line.days is not None:
        return _sparse_data(line.days, line, window)
    if line.empty:
        return [{"x": [], "y": []}]
    day0, slots, span = line.day0, line.values, line.values.size
    if span <= MAX_POINTS:
        return [_daily_data(day0, slots)]
    if window is None:
        return [_decimated_data(day0, slots, math.ceil(2 * span / MAX_POINTS))]
    low, high = (min(max(_day_number(day) - day0 + end, 0), span) for day, end in zip(window, (0, 1), strict=True))
    shown = slots[low:high]
    if not shown.size:
        parts = []
    elif shown.size <= MAX_POINTS:
        parts = [_daily_data(day0 + low, shown)]
    else:
        parts = [_decimated_data(day0 + low, shown, math.ceil(2 * shown.size / MAX_POINTS))]
    offsets, history = _holed(line, low, high)
    if parts and np.isnan(history).all():
        return parts  # the window holds the whole line: no history to draw
    return [*parts, _dated_data(day0, offsets, history)]


def _holed(line: Line, low: int, high: int) -> tuple[np.ndarray, np.ndarray]:
    """The history's extremes (days as offsets, values) without days [low, high), which the window trace draws:
    the buckets at the hole's edges keep their extremes among the days outside it and the observations next to
    it (so that the history reaches the window), and one NaN at the hole's start keeps it from bridging it."""
    size, offsets, values = line.history_size, line.history, line.values
    if high <= low:
        return offsets, values[offsets]
    start, stop = low // size * size, ((high - 1) // size + 1) * size  # the buckets the hole touches
    observed = np.flatnonzero(values == values)  # not NaN
    nearest = [observed[observed < low][-1:], observed[observed >= high][:1]]
    before = np.unique(np.concatenate([offsets[offsets < start], _extremes(values, start, low), nearest[0]]))
    after = np.unique(np.concatenate([nearest[1], _extremes(values, high, stop), offsets[offsets >= stop]]))
    kept = np.concatenate([before, [low], after]).astype("int64")
    history = values[kept]
    history[before.size] = np.nan
    return kept, history


def _extremes(values: np.ndarray, start: int, stop: int) -> np.ndarray:
    """The days (offsets into `values`) of the lowest and highest of values[start:stop], in the order they occur
    (one day if they are the same, none if all are NaN)."""
    part = values[start:stop]
    observed = np.flatnonzero(part == part)  # not NaN (nanargmin costs several times more)
    if not observed.size:
        return np.empty(0, dtype="int64")
    chosen = part[observed]
    return start + np.unique(observed[[chosen.argmin(), chosen.argmax()]])


def _day_number(day: dt.date) -> int:
    return (day - EPOCH).days


def first_on_or_after(values: pd.Series, day: dt.date) -> float:
    """The first value of `values` on or after `day` (NaN if none): the base of a rebase there."""
    after = values.loc[pd.Timestamp(day) :].dropna()
    return float(after.iloc[0]) if not after.empty else math.nan


def _chunk_extremes(values: np.ndarray) -> np.ndarray:
    """Indices of each chunk's lowest and highest point, ascending (chunks of 2 x len / HISTORY_POINTS points)."""
    step = math.ceil(2 * len(values) / HISTORY_POINTS)
    padded = np.full(math.ceil(len(values) / step) * step, np.nan)
    padded[: len(values)] = values
    chunks = padded.reshape(-1, step)  # every chunk holds a value: padding only fills the last one's end
    starts = np.arange(len(chunks)) * step
    return np.unique(np.concatenate([starts + np.nanargmin(chunks, axis=1), starts + np.nanargmax(chunks, axis=1)]))


def _sparse_data(days: np.ndarray, line: Line, window: DateRange | None) -> list[dict[str, Any]]:
    """Explicit points (`line`'s values on `days`): all of them when few, else those in the window (and one either
    side) plus the history reduced to each chunk's lowest and highest point."""
    values = line.values
    if window is None or len(values) <= HISTORY_POINTS:
        return [_dated_data(0, days, values)]
    low, high = np.searchsorted(days, [_day_number(window[0]), _day_number(window[1]) + 1])
    extremes = line.history
    before, after = extremes[extremes < low], extremes[extremes >= high]  # the window trace draws the rest
    shown = slice(max(0, low - 1), high + 1)
    if not before.size and not after.size:
        return [_dated_data(0, days[shown], values[shown])]  # the window holds the whole line
    # A NaN at the window's start between them: never bridged.
    history_days = np.concatenate([days[before], [_day_number(window[0])], days[after]])
    history = np.concatenate([values[before], [np.nan], values[after]])
    return [_dated_data(0, days[shown], values[shown]), _dated_data(0, history_days, history)]


def line_traces(values: pd.Series | Line, window: DateRange | None, **trace: Any) -> list[dict[str, Any]]:
    """A line as Plotly scatter traces (see `line_data`): the first carries the legend entry and the hover, any
    history trace only draws."""
    name = trace.get("name", "")
    parts = line_data(values, window)
    first = {"type": "scatter", "mode": "lines", "connectgaps": True, "legendgroup": name, **trace, **parts[0]}
    history = {key: value for key, value in first.items() if key not in ("hovertemplate", "x", "y", "x0", "dx")}
    # The history has a hole where the window is: never bridged.
    rest = {"showlegend": False, "hoverinfo": "skip", "connectgaps": False}
    return [first, *({**history, **part, **rest} for part in parts[1:])]


def rebase_at(values: pd.Series, *, at: dt.date) -> pd.Series:
    """`values` / (first value on or after `at`) x 100, over the whole series so that panning still reads right."""
    return values / first_on_or_after(values, at) * 100


def credit_line(metas: Iterable[SeriesMeta]) -> str:
    """'Source: ...<br>Data as of: <date> (<series>); ...': what an exported PNG must carry to cite its data."""
    return _credit_line(tuple(metas))


@functools.lru_cache(maxsize=256)
def _credit_line(metas: tuple[SeriesMeta, ...]) -> str:
    sources = _sources(list(dict.fromkeys(meta.source for meta in metas if meta.available)))
    by_day: dict[str, list[str]] = {}
    for meta in metas:
        if meta.last is not None:
            by_day.setdefault(f"{meta.last:%Y-%m-%d}", []).append(
                short(meta.series_id) + (" stale" if meta.stale else "")
            )
    as_of = "; ".join(f"{day} ({', '.join(labels)})" for day, labels in by_day.items())
    # Wrapped to the chart's width: an annotation never wraps itself and would be cut off at the edge.
    lines = [f"Source: {sources or 'none available'}", f"Data as of: {as_of or 'n/a'}"]
    return "<br>".join(part for line in lines for part in textwrap.wrap(line, CREDIT_WIDTH))


def _sources(names: list[str]) -> str:
    """'snapshot (A); snapshot (B)' as 'snapshot (A; B)', so that a three-source line fits under a chart."""
    kinds = {name.partition(" (")[0] for name in names}
    if len(names) > 1 and len(kinds) == 1 and all(name.endswith(")") and " (" in name for name in names):
        return f"{kinds.pop()} ({'; '.join(name.partition(' (')[2][:-1] for name in names)})"
    return "; ".join(names)


@functools.lru_cache(maxsize=256)
def series_info(meta: SeriesMeta) -> str:
    """What a series is, for the hover of a chart's source line: definition, unit, adjustment, calendar, source,
    dates and terms, from the series record and what the store served."""
    record = series_def(meta.series_id)
    dates = f"{meta.first:%Y-%m-%d} to {meta.last:%Y-%m-%d}" if meta.first is not None and meta.last is not None else ""
    lines = [
        f"<b>{record.short}</b>: {record.label}",
        *textwrap.wrap(record.definition, 90),
        " · ".join(filter(None, [record.unit, f"{record.calendar} calendar", f"adjustment {record.adjustment}",
                                 meta.source, dates])),
        *textwrap.wrap(record.terms, 90),
    ]  # fmt: skip
    return "<br>".join(lines)


def unavailable_messages(metas: Iterable[SeriesMeta]) -> list[str]:
    """One line per series that cannot be drawn, saying why."""
    return [f"{label(meta.series_id)}: {meta.message or 'unavailable'}" for meta in metas if not meta.available]


def end_marks(metas: Iterable[SeriesMeta], x_range: DateRange) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Shapes and annotations marking where each series ends inside the range, when another shown series goes on:
    a shaded band from its last date to the newest, labelled 'BTC ends 2026-01-31', so empty space explains itself."""
    lasts = {meta.series_id: meta.last for meta in metas if meta.last is not None}
    newest = min(max(lasts.values(), default=pd.Timestamp(x_range[1])), pd.Timestamp(x_range[1]))
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    ends: dict[pd.Timestamp, list[str]] = {}
    for series_id, last in lasts.items():
        if pd.Timestamp(x_range[0]) <= last < newest:
            ends.setdefault(last, []).append(short(series_id))
    for row, (last, names) in enumerate(sorted(ends.items())):
        day = f"{last:%Y-%m-%d}"
        shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": day, "x1": f"{newest:%Y-%m-%d}",
                       "y0": 0, "y1": 1, "fillcolor": "#9aa1ad", "opacity": 0.08, "line": {"width": 0},
                       "layer": "below"})  # fmt: skip
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": day, "x1": day, "y0": 0, "y1": 1,
                       "line": {"width": 1, "dash": "dot", "color": "#9aa1ad"}})  # fmt: skip
        annotations.append({"text": f"{', '.join(names)} ends {day}", "xref": "x", "yref": "paper", "x": day,
                            "y": 0.98 - 0.07 * row, "xanchor": "right", "yanchor": "top", "showarrow": False,
                            "font": {"size": 10}})  # fmt: skip
    return shapes, annotations


def on_scale(layout: dict[str, Any], state: ViewState, axes: Iterable[str]) -> dict[str, Any]:
    """`layout` with `axes` on the view's scale (linear or log), named in layout.meta: the browser draws a change
    of scale itself, on those axes (assets/clientside.js), as the server would (every other setting is the same)."""
    scaled = [axis for axis in axes if axis in layout]
    kind = "log" if state.scale == "log" else "linear"
    return layout | {axis: layout[axis] | {"type": kind} for axis in scaled} | {"meta": {"scaled": scaled}}


def base_layout(*, title: str, metas: Iterable[SeriesMeta], state: ViewState, x_range: DateRange) -> dict[str, Any]:
    """Title, credit line under the plot, end-of-data marks, unified hover and the date axis over `x_range`."""
    metas = list(metas)
    shapes, marks = end_marks(metas, x_range)
    credit = credit_line(metas)
    return {
        "template": template(state.theme),
        "title": {"text": f"<b>{title}</b>", "x": 0.01, "xanchor": "left", "y": 0.97, "font": {"size": 15}},
        # The credit line sits below the x axis labels: the bottom margin holds all its lines.
        "margin": {"l": 64, "r": 64, "t": 64, "b": 60 + 14 * (credit.count("<br>") + 1)},
        "height": 400,
        "hovermode": "x unified",
        # Under the title, in container coordinates: on a phone the legend wraps downward and Plotly pushes the
        # plot down to make room, so it covers neither the title (and its subtitle line) nor the plot.
        "legend": {
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "yref": "container",
            "y": 1 - (34 + 14 * title.count("<br>")) / 400,
            "yanchor": "top",
        },
        "xaxis": {
            "type": "date",
            "range": [x_range[0].isoformat(), x_range[1].isoformat()],
            "showspikes": True,
            "spikemode": "across",
            "spikesnap": "cursor",
            "spikethickness": 1,
            "hoverformat": "%a %d %b %Y",
        },
        "shapes": shapes,
        "annotations": [
            {
                "text": credit,
                "hovertext": "<br><br>".join(series_info(meta) for meta in metas),
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": -0.1,
                "yshift": -8,
                "xanchor": "left",
                "yanchor": "top",
                "showarrow": False,
                "align": "left",
                "font": {"size": 10},
            },
            *marks,
        ],
    }


def axis_title(series_ids: tuple[str, ...]) -> str:
    """'^RUT (points)', 'BTC (USD)'; several series share one axis as 'Supply (USD)' (the legend names them)."""
    units = {unit(series_id) for series_id in series_ids}
    names = short(series_ids[0]) if len(series_ids) == 1 else "Supply"
    return f"{names} ({units.pop()})" if len(units) == 1 else names


def ticks(series_ids: tuple[str, ...]) -> dict[str, str]:
    """Dollar axes read $300B, $4T; others plain numbers with k/M/B."""
    dollars = all(unit(series_id) == "USD" for series_id in series_ids)
    return {"exponentformat": "B", "tickprefix": "$" if dollars else ""}


def hover(series_id: str, state: ViewState) -> str:
    if state.mode == "rebase":
        return "%{y:.1f}"
    return "$%{y:,.4s}" if unit(series_id) == "USD" else "%{y:,.2f}"


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
    start = int(np.datetime64(trace["x0"], "ms").astype("int64"))  # numpy parses ISO dates ~20x faster than pandas
    return start + trace["dx"] * np.arange(y.size, dtype="float64"), y


def fitted_y_ranges(figure: Figure, x_range: DateRange) -> dict[str, list[float]]:
    """Each y axis that is not fixed (`fixedrange`, e.g. Fear & Greed's 0-100) fitted to the points inside
    `x_range`: Plotly autoranges y over a trace's whole history, which flattens a recent window of a long series."""
    low, high = (_day_number(day) * MS_PER_DAY for day in x_range)
    visible: dict[str, list[np.ndarray]] = {}
    for trace in figure["data"]:
        axis = "yaxis" + str(trace.get("yaxis", "y"))[1:]
        if not figure["layout"].get(axis, {}).get("fixedrange"):
            visible.setdefault(axis, []).append(_inside(trace, low, high))
    ranges = {}
    for axis, parts in visible.items():
        settings = figure["layout"].get(axis, {})
        fitted = fit_range(np.concatenate(parts), log=settings.get("type") == "log")
        if fitted is not None:
            ranges[axis] = fitted
    return ranges


def _inside(trace: Mapping[str, Any], low: int, high: int) -> np.ndarray:
    """A trace's y values at x in [low, high] (epoch ms); an x0/dx trace is sliced without building its x."""
    if "x" in trace:
        x, y = trace_points(trace)
        return y[(x >= low) & (x <= high)]
    y = _array(trace["y"])
    start, step = int(np.datetime64(trace["x0"], "ms").astype("int64")), int(trace["dx"])  # whole milliseconds
    return y[max(0, -((start - low) // step)) : max(0, (high - start) // step + 1)]


def fit_axes(figure: Figure, x_range: DateRange) -> Figure:
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
