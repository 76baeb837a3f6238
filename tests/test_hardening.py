"""Issue 8: malformed requests are 4xx with a reason and one log line, server bugs a bare 500 with the traceback in
the log; size cap; unknown asset paths; security headers; health; no leaked keys; one log format everywhere."""

from __future__ import annotations

import copy
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from flask.testing import FlaskClient

from app import create_app
from benchmarks.dash_client import callback_body, writes
from components import ids
from components.security import MAX_JSON_DEPTH, MAX_PATTERN_ENTRIES, MAX_REQUEST_BYTES, json_depth
from data_sources.config import open_cache
from data_sources.series import SERIES
from data_sources.store import Store

CALLBACK_PATH = "/_dash-update-component"
ROOT = Path(__file__).parents[1]
# riskon's one log line: time, level, pid, logger name, message.
LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) \[(\d+)\] ([\w.]+): (.*)$"
)
Renderer = Callable[..., list[tuple[dict[str, Any], bytes]]]


def _multi_input(payloads: list[dict[str, Any]]) -> dict[str, Any]:
    """A real request with several inputs, several outputs and state (the URL <-> controls sync today)."""
    return copy.deepcopy(
        max(
            payloads,
            key=lambda body: (len(body["inputs"]), len(body.get("state", [])), isinstance(body["outputs"], list)),
        )
    )


def _with(body: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**body, **changes}


def _without(body: dict[str, Any], key: str) -> dict[str, Any]:
    return {name: value for name, value in body.items() if name != key}


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# Each of issue 8's malformed shapes (the fuzz found them as 500s with a traceback each): a real request changed one
# way, and a word the 400's reason must contain.
MALFORMED: dict[str, tuple[Callable[[dict[str, Any]], Any], str]] = {
    "extra input": (lambda b: _with(b, inputs=[*b["inputs"], b["inputs"][0]]), "inputs"),
    "missing input": (lambda b: _with(b, inputs=b["inputs"][:-1]), "inputs"),
    "empty inputs": (lambda b: _with(b, inputs=[]), "inputs"),
    "no inputs": (lambda b: _without(b, "inputs"), "inputs"),
    "inputs not a list": (lambda b: _with(b, inputs="url"), "inputs"),
    "input of another component": (
        lambda b: _with(b, inputs=[{**b["inputs"][0], "id": "nope"}, *b["inputs"][1:]]),
        "inputs",
    ),
    "extra state": (lambda b: _with(b, state=[*b["state"], b["state"][0]]), "state"),
    "missing outputs": (lambda b: _without(b, "outputs"), "outputs"),
    "empty outputs": (lambda b: _with(b, outputs=[]), "outputs"),
    "extra output": (lambda b: _with(b, outputs=[*b["outputs"], b["outputs"][0]]), "outputs"),
    "output spec of another callback": (
        lambda b: _with(b, outputs=[{**b["outputs"][0], "property": "style"}, *b["outputs"][1:]]),
        "outputs",
    ),
    "unknown output": (lambda b: _with(b, output="nope.children"), "output"),
    "output not a string": (lambda b: _with(b, output=["nope"]), "output"),
    "changed prop that is not an input": (lambda b: _with(b, changedPropIds=["nope.value"]), "changedPropIds"),
    "changedPropIds not a list": (lambda b: _with(b, changedPropIds="url.search"), "changedPropIds"),
    "an array, not an object": (lambda b: [b], "object"),
    "JSON nested beyond the limit": (
        lambda b: _with(b, state=[{**b["state"][0], "value": json.loads(_nested(40))}]),
        "nested",
    ),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_callback_request_is_a_400_with_its_reason_and_one_log_line(
    app_client: FlaskClient, real_payloads: list[dict[str, Any]], caplog: pytest.LogCaptureFixture, case: str
) -> None:
    mutate, reason = MALFORMED[case]
    caplog.set_level(logging.INFO)
    response = app_client.post(CALLBACK_PATH, json=mutate(_multi_input(real_payloads)))
    assert response.status_code == 400 and reason in response.get_data(as_text=True)
    assert [record.levelname for record in caplog.records if record.name.startswith("riskon")] == ["WARNING"]
    assert not any(record.exc_info for record in caplog.records)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (_nested(1000), "nested"),  # past Python's recursion limit: a RecursionError inside Dash before
        (_nested(200_000), "nested"),
        ("{not json", "JSON"),
        ("", "JSON"),
    ],
    ids=["1000 deep", "200000 deep", "not JSON", "empty"],
)
def test_bodies_that_are_not_a_request_are_a_400(
    app_client: FlaskClient, caplog: pytest.LogCaptureFixture, body: str, reason: str
) -> None:
    caplog.set_level(logging.INFO)
    response = app_client.post(CALLBACK_PATH, data=body, content_type="application/json")
    assert response.status_code == 400 and reason in response.get_data(as_text=True)
    assert len([record for record in caplog.records if record.name.startswith("riskon")]) == 1


def test_a_request_for_a_browser_callback_or_more_components_than_a_page_holds_is_a_400(
    app_client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    # Found by QA: a clientside callback named by a request was a 500 with a traceback (it has no server function),
    # and an ALL output listing 1,000 components made a 70 KB request draw a 155 MB answer (one figure each).
    caplog.set_level(logging.INFO)
    dependencies = app_client.get("/_dash-dependencies").get_json()
    in_browser = next(spec for spec in dependencies if spec["output"] == f"{ids.COPY_LINK}.content")
    trigger = in_browser["inputs"][0]
    browser_body = callback_body(in_browser, {}, f"{trigger['id']}.{trigger['property']}")
    study = next(s for s in dependencies if writes(s, ids.STUDY_GRAPH) and not s.get("clientside_function"))
    built = callback_body(study, {f"{ids.STUDY_VIEW}.data": "?preset=5y"}, f"{ids.STUDY_VIEW}.data", (ids.STUDY_GRAPH,))
    graph = built["outputs"][0][0]
    listed = [{**graph, "id": {**graph["id"], "index": index}} for index in range(MAX_PATTERN_ENTRIES + 1)]
    amplifying = {**built, "outputs": [listed, *built["outputs"][1:]]}
    assert app_client.post(CALLBACK_PATH, json=built).status_code == 200  # the page's one graph: drawn
    for body, reason in ((browser_body, "runs in the browser"), (amplifying, f"over {MAX_PATTERN_ENTRIES}")):
        caplog.clear()
        response = app_client.post(CALLBACK_PATH, json=body)
        assert response.status_code == 400 and reason in response.get_data(as_text=True)
        assert [record.levelname for record in caplog.records if record.name.startswith("riskon")] == ["WARNING"]


def test_json_depth_counts_levels_without_recursing() -> None:
    values: list[Any] = [1, [], {"a": [1, {"b": None}]}]
    assert [json_depth(value) for value in values] == [0, 1, 3]
    assert json_depth(json.loads(_nested(900))) == 900


def test_real_requests_nest_well_within_the_limit(real_payloads: list[dict[str, Any]]) -> None:
    assert max(json_depth(body) for body in real_payloads) <= MAX_JSON_DEPTH // 2


def test_a_bug_in_a_callback_is_a_bare_500_with_the_traceback_in_the_log(
    snapshot_store: Store, real_payloads: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    """A KeyError raised by the server's own code is not the client's fault (it used to be answered 400)."""
    app = create_app(snapshot_store)
    body = _multi_input(real_payloads)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise KeyError("secret-detail")

    app.callback_map[body["output"]]["callback"] = broken
    caplog.set_level(logging.INFO)
    response = app.server.test_client().post(CALLBACK_PATH, json=body)
    assert response.status_code == 500
    assert b"secret-detail" not in response.data and b"Traceback" not in response.data
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info and errors[0].exc_info[0] is KeyError


def test_a_body_over_the_cap_is_413(app_client: FlaskClient, real_payloads: list[dict[str, Any]]) -> None:
    body = _multi_input(real_payloads)
    padding = MAX_REQUEST_BYTES - len(json.dumps(body))
    assert app_client.post(CALLBACK_PATH, json=_with(body, pad="x" * (padding - 100))).status_code == 200
    assert app_client.post(CALLBACK_PATH, json=_with(body, pad="x" * (padding + 100))).status_code == 413


@pytest.mark.parametrize(
    "path",
    [
        "/_dash-component-suites/../../etc/passwd",
        "/_dash-component-suites/dash/../../../../etc/passwd",
        "/_dash-component-suites/os/path.py",
        "/_dash-component-suites/dash/nope.v1_0_0m1.js",
        "/assets/../app.py",
        "/assets/nope.js",
        "/_dash-component-suites/dash/x%0A2026-01-01 00:00:00,000 ERROR [1] riskon: forged.js",
    ],
)
def test_unknown_asset_paths_are_404_without_a_traceback(
    app_client: FlaskClient, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    caplog.set_level(logging.INFO)
    response = app_client.get(path)
    assert response.status_code == 404 and b"root:" not in response.data and b"Traceback" not in response.data
    riskon = [record.getMessage() for record in caplog.records if record.name.startswith("riskon")]
    assert len(riskon) <= 1 and not any("\n" in message for message in riskon)
    assert not any(record.exc_info for record in caplog.records)


def test_security_headers_and_a_csp_that_lets_dash_run(app_client: FlaskClient) -> None:
    headers = app_client.get("/").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "'sha256-" in csp
    assert "'unsafe-eval'" not in csp and "script-src 'self' 'sha256-" in csp
    rejected = app_client.post(CALLBACK_PATH, json={"output": "nope"})
    assert rejected.status_code == 400 and rejected.headers["X-Frame-Options"] == "DENY", "errors carry them too"


def test_health_reports_each_series_last_date_from_the_store(app_client: FlaskClient, snapshot_store: Store) -> None:
    response = app_client.get("/healthz")
    body = response.get_json()
    assert response.status_code == 200 and body["status"] == "ok" and body["mode"] == "snapshot"
    assert set(body["series"]) == set(SERIES)
    for series_id, health in body["series"].items():
        values, _ = snapshot_store.series(series_id)
        last = None if values is None else values.index.max().date().isoformat()
        assert health["last"] == last and health["available"] == (values is not None) and not health["stale"]
    assert {"btc", "rut", "iwm", "fear_greed"} <= {key for key, health in body["series"].items() if health["available"]}


def test_api_keys_never_reach_the_page_the_callbacks_or_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, renderer: Renderer
) -> None:
    secret = "sk-riskon-test-SECRET-4242"
    for name in ("COINGECKO_API_KEY", "COINGECKO_DEMO_API_KEY", "ALPHAVANTAGE_API_KEY"):
        monkeypatch.setenv(name, secret)
    cache_dir = tmp_path / "cache"
    client = create_app(Store(open_cache(cache_dir))).server.test_client()
    seen = [client.get(path).data for path in ("/", "/_dash-layout", "/_dash-config", "/healthz")]
    seen += [answer for _, answer in renderer(client, "?preset=max&equity=iwm")]
    assert len(seen) > 10 and all(secret.encode() not in data for data in seen)
    assert not any(secret.encode() in path.read_bytes() for path in cache_dir.rglob("*") if path.is_file())


def test_no_request_reaches_upstream_whatever_its_input(tmp_path: Path, renderer: Renderer) -> None:
    """Pages read only the cache (issue 10): a page opened at a hostile query in live mode with an empty cache
    makes the server fetch nothing; refreshing is background work."""
    client = create_app(Store(open_cache(tmp_path / "cache"), mode="live")).server.test_client()
    evil = "?range=2020-01-01..2021-01-01&equity=http://evil.example/&alt=../../etc&stables=usdt,http://evil.example"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as upstream:
        upstream.add_callback(responses.GET, re.compile(r".*"), callback=lambda request: (503, {}, b""))
        assert len(renderer(client, evil)) > 5
        assert client.get("/healthz").get_json()["state"] == "starting", "nothing fetched yet"
        assert len(upstream.calls) == 0


def test_setup_logging_writes_time_level_pid_and_logger() -> None:
    code = (
        "import logging; from data_sources.logs import setup_logging; setup_logging(); setup_logging();"
        "logging.getLogger('riskon.data').warning('upstream down'); logging.getLogger('riskon.x').debug('hidden')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, "configured twice, still one handler; DEBUG is below the default level"
    match = LOG_LINE.match(lines[0])
    assert match and match.group(1, 3, 4) == ("WARNING", "riskon.data", "upstream down")
    assert int(match[2]) != os.getpid()


def test_setup_logging_replaces_handlers_of_an_earlier_setup() -> None:
    """In a process of its own: configuring logging here would leave this one's root at DEBUG (and its loggers
    reconfigured) for the tests that run after it."""
    code = (
        "import logging; from data_sources.logs import setup_logging; setup_logging('DEBUG'); setup_logging('DEBUG');"
        "root = logging.getLogger(); print(len(root.handlers), root.level)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    handlers, level = map(int, result.stdout.split())
    assert handlers == 1 and level == logging.DEBUG


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Gunicorn:
    """`gunicorn app:server` with one worker on 127.0.0.1, run from the repository (so with its gunicorn.conf.py)."""

    def __init__(self, directory: Path) -> None:
        self.url = f"http://127.0.0.1:{_free_port()}"
        self.log = directory / "gunicorn.log"
        env = {**os.environ, "RISKON_CACHE_DIR": str(directory / "cache"), "RISKON_SOURCE": "snapshot"}
        command = [sys.executable, "-m", "gunicorn", "--workers", "1", "--no-control-socket", "--bind", self.url[7:]]
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [*command, "--no-control-socket", "app:server"], cwd=ROOT, env=env, stderr=log
            )
        deadline = time.monotonic() + 90  # a loaded 2-core machine: the worker builds the whole app first
        while True:
            try:
                requests.get(f"{self.url}/healthz", timeout=30)
                return
            except requests.ConnectionError:
                assert self.process.poll() is None and time.monotonic() < deadline, self.log.read_text()
                time.sleep(0.2)

    def lines_during(self, action: Callable[[], None]) -> list[str]:
        """The log lines written while `action` ran (the worker logs before it answers)."""
        before = self.log.stat().st_size
        action()
        with self.log.open() as log:
            log.seek(before)
            return log.read().splitlines()

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gunicorn]:
    server = Gunicorn(tmp_path_factory.mktemp("gunicorn"))
    yield server
    server.stop()


def test_gunicorn_and_its_workers_log_in_riskons_format(gunicorn: Gunicorn) -> None:
    """gunicorn.conf.py, read from the working directory: gunicorn's lines and the app's, one format, worker pids."""

    def reject() -> None:
        assert requests.post(f"{gunicorn.url}{CALLBACK_PATH}", json={"output": "nope"}, timeout=30).status_code == 400

    during = [LOG_LINE.match(line) for line in gunicorn.lines_during(reject)]
    parsed = [LOG_LINE.match(line) for line in gunicorn.log.read_text().splitlines()]
    assert all(parsed), gunicorn.log.read_text()
    started = next(m for m in parsed if m and m[3] == "gunicorn.error" and "Starting gunicorn" in m[4])
    booted = next(m for m in parsed if m and m[3] == "gunicorn.error" and "Booting worker" in m[4])
    assert len(during) == 1 and during[0], "one line per rejected request: riskon's, no access log line"
    assert during[0][3] == "riskon.security" and CALLBACK_PATH in during[0][4]
    worker = booted[4].rsplit(" ", 1)[-1]
    assert started[2] == str(gunicorn.process.pid) != worker == booted[2] == during[0][2]


def test_over_http_a_huge_body_is_refused_unread_and_a_raw_traversal_finds_nothing(gunicorn: Gunicorn) -> None:
    huge = b'{"output": "' + b"x" * (100 << 20) + b'"}'
    started = time.monotonic()
    json_type = {"Content-Type": "application/json"}
    response = requests.post(f"{gunicorn.url}{CALLBACK_PATH}", data=huge, headers=json_type, timeout=60)
    assert response.status_code == 413 and time.monotonic() - started < 30

    def chunked() -> Iterator[bytes]:  # no Content-Length: the cap cannot be checked up front
        yield huge[:12]
        yield from (huge[start : start + (1 << 20)] for start in range(12, len(huge), 1 << 20))

    streamed = requests.post(f"{gunicorn.url}{CALLBACK_PATH}", data=chunked(), headers=json_type, timeout=60)
    assert streamed.status_code in (400, 413)
    with socket.create_connection(("127.0.0.1", int(gunicorn.url.rsplit(":", 1)[1])), timeout=30) as raw:
        # Sent as is: HTTP clients would resolve the dots before sending.
        raw.sendall(b"GET /_dash-component-suites/../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = b"".join(iter(lambda: raw.recv(1 << 16), b""))
    assert answer.startswith(b"HTTP/1.1 404") and b"root:" not in answer
    assert requests.get(f"{gunicorn.url}/healthz", timeout=30).status_code == 200, "the worker still serves"


def test_a_missing_system_program_stops_the_run_with_one_line(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pytester.makeconftest(Path(__file__).with_name("conftest.py").read_text())
    pytester.makepyfile(
        test_needs_redis="""
        import pytest

        @pytest.fixture
        def redis_server():
            raise RuntimeError("would start redis-server")

        @pytest.mark.parametrize("n", range(5))
        def test_uses_redis(redis_server, n):
            pass
        """
    )
    monkeypatch.setenv("PATH", str(tmp_path))  # no redis-server on it
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    output = result.stdout.lines + result.stderr.lines
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert len([line for line in output if "redis-server" in line]) == 1
    assert "apt-get install -y redis-server" in "\n".join(output)
    assert not any("would start" in line or "RuntimeError" in line for line in output)
