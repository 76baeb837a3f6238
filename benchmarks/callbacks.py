"""Benchmark: the render callback at full range ('Max') against a no-op callback on the same gunicorn server.

Starts gunicorn (2 workers) on 127.0.0.1 on the embedded snapshot, sends N sequential requests to each callback,
prints median / p95 latency and their ratio (goal: within 3x), and the bytes each figure costs on the wire
against the raw float32 size of its points (x and y).
Run: .venv/bin/python -m benchmarks.callbacks [--requests N]
"""

from __future__ import annotations

import argparse
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

from benchmarks.dash_client import callback_body, find_callback
from components.figures import trace_points

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_gunicorn(port: int, cache_dir: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "RISKON_CACHE_DIR": cache_dir, "RISKON_SOURCE": "snapshot", "RISKON_SECRET_KEY": "benchmark"}
    command = [sys.executable, "-m", "gunicorn", "app:server", "--workers", "2", "--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen([*command, "--no-control-socket"], cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=1).raise_for_status()
            return process
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("gunicorn did not start")


def timings(session: requests.Session, url: str, body: dict[str, Any], n: int) -> tuple[list[float], bytes]:
    result, content = [], b""
    for _ in range(n):
        started = time.perf_counter()
        response = session.post(url, json=body, timeout=30)
        response.raise_for_status()
        content = response.content
        result.append((time.perf_counter() - started) * 1000)
    return result, content


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
    port = free_port()
    with tempfile.TemporaryDirectory() as cache_dir:
        server = start_gunicorn(port, cache_dir)
        try:
            base = f"http://127.0.0.1:{port}"
            session = requests.Session()
            dependencies = session.get(base + "/_dash-dependencies", timeout=10).json()
            url = base + "/_dash-update-component"
            render_spec = find_callback(dependencies, "view")
            render = callback_body(render_spec, {"view.data": "?preset=max"}, "view.data")
            # A zoom from the default view: the charts keep their traces and get range patches.
            zoom_view = {"view.data": "?range=2020-01-01..2021-12-31", "rendered.data": ""}
            zoom = callback_body(render_spec, zoom_view, "view.data")
            ping = callback_body(find_callback(dependencies, "ping"), {"ping.n_clicks": 1}, "ping.n_clicks")
            timings(session, url, render, 20)  # warm both workers' caches
            timings(session, url, ping, 20)
            ping_ms, _ = timings(session, url, ping, n)
            render_ms, content = timings(session, url, render, n)
            zoom_ms, zoom_content = timings(session, url, zoom, n)
        finally:
            server.terminate()
            server.wait(10)
    print(f"riskon callbacks on gunicorn (2 workers), {n} sequential requests each, snapshot data, full range")
    print(line("floor: no-op callback (ping)", ping_ms))
    print(line("render: every chart + status, 'Max'", render_ms))
    print(line("zoom: range patches only", zoom_ms))
    print(
        f"ratio render / no-op (median): {statistics.median(render_ms) / statistics.median(ping_ms):.2f}x  (goal <= 3x)"
    )
    print(f"zoom response: {len(zoom_content) / 1024:.1f} KiB for every chart")
    response = json.loads(content)["response"]
    print(f"response: {len(content) / 1024:.0f} KiB in all")
    for key, value in response.items():
        if not key.startswith("graph-"):
            continue
        figure = value["figure"]
        n_points = sum(points(trace) for trace in figure["data"])
        sent = len(json.dumps(figure, separators=(",", ":")))
        raw = n_points * 2 * 4
        print(
            f"  {key:20} {n_points:6} points  {sent / 1024:6.0f} KiB sent  vs {raw / 1024:5.0f} KiB raw float32 x+y"
            f"  ({sent / raw:.2f}x)"
        )


if __name__ == "__main__":
    main()
