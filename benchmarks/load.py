"""Bounded load test on 127.0.0.1: N users load the page and move the range for M seconds against gunicorn.

Each user repeats: load the page, zoom to a random range (the URL sync callback), redraw (the render callback),
with a think time between actions. Prints throughput, p50/p95 latency per request kind and errors.
Goal (issue 5): zero errors and p95 under 100 ms at 20 users on 2 workers.
Run: .venv/bin/python -m benchmarks.load [--users 20] [--seconds 30] [--think 0.5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import tempfile
import threading
import time
from collections import defaultdict

import requests

from benchmarks.callbacks import free_port, start_gunicorn
from benchmarks.dash_client import callback_body, find_callback
from components.url_state import ViewState, encode


def random_view(rng: random.Random) -> str:
    start = dt.date(2014, 1, 1) + dt.timedelta(days=rng.randrange(0, 4000))
    return encode(ViewState().with_range(start, start + dt.timedelta(days=rng.randrange(30, 2000))))


def user(
    base: str, deadline: float, think: float, seed: int, results: dict[str, list[float]], errors: list[str]
) -> None:
    rng = random.Random(seed)
    session = requests.Session()
    dependencies = session.get(base + "/_dash-dependencies", timeout=30).json()
    sync, render = find_callback(dependencies, "url"), find_callback(dependencies, "view")
    url = base + "/_dash-update-component"
    while time.monotonic() < deadline:
        view = random_view(rng)
        start, end = view.removeprefix("?range=").split("..")
        zoom = callback_body(sync, {"zoom.data": {"start": start, "end": end}}, "zoom.data")
        redraw = callback_body(render, {"view.data": view}, "view.data")
        for kind, body in (("page", None), ("zoom (sync)", zoom), ("redraw (render)", redraw)):
            started = time.perf_counter()
            try:
                response = (
                    session.get(base + "/", timeout=30) if body is None else session.post(url, json=body, timeout=30)
                )
                if response.status_code != 200:
                    errors.append(f"{kind}: HTTP {response.status_code}")
            except requests.RequestException as exc:
                errors.append(f"{kind}: {type(exc).__name__}")
            results[kind].append((time.perf_counter() - started) * 1000)
            time.sleep(rng.uniform(0.5, 1.5) * think)


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--think", type=float, default=0.5, help="mean seconds between a user's actions")
    options = parser.parse_args()
    results: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    with tempfile.TemporaryDirectory() as cache_dir:
        port = free_port()
        server = start_gunicorn(port, cache_dir)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + options.seconds
            threads = [
                threading.Thread(target=user, args=(base, deadline, options.think, seed, results, errors))
                for seed in range(options.users)
            ]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(options.seconds + 60)
            elapsed = time.monotonic() - started
        finally:
            server.terminate()
            server.wait(10)
    total = sum(len(values) for values in results.values())
    print(f"riskon load test: {options.users} users, {options.seconds:.0f} s, think ~{options.think} s, 2 workers")
    print(f"requests: {total}  throughput: {total / elapsed:.1f} req/s  errors: {len(errors)}")
    everything = [value for values in results.values() for value in values]
    for kind, values in [*results.items(), ("all", everything)]:
        print(
            f"  {kind:16} n={len(values):5}  p50 {percentile(values, 50):7.1f} ms  p95 {percentile(values, 95):7.1f} ms"
        )
    if errors:
        print("first errors:", errors[:5])
    p95 = percentile(everything, 95)
    print(f"goal: zero errors and p95 < 100 ms -> {'met' if not errors and p95 < 100 else 'NOT met'}")


if __name__ == "__main__":
    main()
