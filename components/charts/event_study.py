"""The event-study chart and table: what an asset did after a signal's dates, against what it did after any day.

The chart draws each event's path rebased to 100 at entry over the placebo band (5th-95th percentile, and the
median, of the paths from every eligible start day). The table gives, per statistic (return after 30/90/180/365
days, peak and max drawdown), the events against the every-day baseline, the hit rate with its Wilson interval and
binomial p, and both placebos' p-values (the view's choice first). Its x axis counts days after entry, not dates,
so it is not one of the linked date charts (charts.CHARTS). Builders are pure; `register` adds the callback.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from dash import ALL, Dash, Input, Output, ctx
from dash.dash_table import FormatTemplate
from dash.dash_table.Format import Format, Scheme
from dash.exceptions import PreventUpdate

from components import ids, tables
from components.charts.base import load
from components.figures import Figure, typed_array
from components.signals import detect
from components.theme import color, short, template
from components.url_state import STUDY_ASSET, STUDY_SIGNAL, ViewState, decode, encode, project
from data_sources.analytics import (
    DEFAULT_HORIZONS,
    DRAWS,
    EventPaths,
    Placebo,
    divergence_starts,
    event_paths,
    event_study,
    fear_greed_crossings,
    liquidity_turns,
    statistics,
    variants_note,
)
from data_sources.uploads import UploadStore

if TYPE_CHECKING:
    from data_sources.store import Store

# Every view field the study's numbers read: its own controls, the breakout detector's, the forward-return
# convention, the stablecoin horizon (the divergence signal) and the upload's; the chart also reads scale and theme.
COMPUTE_READS = (
    "study_signal", "study_asset", "study_days", "placebo",
    "resolution", "min_age", "min_drawdown", "margin", "entry", "peak_days", "horizon",
    "upload", "upload_column", "upload_days",
)  # fmt: skip
READS = (*COMPUTE_READS, "scale", "theme")
UPLOAD_ID = "upload"  # the upload's chosen column, as a column of the study's frame
BREAKOUTS = ("rut", "iwm", "iwm_unadj")
# The series each signal is computed from (the upload's comes from the upload store).
SIGNAL_SERIES: dict[str, tuple[str, ...]] = {
    **{equity: (equity,) for equity in BREAKOUTS},
    "extreme_fear": ("fear_greed",),
    "extreme_greed": ("fear_greed",),
    "stables": ("stablecoin_majors", "total_mcap"),
    "liquidity": ("net_liquidity",),
    "upload_high": (),
}
STABLE_SUPPLY = "stablecoin_majors"  # the embedded stablecoin history (as the SSR chart)
BAND = (5.0, 95.0)
# The view's placebo takes 10,000 draws; the other one, shown beside it for comparison, 2,000 (p to 1/2,001): with
# both at 10,000 Fear & Greed's study took 180 ms of CPU, at the 200 ms budget.
OTHER_DRAWS = 2_000
# Above this many events the paths are drawn as one faint trace under their mean (a hundred legend entries help
# no one).
NAMED_PATHS = 12


@dataclass(frozen=True)
class Study:
    """Everything the view shows: the signal's dates, the table (STUDY_COLUMNS + the other placebo's p), the paths
    and band of the chosen asset, and why nothing can be shown when that is so."""

    events: pd.DatetimeIndex
    table: pd.DataFrame
    paths: EventPaths | None
    problem: str = ""


def crossed_above_high(values: pd.Series, *, days: int) -> pd.DatetimeIndex:
    """Days a series closes above its highest close of the `days` calendar days before, having not done so on the
    observation before: the start of each run of new N-day highs."""
    observed = values.dropna()
    if observed.empty:
        return pd.DatetimeIndex([])
    prior_high = observed.rolling(f"{days}D", closed="left").max()
    # Only once the series has `days` of history before the day: a young series is always at its high.
    known = observed.index >= observed.index[0] + pd.Timedelta(days=days)
    above = (observed > prior_high).to_numpy(dtype=bool) & known
    return pd.DatetimeIndex(observed.index[1:][above[1:] & ~above[:-1]])


def signal_dates(frame: pd.DataFrame, state: ViewState) -> pd.DatetimeIndex:
    """The dates of the view's signal, from `frame` (which holds its source series, and the upload as 'upload')."""
    signal = state.study_signal
    if signal in BREAKOUTS:
        return pd.DatetimeIndex(detect(frame[signal], state)["date"])
    if signal in ("extreme_fear", "extreme_greed"):
        return fear_greed_crossings(frame["fear_greed"], into=signal)
    if signal == "stables":
        return divergence_starts(frame, supply=STABLE_SUPPLY, horizon_days=state.horizon, resolution=state.resolution)
    if signal == "liquidity":
        return liquidity_turns(frame["net_liquidity"])
    return crossed_above_high(frame[UPLOAD_ID], days=state.upload_days)


def signal_source(state: ViewState) -> tuple[str, ...]:
    """The columns a signal is read from (its first date is the first day it could have fired)."""
    return (UPLOAD_ID,) if state.study_signal == "upload_high" else SIGNAL_SERIES[state.study_signal]


def other_placebo(placebo: Placebo) -> Placebo:
    return "spaced" if placebo == "shifted" else "shifted"


def study(frame: pd.DataFrame, state: ViewState, *, draws: int = DRAWS, other_draws: int = OTHER_DRAWS) -> Study:
    """The event study of the view's signal and asset on `frame` (every series it reads; NaN where unobserved)."""
    asset = state.study_asset
    for column in (*signal_source(state), asset):
        if column not in frame.columns or frame[column].dropna().empty:
            name = "the upload" if column == UPLOAD_ID else short(column)
            return Study(pd.DatetimeIndex([]), pd.DataFrame(), None, f"no data for {name} in this view")
    events = signal_dates(frame, state)
    since = max(pd.Timestamp(frame[column].dropna().index[0]) for column in signal_source(state))
    options: dict[str, Any] = {"since": since, "resolution": state.resolution, "entry": state.entry}
    table = event_study(frame, events=events, assets=[asset], window_days=state.peak_days, draws=draws,
                        placebo=state.placebo, **options)  # fmt: skip
    other = event_study(frame, events=events, assets=[asset], window_days=state.peak_days, draws=other_draws,
                        placebo=other_placebo(state.placebo), **options)  # fmt: skip
    table["other_placebo_p"] = other["placebo_p"].to_numpy()
    paths = event_paths(frame, events=events, asset=asset, horizon=state.study_days, band=BAND, **options)
    return Study(events, table, paths)


def _line(values: np.ndarray, **trace: Any) -> dict[str, Any]:
    """A path over days 0, 1, 2... after entry: x as x0/dx, y as float32 (7 digits; a chart shows 3)."""
    return {"type": "scatter", "mode": "lines", "x0": 0, "dx": 1, "y": typed_array(values.astype("float32")), **trace}


def figure(result: Study, state: ViewState) -> Figure:
    """Each event's path (rebased to 100 at entry) over the placebo band of random entries."""
    asset = asset_label(state)
    title = f"{asset} after each {signal_label(state)}, rebased to 100 at entry"
    layout: dict[str, Any] = {
        "template": template(state.theme),
        "title": {"text": f"<b>{title}</b>", "x": 0.01, "xanchor": "left", "font": {"size": 15}},
        "margin": {"l": 64, "r": 24, "t": 64, "b": 56},
        "height": 420,
        "hovermode": "x",
        "legend": {"orientation": "h", "x": 1, "y": 1.0, "yanchor": "bottom", "xanchor": "right"},
        "xaxis": {"title": {"text": "days after entry"}, "zeroline": False},
        "yaxis": {"title": {"text": "entry = 100"}, "type": "log" if state.scale == "log" else "linear"},
        "shapes": [
            {
                "type": "line",
                "xref": "paper",
                "yref": "y",
                "x0": 0,
                "x1": 1,
                "y0": 100,
                "y1": 100,
                "line": {"width": 1, "dash": "dot", "color": "#9aa1ad"},
            }
        ],
    }
    if result.paths is None:
        layout["annotations"] = [{"text": result.problem, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5,
                                  "showarrow": False}]  # fmt: skip
        return {"data": [], "layout": layout}
    band, paths = result.paths.band, result.paths.paths
    grey = "rgba(127, 127, 127, {})"
    traces: list[dict[str, Any]] = [
        _line(band["low"].to_numpy(), name=f"random entries, {BAND[0]:g}th pct", showlegend=False,
              line={"width": 0}, hovertemplate=f"%{{y:.0f}}<extra>{BAND[0]:g}th pct</extra>"),
        _line(band["high"].to_numpy(), name=f"random entries {BAND[0]:g}-{BAND[1]:g}th pct", fill="tonexty",
              fillcolor=grey.format(0.18), line={"width": 0},
              hovertemplate=f"%{{y:.0f}}<extra>{BAND[1]:g}th pct</extra>"),
        _line(band["median"].to_numpy(), name="random entries, median",
              line={"width": 1.5, "dash": "dash", "color": grey.format(0.9)},
              hovertemplate="%{y:.0f}<extra>median</extra>"),
    ]  # fmt: skip
    drawn = paths.dropna(axis=1, how="all")
    if len(drawn.columns) > NAMED_PATHS:
        # Faint paths in one legend entry, their mean on top.
        name, colour = f"{len(drawn.columns)} events", color(_colour_id(state), state.theme)
        traces += [_line(drawn[day].to_numpy(), name=name, legendgroup="events", showlegend=number == 0,
                         hoverinfo="skip", line={"width": 0.7, "color": _rgba(colour, 0.35)})
                   for number, day in enumerate(drawn.columns)]  # fmt: skip
        traces.append(_line(drawn.mean(axis=1).to_numpy(), name="mean of events", line={"width": 2.4, "color": colour},
                            hovertemplate="%{y:.0f}<extra>mean of events</extra>"))  # fmt: skip
    else:
        for number, day in enumerate(pd.DatetimeIndex(drawn.columns)):
            name = f"{day:%Y-%m-%d}"
            traces.append(_line(drawn[day].to_numpy(), name=name, line={"width": 2, "color": _palette(number)},
                                hovertemplate=f"%{{y:.0f}}<extra>{name}</extra>"))  # fmt: skip
    if drawn.empty:
        layout["annotations"] = [{"text": f"no {signal_label(state)} with {asset} data after it", "xref": "paper",
                                  "yref": "paper", "x": 0.5, "y": 0.5, "showarrow": False}]  # fmt: skip
    return {"data": traces, "layout": layout}


def _colour_id(state: ViewState) -> str:
    return "btc" if state.study_asset == UPLOAD_ID else state.study_asset


def _rgba(hex_colour: str, alpha: float) -> str:
    red, green, blue = (int(hex_colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({red}, {green}, {blue}, {alpha})"


def _palette(number: int) -> str:
    colours = ("#e76f51", "#2a9d8f", "#264653", "#f4a261", "#6a4c93", "#1982c4", "#8ac926", "#ff595e")
    return colours[number % len(colours)]


def asset_label(state: ViewState) -> str:
    return "the upload" if state.study_asset == UPLOAD_ID else STUDY_ASSET.options[state.study_asset]


def signal_label(state: ViewState) -> str:
    return STUDY_SIGNAL.options[state.study_signal]


STATISTIC_NAMES = {
    **{f"return_{days}d": f"{days}-day return" for days in DEFAULT_HORIZONS},
    "peak_return": "peak return",
    "max_drawdown": "max drawdown",
}


def table_rows(result: Study, state: ViewState) -> list[dict[str, Any]]:
    """The study as DataTable rows: one per statistic, numbers as floats (the table formats them)."""
    if result.table.empty:
        return []
    shown = result.table.assign(statistic=result.table["statistic"].map(STATISTIC_NAMES), asset=asset_label(state))
    shown = shown.drop(columns=["convention", "baseline_start", "baseline_end"])
    return tables.records(shown)


def table_columns() -> list[dict[str, Any]]:
    percent = FormatTemplate.percentage(1)
    probability = Format(precision=3, scheme=Scheme.decimal_or_exponent)
    return tables.columns(
        [
            ("asset", "Asset", "text", None),
            ("statistic", "Statistic", "text", None),
            ("n", "n", "numeric", None),
            ("windows", "Windows", "numeric", None),
            ("badge", "Sample", "text", None),
            ("mean", "Mean", "numeric", percent),
            ("median", "Median", "numeric", percent),
            ("baseline_mean", "Any day: mean", "numeric", percent),
            ("baseline_median", "median", "numeric", percent),
            ("baseline_positive", "% positive", "numeric", percent),
            ("excess_mean", "Excess (mean)", "numeric", percent),
            ("hit_rate", "Hit rate", "numeric", percent),
            ("hit_low", "95% CI low", "numeric", percent),
            ("hit_high", "high", "numeric", percent),
            ("binomial_p", "Binomial p", "numeric", probability),
            ("placebo_percentile", "Placebo pct", "numeric", Format(precision=1, scheme=Scheme.fixed)),
            ("placebo_p", "Placebo p", "numeric", probability),
            ("other_placebo_p", "Other placebo p", "numeric", probability),
        ]
    )


def summary(result: Study, state: ViewState) -> str:
    """The badge over the table: how many signals, how many with the asset's data after them, and the variants
    the view tests."""
    if result.problem:
        return result.problem
    followed = 0 if result.paths is None else int(result.paths.paths.notna().any().sum())
    variants = len(statistics())
    return (
        f"{len(result.events)} x {signal_label(state)}, {followed} with {asset_label(state)} data after them · "
        f"{variants_note(variants)} (1 signal x 1 asset x {variants} statistics)"
    )


def notes(result: Study, state: ViewState) -> str:
    """The convention sentence, with the other placebo named."""
    if result.table.empty:
        return ""
    other = other_placebo(state.placebo)
    convention = result.table["convention"].iloc[0]
    return f"Convention: {convention}. 'Other placebo p' uses the {other} placebo ({OTHER_DRAWS:,} draws)."


def series_read(state: ViewState) -> tuple[str, ...]:
    """The riskon series the view's study reads (the upload aside)."""
    return tuple(dict.fromkeys(sid for sid in (*signal_source(state), state.study_asset) if sid != UPLOAD_ID))


def study_frame(store: Store, uploads: UploadStore, state: ViewState) -> pd.DataFrame:
    """Whole histories of every series the view's study reads; the upload's chosen column as 'upload'."""
    frame = store.panel(series_read(state)).frame
    if UPLOAD_ID in (*signal_source(state), state.study_asset):
        column = upload_column(uploads, state)
        if column is not None:
            frame = pd.concat([frame, column.rename(UPLOAD_ID)], axis=1, sort=True)
    frame.index = pd.DatetimeIndex(frame.index, name="date")
    return frame


def upload_column(uploads: UploadStore, state: ViewState) -> pd.Series | None:
    """The view's upload column (1-based), or None when there is no such upload or column."""
    upload = uploads.load(state.upload) if state.upload else None
    if upload is None or state.upload_column > len(upload.frame.columns):
        return None
    return upload.frame.iloc[:, state.upload_column - 1]


def register(app: Dash, store: Store, uploads: UploadStore) -> None:
    """The study's callbacks: chart, summary and convention, and the table, from the part of the view they read."""

    @functools.lru_cache(maxsize=16)
    def computed(query: str, version: str) -> Study:
        """The study of a projected view, as of the data `version` (part of the cache key only; an upload's id
        is its content, so the query names its data too)."""
        state = decode(query)
        return study(study_frame(store, uploads, state), state)

    @functools.lru_cache(maxsize=32)
    def answered(query: str, version: str) -> tuple[Figure, list[dict[str, Any]], str, str]:
        """What the callback sends for a view projected on READS, as of the data `version`: a lookup once built."""
        state = decode(query)
        result = computed(encode(project(state, COMPUTE_READS)), version)
        return figure(result, state), table_rows(result, state), summary(result, state), notes(result, state)

    def answer(search: str | None) -> tuple[Figure, list[dict[str, Any]], str, str]:
        state = project(decode(search), READS)
        return answered(encode(state), load(store, series_read(state)).version)

    @app.callback(
        Output(ids.indexed(ids.STUDY_GRAPH, ALL), "figure"),
        Output(ids.STUDY_SUMMARY, "children"),
        Output(ids.STUDY_NOTES, "children"),
        Input(ids.STUDY_VIEW, "data"),
    )
    def update_study(search: str | None) -> tuple[list[Figure], str, str]:
        """The study of the view, once its graph is built as the card nears the screen (layout.deferred; 10,000
        placebo draws: not on every page load): its first call is when the graph appears."""
        if not (graphs := ctx.outputs_list[0]):
            raise PreventUpdate
        figure, _, summary, notes = answer(search)
        return [figure] * len(graphs), summary, notes

    @app.callback(Output(ids.indexed(ids.STUDY_TABLE, ALL), "data"), Input(ids.STUDY_VIEW, "data"))
    def update_table(search: str | None) -> list[list[dict[str, Any]]]:
        """The statistics, once the table is built as the card nears the screen (layout.deferred): its first call
        is when it appears."""
        if not (tables := ctx.outputs_list):
            raise PreventUpdate
        return [answer(search)[1]] * len(tables)
