"""Signals on the dashboard: the breakout table, the markers on the equity lines, the row zoom."""

from __future__ import annotations

import base64
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from components.charts import ChartData, load
from components.signals import (
    SIGNAL_ASSETS,
    detect,
    markers,
    signal_table,
    table_answer,
    table_rows,
    zoom_window,
)
from components.url_state import DEFAULT, ViewState, decode
from data_sources.store import Panel, Store

RANGE = (dt.date(2019, 1, 1), dt.date(2022, 12, 31))


def _panel(snapshot_store: Store, state: ViewState) -> Panel:
    return snapshot_store.panel((state.equity, *SIGNAL_ASSETS))


def _row(table: pd.DataFrame, signal: str, asset: str) -> pd.Series:
    return table[(table["signal"] == pd.Timestamp(signal)) & (table["asset"] == asset)].iloc[0]


def test_daily_table_has_the_nov_2020_rut_breakout_and_btcs_move_after_it(snapshot_store: Store) -> None:
    state = decode("peak_days=168")  # 2020-11-13 to 2021-04-30: "BTC's peak close by April 2021"
    table = signal_table(_panel(snapshot_store, state).frame, state)
    btc = _row(table, "2020-11-13", "BTC")
    assert btc["equity"] == "^RUT" and btc["level"] == pytest.approx(1740.75)
    assert btc["level_date"] == pd.Timestamp("2018-08-31")
    assert btc["peak_return"] == pytest.approx(2.89, abs=0.01)  # +289% to the 2021-04-13 UTC close
    assert btc["peak_date"] == pd.Timestamp("2021-04-13")
    assert "daily signals" in btc["convention"] and "168 days after entry" in btc["convention"]
    year_after = _row(signal_table(_panel(snapshot_store, DEFAULT).frame, DEFAULT), "2020-11-13", "BTC")
    assert year_after["peak_date"] == pd.Timestamp("2021-11-08")  # the default 365-day window reaches the Nov high
    assert not table["entry_close"].isna().any(), "rows only for assets that existed at the signal"


def test_monthly_prior_close_convention_gives_the_quoted_370_percent(snapshot_store: Store) -> None:
    state = decode("resolution=monthly&entry=prior&peak_days=181")  # from the Oct 2020 close to 2021-04-30
    btc = _row(signal_table(_panel(snapshot_store, state).frame, state), "2020-11-30", "BTC")
    assert btc["entry_close"] == pytest.approx(13_500, rel=0.03)
    assert btc["peak_return"] == pytest.approx(3.61, abs=0.01)  # +361% from the 2020-10-31 close
    assert "monthly signals" in btc["convention"] and "last close before" in btc["convention"]


def test_detector_parameters_change_what_is_found(snapshot_store: Store) -> None:
    frame = _panel(snapshot_store, DEFAULT).frame
    loose = detect(frame["rut"], decode("min_drawdown=5&min_age=30"))
    strict = detect(frame["rut"], decode("min_drawdown=40"))
    assert len(loose) > len(detect(frame["rut"], DEFAULT)) > len(strict) >= 1


def test_table_rows_are_json_ready(snapshot_store: Store) -> None:
    rows = table_rows(signal_table(_panel(snapshot_store, DEFAULT).frame, DEFAULT))
    assert rows and all(isinstance(row["signal"], str) for row in rows)
    assert all(
        value is None or not (isinstance(value, float) and np.isnan(value)) for row in rows for value in row.values()
    )


def test_the_table_is_computed_once_per_view_and_data_version(snapshot_store: Store) -> None:
    state = decode("peak_days=168&scale=log")  # the scale is not a field the table reads
    data = load(snapshot_store, (state.equity_series, *SIGNAL_ASSETS))
    rows, summary, rule = table_answer(data, state)
    assert rows == table_rows(signal_table(_panel(snapshot_store, state).frame, state)), "as computed from the store"
    assert summary.endswith("breakouts of ^RUT with crypto data after them") and "168 days" in rule
    assert table_answer(data, decode("peak_days=168")) is table_answer(data, state), "a lookup, not a new table"
    assert table_answer(data, DEFAULT)[0] != rows, "another table field, another table"
    # Other data (a new version: here BTC's history ending in 2020) is a new ChartData, whose table is its own.
    cut = ChartData({**data.values, "btc": data.values["btc"].loc[:"2020-12-31"]}, data.meta, "cut")

    def btc_after_nov_2020(table: list[dict[str, object]]) -> dict[str, object]:
        return next(row for row in table if row["signal"] == "2020-11-13" and row["asset"] == "BTC")

    assert btc_after_nov_2020(rows)["peak_date"] == "2021-04-13"
    assert btc_after_nov_2020(table_answer(cut, state)[0])["peak_date"] is None  # the window runs past the data


def test_markers_sit_on_the_equity_line_in_raw_and_rebased_views(snapshot_store: Store) -> None:
    frame = _panel(snapshot_store, DEFAULT).frame
    data = ChartData({"rut": frame["rut"]}, {}, "test")
    for state in (DEFAULT, decode("mode=rebase")):
        breakout = markers(data, "rut", state, RANGE)[0]
        dates = pd.to_datetime(np.frombuffer(base64.b64decode(breakout["x"]["bdata"]), "float64"), unit="ms")
        values = np.frombuffer(base64.b64decode(breakout["y"]["bdata"]), "float32")
        on_2020 = float(values[dates == pd.Timestamp("2020-11-13")][0])
        expected = 1744.04 if state.mode == "raw" else 1744.04 / frame["rut"].loc["2019-01-02"] * 100
        assert on_2020 == pytest.approx(expected, rel=1e-5)


def test_a_clicked_row_zooms_around_its_signal() -> None:
    assert zoom_window("2020-11-13") == (dt.date(2020, 7, 16), dt.date(2021, 12, 18))
    assert zoom_window("not a date") is None
    assert zoom_window(None) is None
    # A forged row at the ends of the calendar: no window, never an OverflowError.
    assert zoom_window("0001-01-01") is None and zoom_window("9999-12-31") is None
