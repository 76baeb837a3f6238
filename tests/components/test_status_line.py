"""The status line and drawer read like a product, and the data version moves only when served data changes."""

from __future__ import annotations

import json
from dataclasses import replace

import pandas as pd
from flask.testing import FlaskClient

from components.status_line import data_version, table
from data_sources.status import DataStatus, SeriesStatus, status
from data_sources.store import Store

NOW = pd.Timestamp("2026-11-24 09:00")


def _row(series_id: str, **changes: object) -> SeriesStatus:
    base = SeriesStatus(series_id, "Yahoo Finance", True, False, pd.Timestamp("1987-09-10"), pd.Timestamp("2026-11-21"),
                        NOW, NOW, NOW, None, NOW + pd.Timedelta(hours=4))  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


def test_the_drawer_has_one_row_per_series_with_the_error_in_words() -> None:
    rows = (_row("rut"), _row("btc", error="network unreachable", stale=True))
    drawer = table(DataStatus("auto", "partial", "Partly live", rows, None))
    body = drawer.children[1].children  # type: ignore[index,union-attr]
    assert [tr.children[0].children for tr in body] == ["Russell 2000 (^RUT)", "Bitcoin price"]
    assert body[1].children[5].children == "network unreachable"
    assert body[1].children[0].className == "status-stale" and body[0].children[0].className == "status-ok"


def test_the_data_version_moves_only_when_what_is_served_changes() -> None:
    before = DataStatus("auto", "live", "Live", (_row("rut"),), None)
    assert data_version(before) == data_version(replace(before, line="Live, later"))
    fetched = replace(before, series=(_row("rut", fetched_at=NOW + pd.Timedelta(hours=1)),))
    assert data_version(fetched) != data_version(before)


def test_the_page_carries_the_line_and_the_drawer(app_client: FlaskClient, snapshot_store: Store) -> None:
    layout = json.dumps(app_client.get("/_dash-layout").get_json())
    assert '"id": "status-line"' in layout and '"href": "/claims"' in layout and '"Data status"' in layout
    assert status(snapshot_store).line  # the snapshot store says what it serves
