"""The server PNG export: real PNGs from kaleido and Chromium, sized on request, cached by view and data version,
carrying the view's share link; a clear 503 when there is no browser or every render slot is taken."""

from __future__ import annotations

import struct
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from components import export
from components.url_state import decode
from data_sources.config import open_cache
from data_sources.store import Store


@pytest.fixture
def server(tmp_path: object) -> Iterator[Flask]:
    export.stop_renderer()
    yield create_app(Store(open_cache(str(tmp_path)))).server
    export.stop_renderer()


@pytest.fixture
def client(server: Flask) -> FlaskClient:
    return server.test_client()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_export_renders_a_png_named_by_panel_and_range(client: FlaskClient) -> None:
    response = client.get("/export/smallcaps.png?range=2020-01-01..2021-01-01&equity=iwm")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert png_size(response.data) == (2200, 960) and len(response.data) > 50_000
    assert 'filename="riskon_smallcaps_2020-01-01_2021-01-01.png"' in response.headers["Content-Disposition"]


def test_width_and_height_size_the_image_and_bad_sizes_fall_back(client: FlaskClient) -> None:
    preview = client.get("/export/altcoins.png?preset=1y&width=1200&height=630")
    assert png_size(preview.data) == (2400, 1260)  # an og:image at scale 2
    malformed = client.get("/export/altcoins.png?preset=1y&width=wide&height=-5")
    assert png_size(malformed.data) == (2200, 400)  # default width; height clamped to the smallest side


def test_a_png_is_cached_by_view_and_served_without_a_browser(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = client.get("/export/sentiment.png?range=2022-01-01..2022-06-30")
    assert first.status_code == 200
    export.stop_renderer()
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    again = client.get("/export/sentiment.png?range=2022-01-01..2022-06-30")
    assert again.status_code == 200 and again.data == first.data
    other_view = client.get("/export/sentiment.png?range=2022-01-01..2022-07-31")
    assert other_view.status_code == 503  # not cached: it needs the browser


class RecordingRenderer(export.Renderer):
    """The real renderer, keeping the figures it was asked to draw."""

    def __init__(self, slots: int) -> None:
        super().__init__(slots)
        self.figures: list[dict[str, Any]] = []

    def render(self, figure: dict[str, Any], *, width: int, height: int, scale: int = export.SCALE) -> bytes:
        self.figures.append(figure)
        return super().render(figure, width=width, height=height, scale=scale)


def test_the_image_carries_the_share_link_title_source_and_as_of(
    server: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RISKON_PUBLIC_URL", "https://riskon.example")
    renderer = RecordingRenderer(1)
    exporter = export.PngExport(server.extensions[export.EXTENSION].store, renderer)
    try:
        with server.test_request_context("/export/smallcaps.png"):
            image, x_range = exporter.render("smallcaps", decode("?preset=1y&equity=iwm"), 1200, 630)
    finally:
        renderer.stop()
    assert png_size(image) == (2400, 1260)
    texts = [note["text"] for note in renderer.figures[0]["layout"]["annotations"]]
    # A preset's dates move with the data: the link names the range the image shows.
    assert f"https://riskon.example/?range={x_range[0]}..{x_range[1]}&preset=1y&equity=iwm" in texts
    assert any("Source: snapshot" in text and "Data as of:" in text for text in texts)
    assert "IWM" in renderer.figures[0]["layout"]["title"]["text"]


def test_renders_beyond_the_slots_get_503_with_retry_after(server: Flask) -> None:
    exporter = server.extensions[export.EXTENSION]
    exporter.renderer = export.Renderer(1)
    barrier = threading.Barrier(4)
    answers: list[tuple[int, str | None]] = []

    def ask(month: int) -> None:
        client = server.test_client()
        barrier.wait()
        response = client.get(f"/export/smallcaps.png?range=2021-{month:02d}-01..2021-12-31")
        answers.append((response.status_code, response.headers.get("Retry-After")))

    threads = [threading.Thread(target=ask, args=(month,)) for month in range(1, 5)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        exporter.renderer.stop()
    assert (200, None) in answers and (503, str(export.RETRY_AFTER_SECONDS)) in answers
    assert {status for status, _ in answers} <= {200, 503}


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
