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
Run: .venv/bin/python -m benchmarks.callbacks [--requests N]
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

from benchmarks.dash_client import callback_body, cascade, find_callback
from components import ids
from components.charts import CHARTS
from components.figures import trace_points

ROOT = Path(__file__).resolve().parents[1]


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
    n = parser.parse_args().requests
    ports = {"riskon": free_port(), "floor": free_port()}
    with tempfile.TemporaryDirectory() as cache_dir:
        servers = [
            start_gunicorn(ports["riskon"], cache_dir),
            start_gunicorn(ports["floor"], cache_dir, app="benchmarks.browser:floor_server()"),
        ]
        try:
            session = requests.Session()
            session.headers["Accept-Encoding"] = "gzip, deflate, br, zstd"
            base, floor_base = (f"http://127.0.0.1:{port}" for port in ports.values())
            floor_spec = session.get(floor_base + "/_dash-dependencies", timeout=10).json()[0]
            floor_body = callback_body(floor_spec, {"preset.value": "5y"}, "preset.value")
            dependencies = session.get(base + "/_dash-dependencies", timeout=10).json()
            view_output = find_callback(dependencies, ids.URL)["output"]
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
            for _ in range(20):
                post({}, floor_body, floor_base)
            floor_ms = []
            for _ in range(n):
                started = time.perf_counter()
                post({}, floor_body, floor_base)
                floor_ms.append((time.perf_counter() - started) * 1000)
            max_ms, max_view_ms, contents = timed(max_view)
            zoom_ms, zoom_view_ms, zoom_contents = timed(zooms)
            miss_ms, miss_view_ms, _ = timed(misses)
        finally:
            for server in servers:
                server.terminate()
                server.wait(10)
    floor = statistics.median(floor_ms)
    print(f"riskon callbacks on gunicorn (2 gthread workers), {n} sequential actions each, snapshot data, "
          f"load average {' '.join(f'{load:.1f}' for load in os.getloadavg())}")  # fmt: skip
    print(line(f"floor: {len(CHARTS)} tiny figures, one callback", floor_ms))
    for label, values, view in (
        (f"view at 'Max', cached ({len(contents)} callbacks)", max_ms, max_view_ms),
        (f"zoom, new window ({len(zoom_contents)} callbacks)", zoom_ms, zoom_view_ms),
        ("cache-miss views (rebased, new start)", miss_ms, miss_view_ms),
    ):
        print(line(label, values))
        ratio = statistics.median(view) / floor
        print(line("  its view callback alone", view) + f"   {ratio:5.2f}x floor (goal <= 2x)")
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
