"""Benchmark: riskon's callbacks as a browser fires them, against a floor callback from the same run.

Starts riskon and the floor app of benchmarks/browser.py (as many graphs, one tiny trace each, one callback) on
gunicorn (2 gthread workers each), then sends N sequential actions of each kind and prints median / p95 latency
of the whole action (every callback it fires, as the renderer posts them) and of the view callback alone, and the
view callback's ratio to the floor's one callback (goal, issue 11: within 2x for any view):
- a view at 'Max' whose figures are cached;
- a zoom to a new range (the browser drew it, but this client sends no drawn state: every chart is rebuilt for
  the new window);
- views that miss the trace cache (rebased at a different start each time: the traces depend on it);
and the bytes each figure costs on the wire against the raw float32 size of its points (x and y).
A second floor answers the same bytes: one callback that returns, unchanged, what riskon's view callback answered at
'Max' (Dash's encoding, compression and transfer of that answer; none of riskon's work, request checks or security
headers), so that the view callback's own share can be told from the cost of its answer's size.
Run: .venv/bin/python -m benchmarks.callbacks [--requests N] [--accept-encoding "gzip, deflate, br"]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import requests
from dash import Dash, Input, Output, dcc

from benchmarks.dash_client import callback_body, cascade, find_callback
from components import ids, static
from components.charts import CHARTS
from components.figures import trace_points

ROOT = Path(__file__).resolve().parents[1]
ANSWER_FILE = "RISKON_BENCH_ANSWER"  # where the payload floor reads the answer it returns


def payload_floor_app(answer: dict[str, Any]) -> Dash:
    """A no-op callback answering `answer` (a view callback's `response`: component id -> property -> value) as
    the value of one store, so its answer holds the same bytes."""
    app = Dash(__name__, title="payload floor", update_title="", compress=True)
    static.compress_fast(app)  # as riskon's
    app.layout = [dcc.Input(id="trigger"), dcc.Store(id="answer")]

    @app.callback(Output("answer", "data"), Input("trigger", "value"))
    def same_answer(_: object) -> dict[str, Any]:
        return answer

    return app


def payload_floor_server() -> Any:
    """gunicorn's factory for the payload floor (`benchmarks.callbacks:payload_floor_server()`), answering what
    the JSON file named by RISKON_BENCH_ANSWER holds."""
    return payload_floor_app(json.loads(Path(os.environ[ANSWER_FILE]).read_text())["response"]).server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_gunicorn(
    port: int, cache_dir: str, *, app: str = "app:server", threads: int = 4, overrides: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """gunicorn on 127.0.0.1:`port` with 2 workers of `threads` threads each (gthread: a request waiting on I/O or
    on the PNG renderer does not hold a whole worker), serving `app` on the embedded snapshot unless `overrides`
    (environment variables) say otherwise."""
    env = {**os.environ, "RISKON_CACHE_DIR": cache_dir, "RISKON_SOURCE": "snapshot", "RISKON_SECRET_KEY": "benchmark"}
    env |= overrides or {}
    command = [sys.executable, "-m", "gunicorn", app, "--workers", "2", "--bind", f"127.0.0.1:{port}"]
    command += ["--worker-class", "gthread", "--threads", str(threads), "--no-control-socket"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=1).raise_for_status()
            return process
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("gunicorn did not start")


def line(label: str, values: list[float]) -> str:
    p95 = statistics.quantiles(values, n=20)[-1]
    return f"{label:38} median {statistics.median(values):7.2f} ms   p95 {p95:7.2f} ms"


def points(trace: dict[str, Any]) -> int:
    """Observations drawn by a trace (daily slots without one, e.g. weekends, are NaN and not counted)."""
    return int(np.isfinite(trace_points(trace)[1]).sum())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--accept-encoding", default="gzip, deflate, br, zstd", help="default: Chromium's")
    options = parser.parse_args()
    n = options.requests
    ports = {"riskon": free_port(), "floor": free_port(), "payload": free_port()}
    with tempfile.TemporaryDirectory() as cache_dir:
        servers = [
            start_gunicorn(ports["riskon"], cache_dir),
            start_gunicorn(ports["floor"], cache_dir, app="benchmarks.browser:floor_server()"),
        ]
        try:
            session = requests.Session()
            session.headers["Accept-Encoding"] = options.accept_encoding
            base, floor_base, payload_base = (f"http://127.0.0.1:{port}" for port in ports.values())
            floor_spec = session.get(floor_base + "/_dash-dependencies", timeout=10).json()[0]
            floor_body = callback_body(floor_spec, {"preset.value": "5y"}, "preset.value")
            dependencies = session.get(base + "/_dash-dependencies", timeout=10).json()
            view_spec = find_callback(dependencies, ids.URL)
            view_output = view_spec["output"]
            answers: list[bytes] = []
            view_ms: list[float] = []

            def post(spec: dict[str, Any], body: dict[str, Any], at: str = base) -> dict[str, Any] | None:
                started = time.perf_counter()
                response = session.post(at + "/_dash-update-component", json=body, timeout=60)
                response.raise_for_status()
                if spec.get("output") == view_output:
                    view_ms.append((time.perf_counter() - started) * 1000)
                answers.append(response.content)
                return response.json() if response.status_code == 200 else None

            def action(values: dict[str, Any], changed: str) -> tuple[float, list[bytes]]:
                """A browser's action: the callbacks it fires, and those fed by their answers."""
                answers.clear()
                started = time.perf_counter()
                cascade(post, dependencies, values, changed)
                return (time.perf_counter() - started) * 1000, list(answers)

            def timed(actions: list[tuple[dict[str, Any], str]]) -> tuple[list[float], list[float], list[bytes]]:
                """Milliseconds per action and of its view callback, and the last action's answers."""
                view_ms.clear()
                results = [action(values, changed) for values, changed in actions]
                return [ms for ms, _ in results], list(view_ms), results[-1][1]

            days = [dt.date(2016, 1, 1) + dt.timedelta(days=i) for i in range(n)]
            max_view = [({"url.search": "?preset=max"}, "url.search")] * n
            zooms = [
                ({"zoom.data": {"start": f"{day}", "end": f"{day + dt.timedelta(days=400)}"}}, "zoom.data")
                for day in days
            ]
            misses = [
                ({"url.search": f"?range={day}..{day + dt.timedelta(days=700)}&mode=rebase"}, "url.search")
                for day in days
            ]
            timed(max_view[:20])  # warm both workers
            answer_file = Path(cache_dir, "answer.json")
            max_body = callback_body(view_spec, {"url.search": "?preset=max"}, "url.search")
            max_answer = session.post(base + "/_dash-update-component", json=max_body, timeout=60, stream=True)
            encoding = max_answer.headers.get("Content-Encoding", "identity")
            wire_bytes = len(max_answer.raw.read(decode_content=False))
            answer_file.write_bytes(session.post(base + "/_dash-update-component", json=max_body, timeout=60).content)
            servers.append(
                start_gunicorn(
                    ports["payload"],
                    cache_dir,
                    app="benchmarks.callbacks:payload_floor_server()",
                    overrides={ANSWER_FILE: str(answer_file)},
                )
            )
            payload_spec = session.get(payload_base + "/_dash-dependencies", timeout=10).json()[0]
            payload_body = callback_body(payload_spec, {"trigger.value": "max"}, "trigger.value")

            def sequential(body: dict[str, Any], at: str) -> list[float]:
                """Milliseconds of n posts of `body` (after 20 that warm both workers)."""
                for _ in range(20):
                    post({}, body, at)
                times = []
                for _ in range(n):
                    started = time.perf_counter()
                    post({}, body, at)
                    times.append((time.perf_counter() - started) * 1000)
                return times

            answer_file_size = answer_file.stat().st_size
            floor_ms = sequential(floor_body, floor_base)
            payload_ms = sequential(payload_body, payload_base)
            max_ms, max_view_ms, contents = timed(max_view)
            zoom_ms, zoom_view_ms, zoom_contents = timed(zooms)
            miss_ms, miss_view_ms, _ = timed(misses)
        finally:
            for server in servers:
                server.terminate()
                server.wait(10)
    floor = statistics.median(floor_ms)
    print(f"riskon callbacks on gunicorn (2 gthread workers), {n} sequential actions each, snapshot data, "
          f"Accept-Encoding '{options.accept_encoding}', "
          f"load average {' '.join(f'{load:.1f}' for load in os.getloadavg())}")  # fmt: skip
    print(line(f"floor: {len(CHARTS)} tiny figures, one callback", floor_ms))
    payload = statistics.median(payload_ms)
    print(line("payload floor: 'Max' answer, no work", payload_ms))
    print(f"  the 'Max' answer: {answer_file_size / 1024:.0f} KiB, {wire_bytes / 1024:.0f} KiB {encoding} on the wire")
    for label, values, view in (
        (f"view at 'Max', cached ({len(contents)} callbacks)", max_ms, max_view_ms),
        (f"zoom, new window ({len(zoom_contents)} callbacks)", zoom_ms, zoom_view_ms),
        ("cache-miss views (rebased, new start)", miss_ms, miss_view_ms),
    ):
        print(line(label, values))
        ratio = statistics.median(view) / floor
        ratios = f"{ratio:5.2f}x floor (goal <= 2x)   {statistics.median(view) / payload:5.2f}x payload floor"
        print(line("  its view callback alone", view) + "   " + ratios)
    print(f"zoom answers: {sum(map(len, zoom_contents)) / 1024:.1f} KiB decoded")
    figures = [
        value["figure"]
        for content in contents
        if content  # a callback that changed nothing answers 204, empty
        for key, value in json.loads(content).get("response", {}).items()
        if key.startswith("graph-") and isinstance(value.get("figure"), dict) and "data" in value["figure"]
    ]
    print(f"a view's answers: {sum(map(len, contents)) / 1024:.0f} KiB decoded")
    for figure in figures:
        n_points = sum(points(trace) for trace in figure["data"])
        if not n_points:
            continue
        sent = len(json.dumps(figure, separators=(",", ":")))
        raw = n_points * 2 * 4
        ratio = sent / raw
        kib = f"{sent / 1024:6.0f} KiB JSON  vs {raw / 1024:5.0f} KiB raw float32 x+y"
        print(f"  {n_points:6} points  {kib}  ({ratio:.2f}x)")


if __name__ == "__main__":
    main()
