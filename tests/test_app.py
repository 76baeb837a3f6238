"""The app module: one server per process, a secret key that several workers share."""

from __future__ import annotations

import concurrent.futures
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

import app
from components import layout
from data_sources.store import Store

ROOT = Path(__file__).resolve().parents[1]


def test_server_is_built_once_per_process() -> None:
    assert app.server is app.server


def test_several_gunicorn_workers_need_a_shared_secret_key(tmp_path: Path) -> None:
    env = {name: value for name, value in os.environ.items() if name != "RISKON_SECRET_KEY"}
    env |= {"RISKON_SOURCE": "snapshot", "RISKON_CACHE_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", "127.0.0.1:0", "app:server"]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "2 workers need one shared RISKON_SECRET_KEY" in result.stderr


def test_one_process_signs_with_a_random_key_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RISKON_SECRET_KEY", raising=False)
    first, second = (app.create_app().server.secret_key for _ in range(2))
    assert first != second and len(str(first)) >= 64
    monkeypatch.setenv("RISKON_SECRET_KEY", "shared")
    assert app.create_app().server.secret_key == "shared"


def test_a_page_asked_for_as_the_app_starts_gets_every_bundle(
    snapshot_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """plotly/dash#3971: Dash set itself up in its first request (building the page on the way) and the threads
    serving requests meanwhile found no script registered (404): a page opened as a worker started never drew.
    Here the first request's page is held mid-build while the page's bundles are asked for."""
    building, release = threading.Event(), threading.Event()
    page_for_referrer = layout.page_for_referrer

    def held(*args: Any) -> Any:
        building.set()
        release.wait(60)
        return page_for_referrer(*args)

    pages = app.create_app(snapshot_store).server.test_client().get("/").get_data(True)
    bundles = re.findall(r'src="(/_dash-component-suites/[^"]+)"', pages)
    assert len(bundles) >= 5
    fresh = app.create_app(snapshot_store).server  # never asked for anything yet
    monkeypatch.setattr(layout, "page_for_referrer", held)
    with concurrent.futures.ThreadPoolExecutor(1) as first:
        asked = first.submit(fresh.test_client().get, "/_dash-layout", headers={"Referer": "http://x/?preset=max"})
        assert building.wait(60)
        statuses = {bundle: fresh.test_client().get(bundle).status_code for bundle in bundles}
        release.set()
        assert asked.result().status_code == 200
    assert set(statuses.values()) == {200}, statuses
