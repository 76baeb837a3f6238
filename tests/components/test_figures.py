"""Figure building blocks: line encoding and decimation, rebasing, credit line, end-of-data marks, y fitting."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from components.figures import (
    HISTORY_POINTS,
    MAX_POINTS,
    MS_PER_DAY,
    credit_line,
    end_marks,
    fit_axes,
    fit_range,
    fitted_y_ranges,
    line_data,
    line_traces,
    prepare,
    rebase_at,
    trace_points,
)
from data_sources.store import SeriesMeta


def _daily(days: int, start: str = "2000-01-01") -> pd.Series:
    """A real-looking random walk: daily values, one per calendar day."""
    rng = np.random.default_rng(7)
    return pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.02, days))), index=pd.date_range(start, periods=days))


def _points(parts: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    pairs = [trace_points(part) for part in parts]
    return np.concatenate([x for x, _ in pairs]), np.concatenate([y for _, y in pairs])


def test_a_short_line_travels_whole_at_one_point_per_day_with_gaps_not_filled() -> None:
    fri_mon_tue = pd.to_datetime(["2024-01-05", "2024-01-08", "2024-01-09"])
    (sent,) = line_data(pd.Series([1.0, 2.0, 4.0], index=fri_mon_tue), (dt.date(2024, 1, 1), dt.date(2024, 2, 1)))
    assert (sent["x0"][:10], sent["dx"]) == ("2024-01-05", MS_PER_DAY)
    np.testing.assert_array_equal(trace_points(sent)[1], [1.0, np.nan, np.nan, 2.0, 4.0])  # weekend gaps, not filled


def test_sparse_lines_travel_as_explicit_dates() -> None:
    monthly = pd.Series([1.0, 2.0, 3.0], index=pd.to_datetime(["2024-01-31", "2024-02-29", "2024-03-31"]))
    x, y = trace_points(line_data(monthly)[0])
    np.testing.assert_array_equal(pd.to_datetime(x, unit="ms"), monthly.index)
    np.testing.assert_array_equal(y, monthly.to_numpy())


def _observed_on_their_days(values: pd.Series, x: np.ndarray, y: np.ndarray) -> bool:
    """Whether every drawn point (x in epoch ms, y) is the series' own value on that day."""
    drawn = np.isfinite(y)
    days = pd.to_datetime(x[drawn], unit="ms")
    return bool(np.array_equal(values.reindex(days).to_numpy(dtype="float32"), y[drawn].astype("float32")))


def test_a_long_line_is_a_full_resolution_window_plus_a_decimated_history() -> None:
    values = _daily(8000)
    window = (dt.date(2010, 1, 1), dt.date(2010, 12, 31))
    shown, history = line_data(values, window)
    x, y = trace_points(shown)
    expected = values.loc["2010-01-01":"2010-12-31"].to_numpy(dtype="float32")
    np.testing.assert_array_equal(y, expected)  # every day of the window, exactly, and no more
    assert x[0] == pd.Timestamp("2010-01-01").value / 1e6
    hx, hy = trace_points(history)
    assert np.isfinite(hy).sum() <= HISTORY_POINTS + 4
    assert _observed_on_their_days(values, hx, hy)  # real values on the days they were observed
    drawn = hx[np.isfinite(hy)]
    # Found by QA: the edge buckets' extremes were drawn at the bucket's start and middle, inside the window, as
    # a coarse line over the real one with values from other days.
    assert not ((drawn >= x[0]) & (drawn <= x[-1])).any()
    day = MS_PER_DAY
    assert drawn[drawn < x[0]].max() == x[0] - day and drawn[drawn > x[-1]].min() == x[-1] + day  # it reaches it
    gap = np.flatnonzero(~np.isfinite(hy))
    assert gap.size == 1 and x[0] <= hx[gap[0]] <= x[-1]  # one break, inside the window: never bridged


def test_a_decimated_line_draws_real_values_on_their_days() -> None:
    values = _daily(8000)
    for parts in (line_data(values, None), line_data(values, (dt.date(2001, 1, 1), dt.date(2030, 1, 1)))):
        for part in parts:
            assert "x" in part and _observed_on_their_days(values, *trace_points(part))
    x, y = trace_points(line_data(values, None)[0])
    drawn = pd.to_datetime(x[np.isfinite(y)], unit="ms")
    assert (drawn[0], drawn[-1]) == (values.index[0], values.index[-1])  # it starts and ends where the data does


def test_decimation_keeps_real_extremes_in_order() -> None:
    values = _daily(8000)
    (whole,) = line_data(values, None)
    _, y = trace_points(whole)
    assert y.size <= MAX_POINTS
    assert np.nanmax(y) == pytest.approx(values.max(), rel=1e-6) and np.nanmin(y) == pytest.approx(
        values.min(), rel=1e-6
    )
    observed = values.to_numpy("float32").astype("float64")
    assert np.isin(y[np.isfinite(y)], observed).all()  # observations only, never averaged


def test_a_wide_window_is_decimated_to_about_two_points_per_pixel() -> None:
    values = _daily(12000)
    shown, _ = line_data(values, (dt.date(2001, 1, 1), dt.date(2030, 1, 1)))
    assert trace_points(shown)[1].size <= MAX_POINTS + 2


def test_only_the_first_trace_of_a_line_has_a_legend_entry_and_hover() -> None:
    traces = line_traces(_daily(8000), (dt.date(2010, 1, 1), dt.date(2010, 12, 31)), name="BTC", hovertemplate="%{y}")
    assert len(traces) == 2 and traces[0]["hovertemplate"] == "%{y}" and "showlegend" not in traces[0]
    assert traces[1]["showlegend"] is False and traces[1]["hoverinfo"] == "skip" and "hovertemplate" not in traces[1]
    assert traces[0]["legendgroup"] == traces[1]["legendgroup"] == "BTC"


def test_rebase_divides_by_the_first_value_on_or_after_the_date() -> None:
    values = pd.Series([50.0, 100.0, 150.0], index=pd.to_datetime(["2020-01-01", "2020-01-03", "2020-01-04"]))
    pd.testing.assert_series_equal(rebase_at(values, at=dt.date(2020, 1, 2)), values)
    assert rebase_at(values, at=dt.date(2021, 1, 1)).isna().all()


@pytest.mark.parametrize("step", [1, 7], ids=["daily", "weekly"])
def test_a_prepared_line_rebases_and_windows_as_the_series_would(step: int) -> None:
    values = _daily(8000).iloc[::step]  # built once per data version: each view is a slice and a scaling of it
    line = prepare(values)
    windows = [(dt.date(2010, 1, 1), dt.date(2010, 12, 31)), (dt.date(2000, 1, 1), dt.date(2000, 1, 1)),
               (dt.date(2000, 1, 3), dt.date(2000, 1, 4)), (dt.date(1990, 1, 1), dt.date(1999, 1, 1)),
               (dt.date(2005, 3, 3), dt.date(2030, 1, 1)), (dt.date(1990, 1, 1), dt.date(2030, 1, 1))]  # fmt: skip
    for window in windows:
        assert line_data(line, window) == line_data(values, window)
        assert line_data(line.rebased(window[0]), window) == line_data(rebase_at(values, at=window[0]), window)
    assert line.rebased(dt.date(2030, 1, 1)).empty  # no value on or after the date: nothing to draw


@pytest.mark.parametrize("step", [1, 7], ids=["daily", "weekly"])
def test_a_window_holding_the_whole_line_sends_no_history(step: int) -> None:
    values = _daily(8000).iloc[::step]
    (whole,) = line_data(values, (dt.date(1999, 1, 1), dt.date(2030, 1, 1)))  # nothing left for a history to draw
    assert np.isfinite(trace_points(whole)[1]).sum() >= min(len(values), HISTORY_POINTS)
    assert len(line_data(values, (dt.date(2001, 1, 1), dt.date(2030, 1, 1)))) == 2  # a year of history is left over


def test_the_history_leaves_out_exactly_the_window_days() -> None:
    values = _daily(8000)
    line = prepare(values)
    days = pd.DatetimeIndex(values.index)
    for window in [(dt.date(2010, 1, 1), dt.date(2010, 12, 31)), (dt.date(2010, 1, 5), dt.date(2010, 1, 9))]:
        _, history = line_data(line, window)
        before, after = values[days < pd.Timestamp(window[0])], values[days > pd.Timestamp(window[1])]
        buckets = (days - days[0]).days // line.history_size
        # The line's ends and the observations next to the window,
        expected = {values.index[0], values.index[-1], before.index[-1], after.index[0]}
        for part in (before, after):  # and each bucket's extremes among the days outside the window
            for _, chunk in part.groupby(buckets[days.isin(part.index)]):
                expected |= {chunk.idxmin(), chunk.idxmax()}
        hx, hy = trace_points(history)
        assert set(pd.to_datetime(hx[np.isfinite(hy)], unit="ms")) == expected


def _meta(series_id: str, *, last: str | None = "2024-01-02", stale: bool = False) -> SeriesMeta:
    stamp = pd.Timestamp(last) if last else None
    return SeriesMeta(series_id, "vendor", stamp, stamp, stamp, stale, None if last else "unavailable: HTTP 503")


def test_credit_line_names_sources_and_each_series_date() -> None:
    metas = [_meta("usdt_supply"), _meta("usdc_supply", stale=True), _meta("total_mcap", last="2023-05-01")]
    assert (
        credit_line(metas)
        == "Source: vendor<br>Data as of: 2024-01-02 (USDT, USDC stale); 2023-05-01 (Total crypto cap)"
    )
    assert credit_line([_meta("btc"), _meta("rut", last=None)]) == "Source: vendor<br>Data as of: 2024-01-02 (BTC)"


def test_sources_of_one_kind_share_their_prefix() -> None:
    metas = [SeriesMeta(sid, f"snapshot ({vendor})", None, None, pd.Timestamp("2024-01-02"), False) for sid, vendor in
             (("btc", "Yahoo"), ("iwm", "Yahoo"), ("usdt_supply", "DefiLlama"))]  # fmt: skip
    assert credit_line(metas).startswith("Source: snapshot (Yahoo; DefiLlama)<br>")
    metas[0] = SeriesMeta("btc", "CoinGecko", None, None, pd.Timestamp("2024-01-02"), False)
    assert credit_line(metas).startswith("Source: CoinGecko; snapshot (Yahoo); snapshot (DefiLlama)<br>")


def test_a_series_that_ends_early_is_marked_with_its_name_and_date() -> None:
    metas = [_meta("rut", last="2026-02-20"), _meta("btc", last="2026-01-31"), _meta("iwm", last="2026-01-31")]
    shapes, notes = end_marks(metas, (dt.date(2025, 1, 1), dt.date(2026, 2, 20)))
    assert [note["text"] for note in notes] == ["BTC, IWM ends 2026-01-31"]
    band = shapes[0]
    assert (band["x0"], band["x1"]) == ("2026-01-31", "2026-02-20")
    assert end_marks(metas, (dt.date(2020, 1, 1), dt.date(2021, 1, 1))) == ([], [])  # no end inside the range


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
    fixed = {"data": [trace], "layout": {"yaxis": {"fixedrange": True, "range": [0, 100]}}}
    assert fitted_y_ranges(fixed, (dt.date(2020, 1, 1), dt.date(2020, 1, 3))) == {}


def test_log_axes_label_one_two_five_only_across_decades() -> None:
    trace = {"x0": "2020-01-01", "dx": 86_400_000, "y": [100.0, 150.0, 60_000.0]}
    figure = {"data": [trace], "layout": {"yaxis": {"type": "log"}}}
    assert "dtick" not in fit_axes(figure, (dt.date(2020, 1, 1), dt.date(2020, 1, 2)))["layout"]["yaxis"]
    assert fit_axes(figure, (dt.date(2020, 1, 1), dt.date(2020, 1, 3)))["layout"]["yaxis"]["dtick"] == "D2"


def test_a_long_sparse_line_is_the_window_plus_its_history_extremes() -> None:
    weekly = _daily(6000).iloc[::7]
    shown, history = line_data(weekly, (dt.date(2010, 1, 1), dt.date(2010, 12, 31)))
    x, _ = trace_points(shown)
    assert pd.Timestamp("2010-01-01").value / 1e6 > x[0] and x[-1] > pd.Timestamp("2010-12-31").value / 1e6
    assert len(x) <= 55  # a year of weeks and one point either side
    hx, hy = trace_points(history)
    outside = weekly[(weekly.index < "2010-01-01") | (weekly.index > "2010-12-31")]
    assert len(hy) <= HISTORY_POINTS + 1
    assert np.nanmax(hy) == pytest.approx(outside.max()) and np.nanmin(hy) == pytest.approx(outside.min())
    inside = (hx >= pd.Timestamp("2010-01-01").value / 1e6) & (hx <= pd.Timestamp("2010-12-31").value / 1e6)
    assert np.isnan(hy[inside]).all()  # a hole where the window is, never bridged
