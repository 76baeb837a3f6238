"""The event-study chart and table builders: signals from the view, paths over the band, rows, on hand-built frames
and on the real snapshot."""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from components.charts import event_study as es
from components.signals import detect
from components.url_state import decode
from data_sources.store import Store
from data_sources.uploads import UploadStore, parse


def _days(*dates: str) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(list(dates), name="date").as_unit("us")


def _band(figure: dict) -> dict:
    (band,) = [trace for trace in figure["data"] if trace.get("fill") == "tonexty"]
    return band


def _points(trace: dict) -> np.ndarray:
    """A path's y values: days 0, 1, 2... after entry (x0 0, dx 1)."""
    assert (trace["x0"], trace["dx"]) == (0, 1)
    return np.frombuffer(base64.b64decode(trace["y"]["bdata"]), dtype={"f4": "float32"}[trace["y"]["dtype"]])


def test_crossed_above_high_marks_the_first_close_above_the_prior_n_days() -> None:
    days = pd.date_range("2024-01-01", periods=10, freq="D", unit="us")
    values = pd.Series([5, 4, 3, 6, 7, 2, 1, 8, 9, 3], index=days, dtype="float64")
    # 3-day highs: day 3 (6 > 5, 4, 3) starts a run that day 4 continues; day 7 (8 > 7, 2, 1) starts another.
    # Days 0-2 have no 3 days of history before them and never count.
    assert list(es.crossed_above_high(values, days=3)) == [days[3], days[7]]
    assert es.crossed_above_high(values.iloc[:0], days=3).empty


def test_an_upload_signal_and_asset_come_from_the_uploaded_column(tmp_path: Path) -> None:
    days = pd.date_range("2023-01-01", periods=400, freq="D", unit="us", name="date")
    level = np.where(np.arange(400) < 200, 100.0, 150.0)  # one step up on day 200
    frame = pd.DataFrame({"upload": level, "btc": np.linspace(100.0, 500.0, 400)}, index=days)
    state = decode("signal=upload_high&upload_days=30&study_days=60")
    result = es.study(frame, state, draws=200)
    assert list(result.events) == [days[200]]
    assert result.paths is not None
    # BTC rises linearly: 60 days after the entry on day 200 it is up by 60 steps of 400/399.
    entry = 100 + 200 * 400 / 399
    assert result.paths.paths.iloc[60, 0] == pytest.approx((entry + 60 * 400 / 399) / entry * 100)
    assert set(result.table.columns) >= {"placebo_p", "other_placebo_p", "badge"}


def test_a_missing_asset_or_signal_source_is_said_not_raised() -> None:
    frame = pd.DataFrame({"btc": [1.0, 2.0]}, index=_days("2024-01-01", "2024-01-02"))
    result = es.study(frame, decode("signal=extreme_fear"))
    assert result.problem == "no data for Fear & Greed in this view"
    figure = es.figure(result, decode("signal=extreme_fear"))
    go.Figure(figure)
    assert figure["data"] == [] and figure["layout"]["annotations"][0]["text"] == result.problem
    assert es.table_rows(result, decode("")) == [] and es.summary(result, decode("")) == result.problem


def test_breakout_signals_use_the_views_detector_settings(snapshot_store: Store) -> None:
    frame = snapshot_store.panel(("rut",)).frame
    for query in ("", "min_age=365&min_drawdown=30&resolution=weekly"):
        state = decode(query)
        assert list(es.signal_dates(frame, state)) == list(detect(frame["rut"], state)["date"])


@pytest.fixture(scope="module")
def rut_study(snapshot_store: Store, tmp_path_factory: pytest.TempPathFactory) -> es.Study:
    state = decode("")
    return es.study(es.study_frame(snapshot_store, UploadStore(tmp_path_factory.mktemp("up")), state), state)


def test_the_real_rut_breakouts_show_btc_paths_over_the_band(rut_study: es.Study) -> None:
    state = decode("")
    assert rut_study.paths is not None
    # BTC after the 13 Nov 2020 close above ^RUT's 2018 high: rebased to 100 at entry, it peaked about 4x.
    assert 400 < rut_study.paths.paths[pd.Timestamp("2020-11-13")].max() < 430
    figure = es.figure(rut_study, state)
    go.Figure(figure)
    band = _band(figure)
    assert len(_points(band)) == state.study_days + 1
    named = [trace["name"] for trace in figure["data"] if trace["name"][:2] in ("19", "20")]
    assert named == ["2016-11-14", "2020-11-13", "2025-09-18"]  # breakouts before BTC existed draw nothing
    low = _points(figure["data"][0])
    assert (low <= _points(band)).all() and low[0] == pytest.approx(100) == _points(band)[0]


def test_the_table_has_one_row_per_statistic_with_both_placebos(rut_study: es.Study) -> None:
    rows = es.table_rows(rut_study, decode(""))
    assert [row["statistic"] for row in rows] == [
        "30-day return", "90-day return", "180-day return", "365-day return", "peak return", "max drawdown"
    ]  # fmt: skip
    assert {row["badge"] for row in rows} == {"n < 5: anecdote, no inference"}
    assert all(0 < row["placebo_p"] <= 1 and 0 < row["other_placebo_p"] <= 1 for row in rows)
    assert {column["id"] for column in es.table_columns()} <= set(rows[0])
    summary = es.summary(rut_study, decode(""))
    assert summary.startswith("10 x ^RUT breakout, 3 with BTC data after them")
    assert "6 variants tested" in summary
    assert "uses the spaced placebo" in es.notes(rut_study, decode(""))


def test_many_events_are_drawn_as_one_trace_and_their_mean(snapshot_store: Store, tmp_path: Path) -> None:
    state = decode("signal=extreme_fear&study_days=90")
    result = es.study(es.study_frame(snapshot_store, UploadStore(tmp_path), state), state, draws=500)
    figure = es.figure(result, state)
    go.Figure(figure)
    assert len(result.events) > es.NAMED_PATHS and result.paths is not None
    followed = int(result.paths.paths.notna().any().sum())
    paths, mean = figure["data"][3:-1], figure["data"][-1]
    assert len(paths) == followed and {trace["name"] for trace in paths} == {f"{followed} events"}
    assert [trace["showlegend"] for trace in paths] == [True] + [False] * (followed - 1)  # one legend entry
    assert mean["name"] == "mean of events"
    np.testing.assert_allclose(_points(mean), result.paths.paths.dropna(axis=1, how="all").mean(axis=1), rtol=1e-6)


def test_study_frame_joins_the_chosen_upload_column(snapshot_store: Store, tmp_path: Path) -> None:
    uploads = UploadStore(tmp_path)
    upload_id = uploads.save(parse(b"date,a,b\n2021-01-01,1,10\n2021-01-02,2,20\n", name="mine"))
    frame = es.study_frame(snapshot_store, uploads, decode(f"asset=upload&upload={upload_id}&upload_column=2"))
    assert frame.loc["2021-01-01":"2021-01-02", "upload"].tolist() == [10.0, 20.0]
    assert {"rut", "upload"} == set(frame.columns)
    missing = es.study_frame(snapshot_store, uploads, decode(f"asset=upload&upload={upload_id}&upload_column=3"))
    assert "upload" not in missing.columns
