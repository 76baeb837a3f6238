"""The server PNG endpoint: a real PNG from kaleido and Chromium, or a clear 503 when there is no browser."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from app import create_app
from components import export
from data_sources.config import open_cache
from data_sources.store import Store


@pytest.fixture
def client(tmp_path: object) -> Iterator[FlaskClient]:
    export.stop_renderer()
    yield create_app(Store(open_cache(str(tmp_path)))).server.test_client()
    export.stop_renderer()


def test_export_renders_a_png_named_by_panel_and_range(client: FlaskClient) -> None:
    response = client.get("/export/smallcaps.png?range=2020-01-01..2021-01-01&equity=iwm")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.data[:8] == b"\x89PNG\r\n\x1a\n" and len(response.data) > 50_000
    assert 'filename="riskon_smallcaps_2020-01-01_2021-01-01.png"' in response.headers["Content-Disposition"]


def test_unknown_panel_is_a_404_with_the_choices(client: FlaskClient) -> None:
    response = client.get("/export/nope.png")
    assert response.status_code == 404 and b"smallcaps" in response.data


def test_find_browser_honours_browser_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROWSER_PATH", "/usr/bin/chromium")
    assert export.find_browser() == "/usr/bin/chromium"
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    assert export.find_browser() is None


def test_no_browser_is_a_clear_503_not_a_traceback(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    monkeypatch.setenv("PATH", "/nonexistent")
    response = client.get("/export/sentiment.png")
    assert response.status_code == 503
    assert response.data.decode() == export.NO_BROWSER
