"""Browser fixtures: Debian's Chromium driven by pytest-playwright against the app served on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from components import ids
from tests.conftest import served, stringify_id

CHROMIUM_ARGS = [
    "--no-sandbox",  # tests run as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    # the network is closed: stop Chromium from calling home
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Use the system Chromium (headless is Playwright's default); never a downloaded browser."""
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}, "accept_downloads": True}


@pytest.fixture(scope="module")
def live_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard on the embedded snapshot, served from a thread on a free port."""
    from app import create_app
    from data_sources.config import open_cache
    from data_sources.store import Store

    with served(create_app(Store(open_cache(tmp_path_factory.mktemp("browser-cache")))).server) as url:
        yield url


@pytest.fixture
def console_errors(page: Page) -> list[str]:
    """Every console error and uncaught page error; tests assert it stays empty."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def eventually(page: Page, probe: Callable[[], object], expected: object, timeout_ms: int = 60_000) -> None:
    """Poll `probe` until it returns `expected` (Playwright's Python API has no expect.poll); the long limit is
    for a loaded machine, a passing test returns as soon as the state is reached."""
    value = probe()
    for _ in range(timeout_ms // 100):
        if value == expected:
            return
        page.wait_for_timeout(100)
        value = probe()
    assert value == expected


def built(kind: str) -> str:
    """The CSS selector of a component the page builds when the analyst comes to it (its id is a pattern id)."""
    return f"[id='{stringify_id(ids.indexed(kind))}']"


# The custom-range picker's start and end boxes, once built.
DATES_START = built(ids.DATES)
DATES_END = DATES_START[:-2] + "-end-date']"


def reach_for_dates(page: Page) -> None:
    """Point at the custom range, as an analyst does before clicking it: the picker replaces what stood in for it."""
    page.hover(f"#{ids.DATES_SHOWN}")
    expect(page.locator(DATES_START)).to_be_visible(timeout=30_000)
