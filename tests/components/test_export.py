"""The server PNG export: real PNGs from kaleido and Chromium, sized on request, cached by view and data version,
carrying the view's share link; a clear 503 when there is no browser or every render slot is taken."""

from __future__ import annotations

import logging
import os
import signal
import struct
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from components import export
from components.charts import BY_KEY
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
    assert png_size(malformed.data) == (2200, 2 * export.MIN_SIDE)  # default width; height clamped to the smallest


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


# Every option that adds a legend entry or a credit line: the most a chart's margins have to hold.
BUSIEST_VIEW = "preset=max&equity=iwm&alt=total3&mode=rebase&liquidity=change&stables=usdt,usdc,majors,all"


@pytest.mark.parametrize("view", ["", BUSIEST_VIEW])
def test_every_chart_draws_at_the_corners_of_the_size_bounds(client: FlaskClient, view: str) -> None:
    low, high = export.MIN_SIDE, export.MAX_SIDE
    failures = []
    for panel in BY_KEY:
        for width, height in [(low, low), (low, high), (high, low)]:
            response = client.get(f"/export/{panel}.png?{view}&width={width}&height={height}")
            if response.status_code != 200 or png_size(response.data) != (2 * width, 2 * height):
                failures.append((panel, width, height, response.status_code, response.data[:80]))
    assert failures == []


class SqueezingRenderer(export.Renderer):
    """The real renderer, drawing at 200 px high, where the margins and legend leave the plot no room: kaleido's own
    error (Error 525: Something went wrong with axis scaling)."""

    def render(self, figure: dict[str, Any], *, width: int, height: int, scale: int = export.SCALE) -> bytes:
        return super().render(figure, width=width, height=200, scale=scale)


def test_a_figure_kaleido_cannot_draw_is_a_short_500_logged_once(
    server: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    exporter = server.extensions[export.EXTENSION]
    exporter.renderer = SqueezingRenderer(1)
    try:
        with caplog.at_level(logging.WARNING, logger="riskon.export"):
            response = server.test_client().get("/export/sentiment.png?width=600&height=300")
    finally:
        exporter.renderer.stop()
    assert response.status_code == 500 and response.data.decode() == export.FAILED
    records = [record for record in caplog.records if record.name == "riskon.export"]
    assert len(records) == 1 and records[0].levelno == logging.ERROR  # a server bug: with its traceback
    assert records[0].exc_info is not None and "Error 525" in str(records[0].exc_info[1])


def kill_chromium(renderer: export.Renderer) -> Any:
    """SIGKILL the Chromium under `renderer` (a child of choreographer's wrapper process, the renderer's
    subprocess), as the OOM killer would; the wrapper, which exits once its Chromium has, is returned."""
    assert renderer._kaleido is not None
    wrapper = renderer._kaleido.subprocess
    with open(f"/proc/{wrapper.pid}/task/{wrapper.pid}/children") as children:
        (chromium,) = map(int, children.read().split())
    os.kill(chromium, signal.SIGKILL)
    return wrapper


@pytest.mark.parametrize("noticed", [False, True], ids=["at-once", "after-exit"])
def test_a_killed_chromium_is_restarted_by_the_next_export(server: Flask, noticed: bool) -> None:
    client = server.test_client()
    assert client.get("/export/smallcaps.png?width=600&height=300").status_code == 200
    renderer = server.extensions[export.EXTENSION].renderer
    wrapper = kill_chromium(renderer)
    if noticed:  # choreographer's watchdog has seen the wrapper exit and closed the browser
        wrapper.wait(timeout=30)
    for width in (601, 602):  # not cached: each needs the browser
        response = client.get(f"/export/smallcaps.png?width={width}&height=300")
        assert response.status_code == 200 and png_size(response.data) == (2 * width, 600)
    assert renderer._kaleido is not None and renderer._kaleido.subprocess is not wrapper


class DyingRenderer(export.Renderer):
    """A renderer whose Chromium is killed before every render: it dies again after the restart."""

    def _draw(self, figure: dict[str, Any], opts: dict[str, object]) -> bytes:
        self._start()
        kill_chromium(self).wait(timeout=30)
        return super()._draw(figure, opts)


def test_a_chromium_that_dies_again_is_a_503_with_retry_after_not_install_advice(server: Flask) -> None:
    exporter = server.extensions[export.EXTENSION]
    exporter.renderer = DyingRenderer(1)
    try:
        response = server.test_client().get("/export/smallcaps.png?width=600&height=300")
    finally:
        exporter.renderer.stop()
    assert response.status_code == 503 and response.headers["Retry-After"] == str(export.RETRY_AFTER_SECONDS)
    assert response.data.decode() == export.UNAVAILABLE and "install" not in response.data.decode()
