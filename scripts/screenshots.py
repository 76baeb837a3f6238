"""The README's screenshots, fresh from the embedded data: desktop light (default view), desktop dark (IWM on log
axes) and a 390 x 844 phone. Each page is scrolled to its end first, so that the cards computed once they near the
screen (the event study, the upload card) are drawn, then captured when nothing has redrawn for a while.
Run: .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.browser import CHROMIUM_ARGS, DRAWN, INSTRUMENT, settle  # noqa: E402
from benchmarks.callbacks import free_port, start_gunicorn  # noqa: E402

SHOTS = (  # file, query, viewport, device scale, whole page
    ("screenshot.png", "", (1400, 1000), 1, True),
    ("screenshot-dark.png", "?equity=iwm&scale=log&theme=dark", (1400, 1000), 1, True),
    ("screenshot-phone.png", "", (390, 844), 2, False),
)


def capture(page: Page, url: str, path: Path, whole: bool) -> None:
    page.goto(url)
    page.wait_for_function(DRAWN, timeout=120_000)
    settle(page)
    if whole:
        page.locator("#panel-event-study").scroll_into_view_if_needed()  # its graph is built near view
        page.wait_for_function("() => (document.querySelector('.study-chart .js-plotly-plot')?.data || []).length")
        page.locator("#panel-signals").scroll_into_view_if_needed()  # the signal table is built near view
        page.wait_for_function("() => document.querySelector('#panel-signals td')", timeout=60_000)
        settle(page)
        page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=path, full_page=whole)


def main() -> None:
    with tempfile.TemporaryDirectory() as cache_dir, sync_playwright() as playwright:
        port = free_port()
        server = start_gunicorn(port, cache_dir)
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            for name, query, (width, height), scale, whole in SHOTS:
                context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=scale)
                context.add_init_script(INSTRUMENT)
                capture(context.new_page(), f"http://127.0.0.1:{port}/{query}", ROOT / "docs" / name, whole)
                context.close()
                print(f"docs/{name}")
        finally:
            browser.close()
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
