"""Every chart definition on the real snapshot: valid figures, the series each view asks for, declared reads."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
import threading
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from components.callbacks import load
from components.charts import BY_KEY, CHARTS, Chart
from components.charts.base import ChartData
from components.figures import fit_axes, trace_points
from components.theme import MIN_CONTRAST, Theme, color, contrast
from components.url_state import CONTROLS, DEFAULT, ViewState, decode, project
from data_sources.series import SERIES, series_def
from data_sources.store import Store

RANGE = (dt.date(2020, 1, 1), dt.date(2021, 12, 31))
VIEWS = [
    DEFAULT,
    decode(
        "mode=rebase&scale=log&theme=dark&equity=iwm&iwm=unadjusted&alt=total3&provider=cryptocap"
        "&resolution=weekly&corr_with=altcoin_mcap&liquidity=change"
    ),
]


def _figure(store: Store, chart: Chart, state: ViewState, x_range: tuple[dt.date, dt.date] = RANGE) -> dict:
    figure = fit_axes(chart.build(load(store, chart.series(state)), state, x_range), x_range)
    go.Figure(figure)  # Plotly validates every property of the dict
    return figure


def _line(figure: dict, name: str) -> pd.Series:
    """The values of the named line: the window's, then the history's outside it."""
    parts = [trace_points(t) for t in figure["data"] if t.get("legendgroup") == name and t.get("name") == name]
    x = np.concatenate([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    values = pd.Series(y, index=pd.to_datetime(x, unit="ms")).dropna()
    return values[~values.index.duplicated(keep="first")].sort_index()


@pytest.mark.parametrize("chart", CHARTS, ids=lambda chart: chart.key)
@pytest.mark.parametrize("state", VIEWS, ids=["default", "other"])
def test_every_chart_is_a_valid_figure_with_title_range_and_credit(
    snapshot_store: Store, chart: Chart, state: ViewState
) -> None:
    figure = _figure(snapshot_store, chart, state)
    layout = figure["layout"]
    assert layout["xaxis"]["range"] == ["2020-01-01", "2021-12-31"]
    credit = layout["annotations"][0]["text"]
    assert credit.startswith("Source: snapshot (") and "Data as of:" in credit
    assert chart.title(state) in layout["title"]["text"]
    assert any(trace.get("showlegend", True) for trace in figure["data"])


@pytest.mark.parametrize("chart", CHARTS, ids=lambda chart: chart.key)
def test_a_chart_reads_only_the_view_fields_it_declares(snapshot_store: Store, chart: Chart) -> None:
    """The render reuses a figure while the declared fields are unchanged: any other field must not matter."""
    other = VIEWS[1]
    changed = dataclasses.replace(other, **{name: getattr(DEFAULT, name) for name in chart.reads})
    assert chart.series(changed) == chart.series(DEFAULT)
    built = json.dumps(_figure(snapshot_store, chart, changed), sort_keys=True)
    assert built == json.dumps(_figure(snapshot_store, chart, project(changed, chart.reads)), sort_keys=True)
    assert set(chart.reads) <= {control.field for control in CONTROLS}


def test_raw_mode_uses_dual_axes_and_rebase_a_single_axis(snapshot_store: Store) -> None:
    raw = _figure(snapshot_store, BY_KEY["smallcaps"], DEFAULT)
    lines = [trace for trace in raw["data"] if trace["mode"] == "lines"]
    assert {trace["name"]: trace["yaxis"] for trace in lines} == {"^RUT": "y", "BTC": "y2"}
    assert raw["layout"]["yaxis2"]["overlaying"] == "y"
    rebased = _figure(snapshot_store, BY_KEY["smallcaps"], decode("mode=rebase"))
    assert {trace["yaxis"] for trace in rebased["data"]} == {"y"} and "yaxis2" not in rebased["layout"]
    assert rebased["layout"]["yaxis"]["title"]["text"] == "100 = each series' first value from 01 Jan 2020"
    assert _line(rebased, "^RUT").loc[pd.Timestamp("2020-01-02")] == pytest.approx(100)


def test_lines_carry_the_real_values(snapshot_store: Store) -> None:
    figure = _figure(snapshot_store, BY_KEY["smallcaps"], DEFAULT)
    assert _line(figure, "BTC").loc[pd.Timestamp("2021-04-13")] == pytest.approx(63588.2, rel=1e-6)  # a UTC close
    rut = _line(figure, "^RUT")
    assert rut.loc[pd.Timestamp("2020-11-13")] == pytest.approx(1744.040039, rel=1e-6)
    assert pd.Timestamp("2020-11-14") not in rut.index  # a Saturday: a gap, not a filled value


def test_the_window_travels_whole_and_the_rest_of_history_decimated(snapshot_store: Store) -> None:
    figure = _figure(snapshot_store, BY_KEY["smallcaps"], DEFAULT, (dt.date(2021, 1, 1), dt.date(2021, 12, 31)))
    rut = snapshot_store.series("rut")[0]
    assert rut is not None
    sent = _line(figure, "^RUT")
    window = rut.loc["2021-01-01":"2021-12-31"]
    np.testing.assert_allclose(sent.reindex(window.index), window, rtol=1e-6)  # every session of the window
    assert sent.index[0] < pd.Timestamp("1990-01-01") and len(sent) < len(rut) / 10  # history: present but sparse


def test_log_scale_applies_to_both_axes(snapshot_store: Store) -> None:
    layout = _figure(snapshot_store, BY_KEY["stablecoins"], decode("scale=log"))["layout"]
    assert layout["yaxis"]["type"] == layout["yaxis2"]["type"] == "log"


def test_stablecoin_toggles_choose_the_traces(snapshot_store: Store) -> None:
    figure = _figure(snapshot_store, BY_KEY["stablecoins"], decode("stables=usdt,majors"))
    shown = [trace["name"] for trace in figure["data"] if trace.get("showlegend", True)]
    assert shown == ["USDT", "Stablecoins (majors)", "Total crypto cap"]


def test_y_axes_fit_the_visible_window_not_the_whole_history(snapshot_store: Store) -> None:
    rut, btc = snapshot_store.series("rut")[0], snapshot_store.series("btc")[0]
    assert rut is not None and btc is not None
    rut, btc = rut.loc["2020-01-01":"2021-12-31"], btc.loc["2020-01-01":"2021-12-31"]
    low, high = _figure(snapshot_store, BY_KEY["smallcaps"], DEFAULT)["layout"]["yaxis"]["range"]
    assert low < rut.min() < low * 1.1 and high > rut.max() > high * 0.95  # not 0 to the whole history's peak
    log_low, log_high = _figure(snapshot_store, BY_KEY["smallcaps"], decode("scale=log"))["layout"]["yaxis2"]["range"]
    assert 10**log_low < btc.min() and 10**log_high > btc.max() and log_high - log_low < 1.3
    sentiment = _figure(snapshot_store, BY_KEY["sentiment"], DEFAULT)
    assert sentiment["layout"]["yaxis"]["range"] == [0, 100]  # a fixed range stays


def test_fear_and_greed_is_a_filled_step_line_coloured_by_its_classes(snapshot_store: Store) -> None:
    figure = _figure(snapshot_store, BY_KEY["sentiment"], DEFAULT, (dt.date(2022, 1, 1), dt.date(2022, 12, 31)))
    filled = [trace for trace in figure["data"] if trace.get("fill") == "tozeroy"]
    assert filled and all(trace["line"]["shape"] == "hv" for trace in filled)
    assert not any(trace["type"] == "bar" for trace in figure["data"])
    assert [t["name"] for t in figure["data"] if t.get("showlegend", True)] == [
        "Extreme Fear", "Fear", "Neutral", "Greed", "Extreme Greed"
    ]  # fmt: skip
    x, y = trace_points(filled[0])
    scale = filled[0]["fillgradient"]["colorscale"]
    positions = [stop[0] for stop in scale]
    assert positions[0] == 0 and positions[-1] == 1 and positions == sorted(positions)
    # 2022-06-18, index 6 (Extreme Fear): the colour at its position is Extreme Fear's.
    day = pd.Timestamp("2022-06-18").value / 1e6
    assert y[x == day][0] == 6
    where = (day + 0.5 * 86_400_000 - x[0]) / (x[-1] - x[0])
    colour = next(stop[1] for stop in reversed(scale) if stop[0] <= where)
    assert colour == "#c0392b"


def test_correlation_lines_read_on_the_dark_background(snapshot_store: Store) -> None:
    dark = _figure(snapshot_store, BY_KEY["correlation"], decode("theme=dark"))
    colours = {trace["line"]["color"] for trace in dark["data"]}
    assert "#1b3a73" not in colours  # the light theme's navy, nearly invisible on #1e2130


def test_ssr_share_axis_never_repeats_a_tick_label(snapshot_store: Store) -> None:
    axis = _figure(snapshot_store, BY_KEY["ssr"], decode("range=2023-01-01..2023-03-01"))["layout"]["yaxis2"]
    stops = {tuple(stop["dtickrange"]): stop["value"] for stop in axis["tickformatstops"]}
    assert stops[(None, 0.01)] == ".1%"  # ticks closer than 1% get a decimal


def test_ssr_chart_shades_the_2022_supply_up_market_down_period(snapshot_store: Store) -> None:
    shapes = _figure(snapshot_store, BY_KEY["ssr"], DEFAULT)["layout"]["shapes"]
    assert any(s.get("fillcolor") == "#f59e0b" and s["x1"] >= "2022-01-01" and s["x0"] <= "2022-06-30" for s in shapes)


def test_a_series_ending_inside_the_range_is_marked(snapshot_store: Store) -> None:
    state = decode("provider=cryptocap")
    figure = _figure(snapshot_store, BY_KEY["altcoins"], state, (dt.date(2025, 6, 1), dt.date(2026, 8, 22)))
    notes = [note["text"] for note in figure["layout"]["annotations"][1:]]
    assert notes == ["TOTAL2 (TV) ends 2026-04-18"]  # IWM goes on to 2026-08-21 in the snapshot


def test_an_unavailable_series_leaves_the_rest_of_the_chart_drawn(snapshot_store: Store) -> None:
    data = load(snapshot_store, ("rut", "btc"))
    meta = dict(data.meta) | {"rut": dataclasses.replace(data.meta["rut"], first=None, last=None, message="down")}
    broken = dataclasses.replace(data, values=dict(data.values) | {"rut": pd.Series(dtype="float64")}, meta=meta)
    figure = BY_KEY["smallcaps"].build(broken, DEFAULT, RANGE)
    assert [trace["name"] for trace in figure["data"] if trace.get("showlegend", True)] == ["BTC"]


def test_the_provider_and_iwm_closes_choose_the_series(snapshot_store: Store) -> None:
    state = decode("provider=cryptocap&alt=total3&iwm=unadjusted&equity=iwm")
    assert BY_KEY["altcoins"].series(state) == ("iwm_unadj", "cryptocap_total3")
    assert BY_KEY["stablecoins"].series(state)[-1] == "cryptocap_total"
    assert BY_KEY["smallcaps"].series(state) == ("iwm_unadj", "btc")
    assert BY_KEY["altcoins"].title(state) == "Altcoin market cap (TOTAL3 (TV)) vs IWM (unadj.)"
    # A provider is one coin universe: TradingView's family starts in July 2017, CoinGecko's at the end of 2017.
    everything = (dt.date(2013, 1, 1), dt.date(2026, 8, 22))
    coingecko = _line(_figure(snapshot_store, BY_KEY["altcoins"], DEFAULT, everything), "TOTAL2")
    tradingview = _line(
        _figure(snapshot_store, BY_KEY["altcoins"], decode("provider=cryptocap"), everything), "TOTAL2 (TV)"
    )
    assert tradingview.index[0] < pd.Timestamp("2017-08-01") < pd.Timestamp("2017-12-01") <= coingecko.index[0]


def test_unadjusted_iwm_finds_the_breakout_chart_analysts_read(snapshot_store: Store) -> None:
    window = (dt.date(2025, 1, 1), dt.date(2026, 8, 22))
    figure = _figure(snapshot_store, BY_KEY["altcoins"], decode("iwm=unadjusted"), window)
    breakouts = next(trace for trace in figure["data"] if trace["name"] == "IWM (unadj.) breakout")
    days = pd.to_datetime(trace_points(breakouts)[0], unit="ms")
    assert pd.Timestamp("2025-09-18") in days  # IWM's first close above its 2021 high on unadjusted prices


def test_net_liquidity_level_and_thirteen_week_change(snapshot_store: Store) -> None:
    chart = BY_KEY["liquidity"]
    level = _figure(snapshot_store, chart, DEFAULT)
    assert [t["name"] for t in level["data"] if t.get("showlegend", True)] == ["Net liquidity", "BTC", "^RUT"]
    assert level["layout"]["yaxis"]["tickprefix"] == "$" and level["layout"]["yaxis2"]["type"] == "log"
    change = _figure(snapshot_store, chart, decode("liquidity=change"), (dt.date(2022, 1, 1), dt.date(2023, 12, 31)))
    assert change["layout"]["yaxis"]["tickformat"] == ".0%"
    net = _line(change, "Net liquidity").loc["2022-01-01":"2023-12-31"]
    assert (pd.DatetimeIndex(net.index).day_of_week == 6).all()  # weekly closes, labelled by the week's Sunday
    assert -0.5 < net.min() < 0 < net.max() < 0.5  # a 13-week change, not a level


def test_what_charts_derive_is_computed_once_while_requests_ask_for_it_together() -> None:
    """A request asking for a derivation another is computing waits for that answer instead of computing it again
    (new data makes every concurrent request ask at once)."""
    data = ChartData({}, {}, "test")
    release, calls, answers = threading.Event(), [], []

    def compute() -> str:
        calls.append(threading.current_thread().name)
        release.wait(DEADLINE)
        return "built"

    def ask() -> None:
        answers.append(data.memo(("breakouts", "rut"), compute))

    first, second = (threading.Thread(target=ask, name=name) for name in ("first", "second"))
    first.start()
    _until(lambda: calls == ["first"])
    second.start()
    # The second request is parked on the cache's condition, not computing.
    _until(lambda: second.ident is not None and "wait" in _function(second.ident))
    release.set()
    for thread in (first, second):
        thread.join(DEADLINE)
    assert calls == ["first"] and answers == ["built", "built"]


DEADLINE = 30.0


def _function(thread_id: int) -> str:
    frame = sys._current_frames().get(thread_id)
    return frame.f_code.co_name if frame is not None else ""


def _until(condition: Callable[[], bool]) -> None:
    """Wait on a state, with a deadline only so that a broken build fails instead of hanging."""
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.001)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_line_reads_at_three_to_one_on_its_theme(snapshot_store: Store, theme: Theme) -> None:
    # Found by QA: ^RUT's #1f4e9c read 2.0:1 on the dark background; BTC's orange 2.3:1 on the light one.
    state = decode(f"?theme={theme}&preset=5y")
    background = _figure(snapshot_store, BY_KEY["smallcaps"], state)["layout"]["template"]["layout"]["paper_bgcolor"]
    for chart in CHARTS:
        figure = _figure(snapshot_store, chart, project(state, chart.reads))
        for trace in figure["data"]:
            line = trace.get("line", {}).get("color", "")
            if line.startswith("#") and trace.get("mode") == "lines":
                assert contrast(line, background) >= MIN_CONTRAST, (chart.key, trace.get("name"), line)
    for series_id in SERIES:  # a record's colour that reads already is drawn as it is
        own = series_def(series_id).color
        assert (color(series_id, theme) == own) == (contrast(own, background) >= MIN_CONTRAST)
