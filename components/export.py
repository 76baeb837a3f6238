"""Server-side PNG export: `/export/<chart>.png?<view query>[&width=&height=]` draws a chart with kaleido.

Rendering never runs on the request workers' CPU and never piles up: one Chromium per process with a few tabs
(`RISKON_EXPORT_SLOTS`, default 2) renders on its own event-loop thread; a request beyond that many in flight gets
503 with Retry-After. A Chromium that died (killed, out of memory) is restarted by the render that finds it gone,
which then draws once more; a render that still fails is a short 500 logged once with its traceback (503 with
Retry-After when the browser is the cause). Each PNG is cached in the store's cache (shared by workers) under a
digest of the figure drawn (data, view, credits) and its size, and the image carries the view's share link beside
its title, source and as-of dates.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import copy
import datetime as dt
import gc
import hashlib
import logging
import os
import shutil
import threading
from typing import TYPE_CHECKING

import kaleido
import kaleido.errors
import orjson
from choreographer.channels import ChannelClosedError
from flask import Flask, Response, current_app, has_request_context, request

from components.callbacks import chart_figures
from components.charts import BY_KEY, export_name
from components.figures import Figure
from components.url_state import ViewState, decode, encode

if TYPE_CHECKING:
    from data_sources.store import Store

log = logging.getLogger("riskon.export")
WIDTH, HEIGHT, SCALE = 1100, 480, 2
# Every chart keeps fixed pixel margins (title 64 px, credit lines and share link 88-116 px, legend rows under the
# title) and plotly.js keeps a 64-px plot beside them, else kaleido fails with "Error 525: Something went wrong with
# axis scaling": 200 x 200 is too small for most charts; 300 leaves every chart room for its legend and credit lines
# at any width (tests/components/test_export.py draws each one at the corners of these bounds).
MIN_SIDE, MAX_SIDE = 300, 2400
NO_BROWSER = (
    "PNG export needs Chromium: install it (Debian: apt-get install chromium) or point BROWSER_PATH at a "
    "Chrome/Chromium binary."
)
BUSY = "the PNG renderer is busy; retry in a few seconds"
UNAVAILABLE = "the PNG renderer's browser is restarting; retry in a few seconds"
FAILED = "the PNG export failed on the server; the error is in its log"
RETRY_AFTER_SECONDS = 5
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")
RENDER_TIMEOUT_SECONDS = 30
CACHE_SECONDS = 24 * 3600
EXTENSION = "riskon_png"


class NoBrowserError(RuntimeError):
    """No Chrome or Chromium to render with."""


class BusyError(RuntimeError):
    """Every render slot is taken."""


class UnavailableError(RuntimeError):
    """Chromium is installed but did not start or answer: a passing state (503 with Retry-After), not a missing one."""


class BrowserLostError(UnavailableError):
    """The Chromium `browser` died or closed under a render; restarting it lets the render run again."""

    def __init__(self, browser: kaleido.Kaleido) -> None:
        super().__init__(UNAVAILABLE)
        self.browser = browser


# What kaleido and choreographer raise once the browser's process or pipe is gone.
LOST = (ChannelClosedError, kaleido.errors.BrowserClosedError, kaleido.errors.BrowserFailedError)


def one_line(exc: BaseException) -> str:
    """'KaleidoError: Error 525: ...': an exception's type and first line, for a log line that stays one line."""
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")


def find_browser() -> str | None:
    """The browser kaleido would use: $BROWSER_PATH if it is executable, else a Chromium on PATH."""
    configured = os.environ.get("BROWSER_PATH")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return next(filter(None, map(shutil.which, BROWSER_NAMES)), None)


class Renderer:
    """One kaleido Chromium with `slots` tabs on its own event-loop thread, started on first use (or by `warm`).
    At most `slots` renders are in flight; one more is refused at once (BusyError) instead of queued."""

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self._free = threading.BoundedSemaphore(slots)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._kaleido: kaleido.Kaleido | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None

    def _start(self) -> None:
        with self._lock:
            if self._kaleido is not None:
                return
            if find_browser() is None:  # kaleido would wait for a browser that never starts rather than fail
                raise NoBrowserError(NO_BROWSER)
            started: concurrent.futures.Future[None] = concurrent.futures.Future()
            self._thread = threading.Thread(target=self._run, args=(started,), name="riskon-png", daemon=True)
            self._thread.start()
            try:
                started.result(timeout=RENDER_TIMEOUT_SECONDS)
            except Exception as exc:
                raise UnavailableError(UNAVAILABLE) from exc

    def _run(self, started: concurrent.futures.Future[None]) -> None:
        async def serve() -> None:
            browser = None
            try:
                browser = kaleido.Kaleido(n=self.slots, timeout=RENDER_TIMEOUT_SECONDS, mathjax=False)
                await browser.open()
            except BaseException as exc:
                if browser is not None:  # a half-open Chromium is closed here, not left to the garbage collector
                    with contextlib.suppress(Exception):
                        await browser.close()
                started.set_exception(exc)
                return
            self._loop, self._kaleido, self._stop = asyncio.get_running_loop(), browser, asyncio.Event()
            started.set_result(None)
            await self._stop.wait()
            await browser.close()

        asyncio.run(serve())

    def render(self, figure: Figure, *, width: int, height: int, scale: int = SCALE) -> bytes:
        """PNG bytes of `figure`; BusyError when every slot is taken, NoBrowserError without a browser,
        UnavailableError when Chromium cannot be started or dies again after a restart."""
        if not self._free.acquire(blocking=False):
            raise BusyError(BUSY)
        opts = {"width": width, "height": height, "scale": scale, "format": "png"}
        try:
            try:
                return self._draw(figure, opts)
            except BrowserLostError as lost:  # once: a browser that dies again is a 503, not a restart loop
                log.warning(
                    "riskon: the PNG renderer's Chromium was gone (%s); restarting it", one_line(lost.__cause__ or lost)
                )
                self._restart(lost.browser)
                return self._draw(figure, opts)
        finally:
            self._free.release()

    def _draw(self, figure: Figure, opts: dict[str, object]) -> bytes:
        """One render on the running Chromium; BrowserLostError if that Chromium turns out dead or closed."""
        self._start()
        loop, browser = self._loop, self._kaleido
        if loop is None or browser is None:  # stopped by another thread since
            raise UnavailableError(UNAVAILABLE)
        job = asyncio.run_coroutine_threadsafe(browser.calc_fig(figure, opts=opts), loop)
        try:
            return job.result(timeout=RENDER_TIMEOUT_SECONDS)  # type: ignore[no-any-return]
        except Exception as exc:
            job.cancel()  # a render waiting for a tab of a dead browser would wait forever
            if isinstance(exc, LOST) or browser.subprocess.poll() is not None:
                raise BrowserLostError(browser) from exc
            raise

    def _restart(self, browser: kaleido.Kaleido) -> None:
        """Replace the dead `browser` with a new Chromium, unless a concurrent render has already replaced it."""
        with self._lock:
            if self._kaleido is browser:
                self._shutdown()
        gc.collect()  # see stop()
        self._start()

    def warm(self) -> None:
        """Start Chromium and load plotly.js in its tabs now, so that the first export is as fast as later ones."""
        tiny: Figure = {"data": [{"type": "scatter", "y": [1, 2]}], "layout": {}}
        for _ in range(self.slots):
            self.render(tiny, width=MIN_SIDE, height=MIN_SIDE, scale=1)

    def stop(self) -> None:
        """Close Chromium; the next render starts a new one."""
        with self._lock:
            self._shutdown()
        # The closed Chromium's objects sit in reference cycles with their event loop. Their finalizers (choreographer
        # removes its profile directory and logs) run here, not at some later collection: one that lands inside an
        # ast.parse (werkzeug compiles every new route so) fails it with CPython 3.11's "AST constructor recursion
        # depth mismatch", as two fresh-clone test runs did right after stop_renderer().
        gc.collect()

    def _shutdown(self) -> None:
        """Close Chromium and end its thread (the caller holds the lock)."""
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(RENDER_TIMEOUT_SECONDS)
        self._loop = self._kaleido = self._stop = self._thread = None


_renderer = Renderer(int(os.environ.get("RISKON_EXPORT_SLOTS", "2")))


def warm() -> None:
    """Warm the process's renderer in the background (a server calls it at start); a failure is logged once."""

    def run() -> None:
        try:
            _renderer.warm()
        except Exception as exc:
            log.warning("riskon: the PNG renderer did not start: %s", one_line(exc.__cause__ or exc))

    threading.Thread(target=run, name="riskon-png-warm", daemon=True).start()


def stop_renderer() -> None:
    """Stop the Chromium behind the exports (tests use it to start from a clean slate)."""
    _renderer.stop()


def share_link(view: ViewState) -> str:
    """The address of `view`: the requested host's root (or $RISKON_PUBLIC_URL) with the view's query."""
    root = os.environ.get("RISKON_PUBLIC_URL") or (request.url_root if has_request_context() else "")
    return root.rstrip("/") + "/" + encode(view)


def with_link(figure: Figure, link: str) -> Figure:
    """A copy of `figure` whose credit corner also carries `link`, so a PNG posted anywhere leads back here."""
    layout = copy.deepcopy(figure["layout"])
    layout["annotations"] = [
        *layout.get("annotations", []),
        {
            "text": link,
            "xref": "paper",
            "yref": "paper",
            "x": 1,
            "y": -0.11,
            "xanchor": "right",
            "yanchor": "top",
            "showarrow": False,
            "font": {"size": 10},
        },
    ]
    return {**figure, "layout": layout}


def _size(value: str | None, default: int) -> int:
    """A requested side in pixels, clamped to what a chart can be drawn at; anything malformed is the default."""
    try:
        return min(max(int(value or default), MIN_SIDE), MAX_SIDE)
    except ValueError:
        return default


class PngExport:
    """PNGs of the dashboard's charts, cached in the store's cache by chart, view, size and data version."""

    def __init__(self, store: Store, renderer: Renderer = _renderer) -> None:
        self.store = store
        self.renderer = renderer

    def render(
        self, chart_key: str, view: ViewState, width: int = WIDTH, height: int = HEIGHT
    ) -> tuple[bytes, tuple[dt.date, dt.date]]:
        """The chart `chart_key` of `view` at `width` x `height` CSS pixels (scale 2), and the dates it shows.
        Cached by the figure itself (its data, title, credit and as-of line) with the link and size: new data or
        another view is another PNG."""
        figures, x_range = chart_figures(self.store, view)
        link = share_link(view.with_range(*x_range))  # a preset's range moves with the data: the link names dates
        figure = with_link(figures[chart_key], link)
        digest = hashlib.sha256(orjson.dumps([figure, width, height], option=orjson.OPT_SERIALIZE_NUMPY)).hexdigest()
        key = f"png:{digest}"
        cached = self.store.cache.get(key)
        if isinstance(cached, bytes):
            return cached, x_range
        image = self.renderer.render(figure, width=width, height=height)
        self.store.cache.set(key, image, expire=CACHE_SECONDS)
        return image, x_range


def render_png(chart_key: str, view: ViewState, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """PNG of one chart of `view` (cached) from the running app's exporter, e.g. a 1200 x 630 link preview.
    Raises BusyError, NoBrowserError, UnavailableError or the render's own error as the export route sees them;
    call it while handling a request."""
    exporter: PngExport = current_app.extensions[EXTENSION]
    return exporter.render(chart_key, view, width, height)[0]


def register(server: Flask, store: Store) -> None:
    """Add the export route to the Flask server."""
    server.extensions[EXTENSION] = PngExport(store)

    @server.get("/export/<panel>.png")
    def export_png(panel: str) -> Response:
        if panel not in BY_KEY:
            return Response(f"unknown panel {panel!r}; choose one of {', '.join(BY_KEY)}", 404, mimetype="text/plain")
        view = decode(request.query_string.decode("utf-8", errors="replace"))
        width, height = _size(request.args.get("width"), WIDTH), _size(request.args.get("height"), HEIGHT)
        try:
            image, x_range = server.extensions[EXTENSION].render(panel, view, width, height)
        except BusyError:
            return Response(BUSY, 503, mimetype="text/plain", headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
        except NoBrowserError:
            log.warning("riskon: PNG export failed: %s", NO_BROWSER)
            return Response(NO_BROWSER, 503, mimetype="text/plain")
        except UnavailableError as exc:
            log.warning("riskon: PNG export of %s failed: %s", panel, one_line(exc.__cause__ or exc))
            return Response(UNAVAILABLE, 503, mimetype="text/plain", headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
        except Exception:  # a server bug (a figure kaleido cannot draw...): logged once with its traceback
            log.exception("riskon: PNG export of %s at %dx%d failed", panel, width, height)
            return Response(FAILED, 500, mimetype="text/plain")
        return Response(
            image,
            mimetype="image/png",
            headers={
                "Content-Disposition": f'inline; filename="{export_name(panel, x_range, "png")}"',
                "Cache-Control": "public, max-age=300",
            },
        )
