"""Figure builders: valid Plotly figures, the right traces and axes per view, the credit line inside."""

from __future__ import annotations

import base64
import datetime as dt

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from components.callbacks import badge, chart_figures, load, next_state, only_range_changed, range_patches, view_range
from components.figures import (
    MS_PER_DAY,
    build_figure,
    credit_line,
    fit_axes,
    fit_range,
    fitted_y_ranges,
    rebase,
    trace_data,
    trace_points,
)
from components.panels import PANEL_KEYS, all_series
from components.ranges import resolve_range
from components.url_state import DEFAULT, ViewState, decode
from data_sources.config import open_cache
from data_sources.store import SeriesMeta, Store

RANGE = (dt.date(2020, 1, 1), dt.date(2021, 12, 31))


def _figure(snapshot_store: Store, key: str, state: ViewState) -> dict:
    values, meta = load(snapshot_store, all_series(state))
    figure = fit_axes(build_figure(key, values, meta, state, RANGE), RANGE)
    go.Figure(figure)  # Plotly validates every property of the dict
    return figure


def _decoded(array: dict[str, str]) -> np.ndarray:
    return np.frombuffer(base64.b64decode(array["bdata"]), dtype={"f4": "float32", "f8": "float64"}[array["dtype"]])


@pytest.mark.parametrize("key", PANEL_KEYS)
@pytest.mark.parametrize("state", [DEFAULT, decode("mode=rebase&scale=log&theme=dark&equity=iwm&alt=total3")])
def test_every_panel_is_a_valid_figure_with_title_range_and_credit(
    snapshot_store: Store, key: str, state: ViewState
) -> None:
    layout = _figure(snapshot_store, key, state)["layout"]
    assert layout["xaxis"]["range"] == ["2020-01-01", "2021-12-31"]
    credit = layout["annotations"][0]["text"]
    assert credit.startswith("Source: snapshot (") and "Data as of:" in credit
    assert layout["title"]["text"]


def test_raw_mode_uses_dual_axes_and_rebase_a_single_axis(snapshot_store: Store) -> None:
    raw = _figure(snapshot_store, "smallcaps", DEFAULT)
    assert [trace["yaxis"] for trace in raw["data"]] == ["y", "y2"]
    assert raw["layout"]["yaxis2"]["overlaying"] == "y"
    rebased = _figure(snapshot_store, "smallcaps", decode("mode=rebase"))
    assert {trace["yaxis"] for trace in rebased["data"]} == {"y"} and "yaxis2" not in rebased["layout"]
    assert rebased["layout"]["yaxis"]["title"]["text"] == "Rebased to 100 on 01 Jan 2020"


def test_traces_carry_real_values_as_typed_arrays(snapshot_store: Store) -> None:
    rut, btc = _figure(snapshot_store, "smallcaps", DEFAULT)["data"]
    assert btc["dx"] == rut["dx"] == 86_400_000 and btc["connectgaps"]
    btc_values = pd.Series(_decoded(btc["y"]), index=pd.date_range(btc["x0"], periods=len(_decoded(btc["y"]))))
    assert btc_values.loc["2021-04-14"] == pytest.approx(63576.68, rel=1e-6)
    rut_values = pd.Series(_decoded(rut["y"]), index=pd.date_range(rut["x0"], periods=len(_decoded(rut["y"]))))
    assert rut_values.loc["2020-11-13"] == pytest.approx(1744.040039, rel=1e-6)
    assert np.isnan(rut_values.loc["2020-11-14"])  # a Saturday: a gap, not a filled value


def test_log_scale_applies_to_both_axes(snapshot_store: Store) -> None:
    layout = _figure(snapshot_store, "stablecoins", decode("scale=log"))["layout"]
    assert layout["yaxis"]["type"] == layout["yaxis2"]["type"] == "log"


def test_fear_greed_bars_are_grouped_by_their_own_classes(snapshot_store: Store) -> None:
    figure = _figure(snapshot_store, "sentiment", DEFAULT)
    names = [trace["name"] for trace in figure["data"]]
    assert names == ["Extreme Fear", "Fear", "Neutral", "Greed", "Extreme Greed"]
    extreme_fear = _decoded(figure["data"][0]["y"])
    assert extreme_fear.max() <= 25 and len(extreme_fear) > 100


def test_stablecoin_toggles_choose_the_traces(snapshot_store: Store) -> None:
    figure = _figure(snapshot_store, "stablecoins", decode("stables=usdt,total"))
    assert [trace["name"] for trace in figure["data"]] == ["USDT", "Stablecoins (total)", "Total crypto cap"]


def test_rebase_divides_by_the_first_value_on_or_after_the_date() -> None:
    values = pd.Series([50.0, 100.0, 150.0], index=pd.to_datetime(["2020-01-01", "2020-01-03", "2020-01-04"]))
    pd.testing.assert_series_equal(rebase(values, at=dt.date(2020, 1, 2)), values)
    assert rebase(values, at=dt.date(2021, 1, 1)).isna().all()


def _meta(
    series_id: str, *, last: str | None = "2024-01-02", stale: bool = False, message: str | None = None
) -> SeriesMeta:
    stamp = pd.Timestamp(last) if last else None
    return SeriesMeta(series_id, "vendor", stamp, stamp, stamp, stale, message)


def test_an_unavailable_series_is_named_in_the_credit_and_badge() -> None:
    metas = [_meta("btc"), _meta("rut", last=None, stale=True, message="unavailable: HTTP 503")]
    assert badge(metas) == ("as of 2024-01-02 - partly unavailable", "badge badge-error")
    assert badge([_meta("btc", stale=True)]) == ("as of 2024-01-02 - stale", "badge badge-stale")
    assert credit_line(metas) == "Source: vendor<br>Data as of: 2024-01-02 (BTC)"
    metas = [_meta("usdt_supply"), _meta("usdc_supply", stale=True), _meta("total_mcap", last="2023-05-01")]
    assert (
        credit_line(metas)
        == "Source: vendor<br>Data as of: 2024-01-02 (USDT, USDC stale); 2023-05-01 (Total crypto cap)"
    )
    assert badge(metas)[0] == "as of 2024-01-02 · Total crypto cap 2023-05-01 - stale"


def test_an_unavailable_series_leaves_the_rest_of_the_panel_drawn() -> None:
    values = {
        "rut": pd.Series(dtype="float64"),
        "btc": pd.Series([1.0, 2.0], index=pd.to_datetime(["2020-01-02", "2020-01-03"])),
    }
    meta = {"rut": _meta("rut", last=None, message="unavailable: HTTP 503"), "btc": _meta("btc")}
    figure = build_figure("smallcaps", values, meta, DEFAULT, RANGE)
    assert [trace["name"] for trace in figure["data"]] == ["BTC"]


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (DEFAULT, (dt.date(2021, 8, 22), dt.date(2026, 8, 22))),
        (decode("preset=ytd"), (dt.date(2026, 1, 1), dt.date(2026, 8, 22))),
        (decode("preset=1y"), (dt.date(2025, 8, 22), dt.date(2026, 8, 22))),
        (decode("preset=max"), (dt.date(1987, 9, 10), dt.date(2026, 8, 22))),
        (decode("range=2020-01-01..2020-02-01"), (dt.date(2020, 1, 1), dt.date(2020, 2, 1))),
    ],
)
def test_presets_end_at_the_latest_data_and_max_spans_all_of_it(
    snapshot_store: Store, state: ViewState, expected: tuple[dt.date, dt.date]
) -> None:
    assert view_range(state, load(snapshot_store, all_series(state))[1]) == expected


def test_a_preset_never_starts_before_the_data() -> None:
    assert resolve_range(decode("preset=5y"), first=dt.date(2024, 1, 1), last=dt.date(2025, 1, 1))[0] == dt.date(
        2024, 1, 1
    )


def test_next_state_applies_one_change_and_rejects_garbage() -> None:
    zoomed = next_state(DEFAULT, "zoom", {"zoom": {"start": "2020-01-01 05:00", "end": "2020-06-01"}}, None)
    assert (zoomed.start, zoomed.end) == (dt.date(2020, 1, 1), dt.date(2020, 6, 1))
    assert next_state(zoomed, "zoom", {"zoom": None}, None).has_custom_range is False
    assert next_state(zoomed, "preset", {"preset": "max"}, None) == ViewState(preset="max")
    assert next_state(DEFAULT, "equity", {"equity": "spx"}, None) == DEFAULT
    assert next_state(DEFAULT, "stables", {"stables": ["usdc_supply", "doge"]}, None).stables == ("usdc_supply",)
    assert next_state(DEFAULT, "zoom", {"zoom": {"start": 5, "end": [1]}}, None) == DEFAULT
    assert next_state(DEFAULT, "url", {}, "?scale=log") == decode("scale=log")


def test_y_axes_fit_the_visible_window_not_the_whole_history(snapshot_store: Store) -> None:
    values, _ = load(snapshot_store, all_series(DEFAULT))
    rut = values["rut"].loc["2020-01-01":"2021-12-31"]
    low, high = _figure(snapshot_store, "smallcaps", DEFAULT)["layout"]["yaxis"]["range"]
    assert low < rut.min() < low * 1.1 and high > rut.max() > high * 0.95  # not 0 to the whole history's peak
    log_low, log_high = _figure(snapshot_store, "smallcaps", decode("scale=log"))["layout"]["yaxis2"][
        "range"
    ]  # BTC, log10
    btc = values["btc"].loc["2020-01-01":"2021-12-31"]
    assert 10**log_low < btc.min() and 10**log_high > btc.max() and log_high - log_low < 1.3
    assert _figure(snapshot_store, "sentiment", DEFAULT)["layout"]["yaxis"]["range"] == [0, 100]  # a fixed range stays


def test_analytics_charts_are_fitted_too(snapshot_store: Store) -> None:
    figures, _, _ = chart_figures(snapshot_store, decode("range=2023-01-01..2024-12-31"))
    ssr = figures["ssr"]
    x, y = trace_points(ssr["data"][0])
    inside = y[(x >= pd.Timestamp("2023-01-01").value / 1e6) & (x <= pd.Timestamp("2024-12-31").value / 1e6)]
    low, high = ssr["layout"]["yaxis"]["range"]
    assert low < np.nanmin(inside) and np.nanmax(inside) < high < np.nanmax(y)  # the 2015 SSR spike stays out


def test_trace_points_reads_both_x_encodings() -> None:
    figure = build_figure("smallcaps", *load(Store(open_cache(None)), ("rut", "btc")), DEFAULT, RANGE)
    for trace in figure["data"]:
        x, y = trace_points(trace)
        assert x.shape == y.shape and np.all(np.diff(x) > 0)


def test_fit_range_pads_and_skips_what_cannot_be_drawn() -> None:
    assert fit_range(np.array([10.0, 20.0, np.nan]), log=False) == pytest.approx([9.5, 20.5])
    assert fit_range(np.array([10.0]), log=False) == pytest.approx([9.5, 10.5])
    assert fit_range(np.array([100.0, 1000.0]), log=True) == pytest.approx([1.95, 3.05])
    assert fit_range(np.array([0.0, -1.0]), log=True) is None
    assert fit_range(np.array([]), log=False) is None


def test_fitted_y_ranges_only_look_inside_the_x_range() -> None:
    trace = {"x0": "2020-01-01", "dx": 86_400_000, "y": [1.0, 2.0, 3.0, 400.0]}
    figure = {"data": [trace], "layout": {"yaxis": {}}}
    assert fitted_y_ranges(figure, (dt.date(2020, 1, 1), dt.date(2020, 1, 3))) == {"yaxis": pytest.approx([0.9, 3.1])}


def test_a_new_range_alone_patches_ranges_and_anything_else_rebuilds(snapshot_store: Store) -> None:
    zoomed = DEFAULT.with_range(dt.date(2020, 1, 1), dt.date(2021, 12, 31))
    assert only_range_changed(DEFAULT, zoomed) and only_range_changed(zoomed, decode("preset=max"))
    assert not only_range_changed(DEFAULT, decode("equity=iwm"))
    assert not only_range_changed(decode("mode=rebase"), decode("mode=rebase&preset=max"))  # rebased values move
    figures, _, _ = chart_figures(snapshot_store, zoomed)
    operations = range_patches(figures)["smallcaps"].to_plotly_json()["operations"]
    assigned = {tuple(op["location"]): op["params"]["value"] for op in operations if op["operation"] == "Assign"}
    layout = figures["smallcaps"]["layout"]
    assert assigned == {("layout", axis, "range"): layout[axis]["range"] for axis in ("xaxis", "yaxis", "yaxis2")}


def test_raw_traces_are_built_once_and_refitted_per_range(snapshot_store: Store) -> None:
    five_years, _, _ = chart_figures(snapshot_store, DEFAULT)
    everything, _, _ = chart_figures(snapshot_store, decode("preset=max"))
    assert five_years["smallcaps"]["data"] is everything["smallcaps"]["data"]
    assert five_years["smallcaps"]["layout"]["yaxis"]["range"] != everything["smallcaps"]["layout"]["yaxis"]["range"]
    rebased, _, _ = chart_figures(snapshot_store, decode("mode=rebase"))
    rebased_max, _, _ = chart_figures(snapshot_store, decode("mode=rebase&preset=max"))
    assert rebased["smallcaps"]["data"] is not rebased_max["smallcaps"]["data"]  # rebased at another start


def test_sources_of_one_kind_share_their_prefix() -> None:
    metas = [SeriesMeta(sid, f"snapshot ({vendor})", None, None, pd.Timestamp("2024-01-02"), False) for sid, vendor in
             (("btc", "Yahoo"), ("iwm", "Yahoo"), ("usdt_supply", "DefiLlama"))]  # fmt: skip
    assert credit_line(metas).startswith("Source: snapshot (Yahoo; DefiLlama)<br>")
    metas[0] = SeriesMeta("btc", "CoinGecko", None, None, pd.Timestamp("2024-01-02"), False)
    assert credit_line(metas).startswith("Source: CoinGecko; snapshot (Yahoo); snapshot (DefiLlama)<br>")


def test_log_axes_label_one_two_five_only_across_decades(snapshot_store: Store) -> None:
    narrow = _figure(snapshot_store, "smallcaps", decode("scale=log&equity=iwm"))["layout"]  # IWM within 2020-2021
    assert narrow["yaxis"]["range"][1] - narrow["yaxis"]["range"][0] < 1 and "dtick" not in narrow["yaxis"]
    wide = fit_axes(build_figure("smallcaps", *load(snapshot_store, ("rut", "btc")), decode("scale=log"), RANGE),
                    (dt.date(2013, 1, 1), dt.date(2021, 12, 31)))["layout"]  # fmt: skip
    assert wide["yaxis2"]["dtick"] == "D2"  # BTC from $100 to $60k


def test_lines_travel_in_the_cheaper_encoding() -> None:
    fri_mon_tue = pd.to_datetime(["2024-01-05", "2024-01-08", "2024-01-09"])
    daily = pd.Series([1.0, 2.0, 4.0], index=fri_mon_tue)
    sent = trace_data(daily)
    assert (sent["x0"][:10], sent["dx"], sent["connectgaps"]) == ("2024-01-05", MS_PER_DAY, True)
    np.testing.assert_array_equal(trace_points(sent)[1], [1.0, np.nan, np.nan, 2.0, 4.0])  # weekend gaps, not filled
    monthly = pd.Series([1.0, 2.0, 3.0], index=pd.to_datetime(["2024-01-31", "2024-02-29", "2024-03-31"]))
    x, y = trace_points(trace_data(monthly))
    np.testing.assert_array_equal(pd.to_datetime(x, unit="ms"), monthly.index)
    np.testing.assert_array_equal(y, monthly.to_numpy())
