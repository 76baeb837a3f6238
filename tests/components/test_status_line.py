"""The status line and drawer read like a product, and the data version moves only when served data changes."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from dash import Dash, dcc, html
from flask.testing import FlaskClient

from components import ids, status_line
from components.status_line import SETTLE, data_version, table
from data_sources import snapshot
from data_sources.config import ENV_STATUS_SECONDS, open_cache
from data_sources.series import SERIES
from data_sources.status import DataStatus, SeriesStatus, status
from data_sources.store import CachedCopy, Store, copy_key
from tests.conftest import CALLBACK_PATH, Page

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


def _status_page(store: Store) -> tuple[FlaskClient, Page, dict[str, Any]]:
    """The status line's elements and callback alone, the page as the renderer holds it, and the callback's spec."""
    app = Dash(__name__)
    app.layout = html.Div([*status_line.elements(), dcc.Store(id=ids.RENDERED)])
    status_line.register(app, store)
    client = app.server.test_client()
    page = Page(client.get("/_dash-layout").get_json())
    (spec,) = client.get("/_dash-dependencies").get_json()
    return client, page, spec


def _tick(client: FlaskClient, page: Page, spec: dict[str, Any], ticks: int) -> dict[str, Any]:
    """What the callback answers at tick `ticks` (0: the call on load), applied to the page."""
    page.components[ids.STATUS_TICK][2]["n_intervals"] = ticks
    answer = client.post(CALLBACK_PATH, json=page.request(spec, triggered=ticks > 0)).get_json()
    page.apply(answer)
    return {**answer["response"], **answer.get("sideUpdate", {})}


def test_one_read_fills_the_line_and_moves_the_data_version_only_on_a_tick_after_new_data(tmp_path: Path) -> None:
    store = Store(open_cache(tmp_path / "cache"), mode="auto")
    client, page, spec = _status_page(store)
    on_load = _tick(client, page, spec, 0)
    assert on_load[ids.STATUS_TEXT]["children"].startswith("Starting · embedded data")
    assert ids.DATA_VERSION not in on_load  # the charts are drawn from this data already: no second draw
    assert ids.STATUS_TABLE not in on_load  # the drawer is closed
    page.components[ids.STATUS_SUMMARY][2]["n_clicks"] = 1  # opened: its table is filled
    rows = json.dumps(client.post(CALLBACK_PATH, json=page.request(spec, triggered=True)).get_json())
    assert rows.count('"type": "Tr"') == len(SERIES) + 1
    page.components[ids.STATUS_SUMMARY][2]["n_clicks"] = 2  # closed again
    assert ids.DATA_VERSION not in _tick(client, page, spec, 1)  # nor while they are being drawn
    page.components[ids.RENDERED][2]["data"] = {"smallcaps": "token"}  # what the view callback writes once drawn
    first = _tick(client, page, spec, 2)[ids.DATA_VERSION]["data"]  # the page's first sight of a version
    assert first == data_version(status(store))
    assert ids.DATA_VERSION not in _tick(client, page, spec, 3)  # nothing changed
    btc = snapshot.load("btc").rename("btc")
    store.cache.set(copy_key("btc"), CachedCopy(btc, "Yahoo Finance", store.now(), 3600))
    landing = _tick(client, page, spec, 4)
    assert landing[ids.STATUS_TEXT]["children"].startswith("Partly live · 1 of ")  # the line says so at once ...
    assert ids.DATA_VERSION not in landing  # ... the charts are told once every worker's caches serve it
    store.cache.set(copy_key("btc"), CachedCopy(btc, "Yahoo Finance", store.now() - SETTLE, 3600))
    landed = _tick(client, page, spec, 5)
    assert landed[ids.DATA_VERSION]["data"] not in (None, first)
    assert landed[ids.STATUS_TEXT]["children"].startswith("Partly live · 1 of ")
    assert landed[ids.STATUS_LINE]["className"] == "status-line status-stale"


def test_the_tick_follows_the_environment_and_refuses_a_bad_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_STATUS_SECONDS, "1.5")
    (tick,) = [element for element in status_line.elements() if getattr(element, "id", None) == ids.STATUS_TICK]
    assert tick.interval == 1500
    monkeypatch.delenv(ENV_STATUS_SECONDS)
    (tick,) = [element for element in status_line.elements() if getattr(element, "id", None) == ids.STATUS_TICK]
    assert tick.interval == 30_000
    for bad in ("0", "-5", "soon", "inf", "nan"):
        monkeypatch.setenv(ENV_STATUS_SECONDS, bad)
        with pytest.raises(ValueError, match=f"{ENV_STATUS_SECONDS}='{bad}' is not a positive number of seconds"):
            status_line.elements()
