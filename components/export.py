"""Server-side PNG export: `/export/<panel>.png?<view query>` renders the panel with kaleido and the system Chromium."""

from __future__ import annotations

import logging
import os
import shutil
import threading
from typing import TYPE_CHECKING

import kaleido
from flask import Flask, Response, request

from components.callbacks import chart_figures
from components.charts import BY_KEY, export_name
from components.figures import Figure
from components.url_state import ViewState, decode

if TYPE_CHECKING:
    from data_sources.store import Store

log = logging.getLogger("riskon.export")
PNG_SIZE = {"width": 1100, "height": 480, "scale": 2}
NO_BROWSER = (
    "PNG export needs Chromium: install it (Debian: apt-get install chromium) or point BROWSER_PATH at a "
    "Chrome/Chromium binary."
)

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")
RENDER_TIMEOUT_SECONDS = 30

_lock = threading.Lock()
_renderer_started = False
_stores: list[Store] = []  # the store `register` was given; render_png draws from it


class NoBrowserError(RuntimeError):
    """No Chrome or Chromium to render with."""


def find_browser() -> str | None:
    """The browser kaleido would use: $BROWSER_PATH if it is executable, else a Chromium on PATH."""
    configured = os.environ.get("BROWSER_PATH")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return next(filter(None, map(shutil.which, BROWSER_NAMES)), None)


def render_png(chart_key: str, view: ViewState, width: int, height: int) -> bytes:
    """Chart `chart_key` of `view` drawn at width x height CSS pixels, at scale 2 (interim: the browser helper's
    pooled, cached version replaces this body)."""
    figure = chart_figures(_stores[-1], view)[0][chart_key]
    return render_figure(figure, {"width": width, "height": height, "scale": 2})


def render_figure(figure: Figure, opts: dict[str, int] = PNG_SIZE) -> bytes:
    """PNG bytes of a figure; the first call starts one long-lived Chromium (later calls take about 0.3 s)."""
    global _renderer_started
    with _lock:
        if not _renderer_started:
            # Checked first: kaleido waits for a browser that never starts rather than failing.
            if find_browser() is None:
                raise NoBrowserError(NO_BROWSER)
            kaleido.start_sync_server(n=1, mathjax=False, timeout=RENDER_TIMEOUT_SECONDS, silence_warnings=True)
            _renderer_started = True
        return kaleido.calc_fig_sync(figure, opts=dict(opts))  # type: ignore[no-any-return]


def stop_renderer() -> None:
    """Stop the Chromium behind render_png (tests use it to start from a clean slate)."""
    global _renderer_started
    with _lock:
        if _renderer_started:
            kaleido.stop_sync_server(silence_warnings=True)
            _renderer_started = False


def register(server: Flask, store: Store) -> None:
    """Add the export route to the Flask server."""
    _stores.append(store)

    @server.get("/export/<panel>.png")
    def export_png(panel: str) -> Response:
        if panel not in BY_KEY:
            return Response(f"unknown panel {panel!r}; choose one of {', '.join(BY_KEY)}", 404, mimetype="text/plain")
        state = decode(request.query_string.decode("utf-8", errors="replace"))
        figures, x_range = chart_figures(store, state)
        figure = figures[panel]
        try:
            image = render_figure(figure)
        except RuntimeError as exc:  # kaleido/choreographer report a missing or broken browser this way
            log.warning("riskon: PNG export failed: %s", str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            stop_renderer()
            return Response(NO_BROWSER, 503, mimetype="text/plain")
        name = export_name(panel, x_range, "png")
        return Response(image, mimetype="image/png", headers={"Content-Disposition": f'inline; filename="{name}"'})
