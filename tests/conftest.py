"""Shared fixtures: every test gets its own cache directory and the default (snapshot) source mode; a check that the
system programs the collected tests need are installed; the app's real callback requests for the hardening tests."""

from __future__ import annotations

import copy
import json
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from dash._utils import stringify_id  # the key Dash itself gives a component id
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from data_sources.config import open_cache
from data_sources.store import Store

pytest_plugins = ["pytester"]
FIXTURES = Path(__file__).with_name("fixtures")
CALLBACK_PATH = "/_dash-update-component"
CHROMIUM = Path("/usr/bin/chromium")  # the browser tests and kaleido's exports drive Debian's Chromium


def _needs_chromium(item: pytest.Item) -> bool:
    """Browser tests (marked, or driving a Playwright page) and the PNG exports kaleido renders."""
    uses_page = "page" in getattr(item, "fixturenames", ())
    return bool(item.get_closest_marker("browser")) or uses_page or item.path.name.startswith("test_export")


def _needs_redis(item: pytest.Item) -> bool:
    return "redis_server" in getattr(item, "fixturenames", ())


# The Debian package a test needs, how to tell it is installed, and which tests need it.
SYSTEM_PROGRAMS: dict[str, tuple[Callable[[], bool], Callable[[pytest.Item], bool]]] = {
    "redis-server": (lambda: shutil.which("redis-server") is not None, _needs_redis),
    "chromium": (CHROMIUM.exists, _needs_chromium),
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Stop with one line naming the Debian packages to install, not a cascade of errors, if a needed one is missing."""
    missing = [
        name for name, (installed, needed) in SYSTEM_PROGRAMS.items() if any(map(needed, items)) and not installed()
    ]
    if missing:
        pytest.exit(
            f"these tests need {' and '.join(missing)}: run scripts/test, which installs them, "
            f"or `sudo apt-get install -y {' '.join(missing)}`",
            returncode=pytest.ExitCode.USAGE_ERROR,
        )


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point RISKON_CACHE_DIR at a fresh temporary directory, clear RISKON_CACHE_URL and set RISKON_SOURCE to
    snapshot: the default mode (auto) starts a background refresher, and tests never touch the network."""
    cache_dir = tmp_path_factory.mktemp("riskon-cache")
    monkeypatch.setenv("RISKON_CACHE_DIR", str(cache_dir))
    monkeypatch.setenv("RISKON_SOURCE", "snapshot")
    monkeypatch.delenv("RISKON_CACHE_URL", raising=False)
    return cache_dir


@pytest.fixture(scope="session")
def snapshot_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """A store on the embedded snapshot with its own cache (read-only data, so one per test session)."""
    return Store(open_cache(tmp_path_factory.mktemp("snapshot-cache")))


@pytest.fixture(scope="session")
def app_client(snapshot_store: Store) -> FlaskClient:
    """The whole dashboard on the snapshot, hardened as in production, behind Flask's test client."""
    from app import create_app

    return create_app(snapshot_store).server.test_client()


class Page:
    """What Dash's renderer holds: every component's props from /_dash-layout, updated by callback answers."""

    def __init__(self, layout: Any, *, search: str = "") -> None:
        self.components: dict[str, tuple[Any, str, dict[str, Any]]] = {}  # key -> (id, type, props)
        self._walk(layout)
        for _, kind, props in self.components.values():
            if kind == "Location":  # the renderer fills it from the browser's address bar
                props.update(pathname="/", search=search, href=f"http://127.0.0.1/{search}")

    def props(self, component_id: str) -> dict[str, Any]:
        """The props the page holds for the component `component_id`."""
        return self.components[component_id][2]

    def _walk(self, node: Any) -> None:
        if isinstance(node, list):
            for child in node:
                self._walk(child)
        elif isinstance(node, dict) and isinstance(node.get("props"), dict):
            props = node["props"]
            if "id" in props:
                self.components[stringify_id(props["id"])] = (props["id"], node.get("type", ""), props)
            for value in props.values():
                self._walk(value)

    def _matching(self, wanted: Any, match: dict[str, Any] | None = None) -> list[tuple[Any, dict[str, Any]]]:
        """The components a dependency's id names: one, or every one a pattern id fits (a MATCH key: `match`'s)."""
        if isinstance(wanted, str) and not wanted.startswith("{"):
            found = self.components.get(wanted)
            return [(found[0], found[2])] if found else []
        pattern = json.loads(wanted) if isinstance(wanted, str) else wanted
        fixed = {key: value for key, value in (match or {}).items() if pattern.get(key) == ["MATCH"]}
        return [
            (cid, props)
            for cid, _, props in self.components.values()
            if isinstance(cid, dict)
            and cid.keys() == pattern.keys()
            and all(isinstance(pattern[key], list) or cid[key] == pattern[key] for key in cid)
            and all(cid[key] == value for key, value in fixed.items())
        ]

    def matches(self, spec: dict[str, Any]) -> list[dict[str, Any] | None]:
        """The values a callback's MATCH keys take, one request each (as the renderer posts one per component its
        first MATCH input names); [None] for a callback without MATCH."""
        for dependency in spec["inputs"]:
            pattern = dependency["id"]
            if isinstance(pattern, str) and pattern.startswith("{") and '["MATCH"]' in pattern:
                keys = [key for key, value in json.loads(pattern).items() if value == ["MATCH"]]
                return [{key: cid[key] for key in keys} for cid, _ in self._matching(pattern)]
        return [None]

    def entry(self, dependency: dict[str, Any], *, with_value: bool, match: dict[str, Any] | None = None) -> Any:
        """A dependency as the renderer sends it (value left out when the prop is unset), or None if absent."""
        found = self._matching(dependency["id"], match)
        items = [
            {"id": cid, "property": dependency["property"]}
            | ({"value": props[dependency["property"]]} if with_value and dependency["property"] in props else {})
            for cid, props in found
        ]
        multi = '["ALL"]' in str(dependency["id"]) or '["ALLSMALLER"]' in str(dependency["id"])
        return items if multi else (items[0] if items else None)

    def request(
        self, spec: dict[str, Any], *, triggered: bool, match: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        """The body the renderer posts for `spec` (its first input changed, if `triggered`; its MATCH keys set to
        `match`), or None."""
        inputs = [self.entry(dep, with_value=True, match=match) for dep in spec["inputs"]]
        state = [self.entry(dep, with_value=True, match=match) for dep in spec.get("state", [])]
        output = spec["output"]
        parts = output[2:-2].split("...") if output.startswith("..") else [output]
        outputs = [
            self.entry(dict(zip(("id", "property"), p.rsplit(".", 1), strict=True)), with_value=False, match=match)
            for p in parts
        ]
        if any(entry is None for entry in [*inputs, *state, *outputs]):
            return None
        first = inputs[0] if isinstance(inputs[0], dict) else None
        changed = [f"{stringify_id(first['id'])}.{first['property']}"] if triggered and first else []
        body = {"output": output, "outputs": outputs if len(outputs) > 1 else outputs[0], "inputs": inputs}
        return body | ({"state": state} if state else {}) | {"changedPropIds": changed}

    def apply(self, answer: dict[str, Any]) -> None:
        """Set the props a callback answered with, its outputs and those it set aside (set_props), and any
        components they hold; patches are the renderer's business. Then what a DataTable derives."""
        for key, props in [*answer.get("response", {}).items(), *answer.get("sideUpdate", {}).items()]:
            if key in self.components:
                for prop, value in props.items():
                    if not (isinstance(value, dict) and "__dash_patch_update" in value):
                        self.components[key][2][prop.split("@")[0]] = value
                        self._walk(value)  # components an answer builds (the date picker, the tables)
        for _, kind, props in self.components.values():
            if kind == "DataTable" and props.get("data") and props.get("columns"):
                # What the table derives in the browser, and a click on its first cell.
                props["derived_virtual_data"] = props["data"]
                props["derived_viewport_data"] = props["data"][: props.get("page_size", 250)]
                props["active_cell"] = {"row": 0, "column": 0, "column_id": props["columns"][0]["id"]}


def renderer_requests(client: FlaskClient, search: str = "") -> list[tuple[dict[str, Any], bytes]]:
    """Every server callback's request as the renderer would post it on a page opened at `search`, with its answer.

    Read from the running app's own layout and dependencies: the initial calls, then each callback once more with
    its first input changed, on the page their answers built. Nothing here knows the app's callbacks, so the
    hardening tests follow the app as it changes. Every real request must be answered (200 or 204)."""
    page = Page(client.get("/_dash-layout").get_json(), search=search)
    specs = [spec for spec in client.get("/_dash-dependencies").get_json() if not spec.get("clientside_function")]
    exchanges: dict[str, tuple[dict[str, Any], bytes]] = {}
    for triggered in (False, True, True):
        for spec in specs:
            if not triggered and spec.get("prevent_initial_call"):
                continue
            for match in page.matches(spec):
                body = page.request(spec, triggered=triggered, match=match)
                if body is None:
                    continue
                response = client.post(CALLBACK_PATH, json=body)
                assert response.status_code in (200, 204), (body, response.status_code, response.data[:300])
                if response.status_code == 200:
                    page.apply(response.get_json())
                exchanges[json.dumps(body, sort_keys=True)] = (copy.deepcopy(body), response.data)
    return list(exchanges.values())


@pytest.fixture(scope="session")
def real_payloads(app_client: FlaskClient) -> list[dict[str, Any]]:
    """The real callback requests of the dashboard opened without a query (see `renderer_requests`)."""
    return [body for body, _ in renderer_requests(app_client)]


@pytest.fixture(scope="session")
def renderer() -> Callable[..., list[tuple[dict[str, Any], bytes]]]:
    """`renderer_requests` for tests that open their own app or a page at a query."""
    return renderer_requests


@contextmanager
def served(server: Flask) -> Iterator[str]:
    """`server` on a free port of 127.0.0.1, from a thread, while the block runs; yields its base URL."""
    http = make_server("127.0.0.1", 0, server, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{http.server_port}"
    finally:
        http.shutdown()
        thread.join(5)
