"""Bounded load test on 127.0.0.1: N users do what a browser does against gunicorn for M seconds.

A user first opens the page (HTML, every script and stylesheet it names, layout, dependencies, then the callbacks
the URL fires and those fed by their answers, as Dash's renderer does); then repeats, with a think time between
actions: zoom to a random range (the zoom store's callbacks) or, one time in three, open another view (equity,
scale, mode: views the trace cache may not hold). Assets are fetched once per user, as a browser caches them.
Prints throughput, p50/p95 per request kind and errors; with --users 1,5,10,20,40 one line per level.
Goal (issue 11): zero errors and p95 under 100 ms at 20 users on 2 workers, growing smoothly beyond.
--refreshing serves `auto` mode with the background refresher fetching Yahoo's recorded answers from a slow fake
upstream on 127.0.0.1 (benchmarks/upstream.py), every copy due again at once, and runs the load alternately with
the upstream holding every request (the refresher idle) and answering (refreshing throughout), ending idle; it
prints each phase (with the refresher's fetches, the workers' CPU seconds and the load average) and both pooled.
--refresher process moves the refresher out of the request workers into a process of its own (and prints its CPU).
Goal (issue 10): the same p95 while a refresh runs.
Run: .venv/bin/python -m benchmarks.load [--users 20] [--seconds 30] [--think 0.5]
     [--refreshing [--rounds 2] [--delay 5] [--refresher worker|process]]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import requests

from benchmarks.callbacks import ROOT, free_port, start_gunicorn
from benchmarks.dash_client import cascade, layout_values
from benchmarks.upstream import ENV_REFRESHER, ENV_UPSTREAM, SlowUpstream
from components.url_state import ViewState, encode


def random_view(rng: random.Random) -> str:
    """A random range over the snapshot, and sometimes another equity, scale or value mode."""
    start = dt.date(2014, 1, 1) + dt.timedelta(days=rng.randrange(0, 4000))
    state = ViewState(
        equity=rng.choice(("rut", "rut", "iwm")),
        scale=rng.choice(("linear", "linear", "log")),
        mode=rng.choice(("raw", "raw", "raw", "rebase")),
    )
    return encode(state.with_range(start, start + dt.timedelta(days=rng.randrange(30, 2000))))


class User:
    """One simulated browser: a session, the app's callbacks, and the latencies it saw per request kind."""

    def __init__(self, base: str, seed: int, results: dict[str, list[float]], errors: list[str]) -> None:
        self.base, self.rng, self.results, self.errors = base, random.Random(seed), results, errors
        self.session = requests.Session()
        self.session.headers["Accept-Encoding"] = "gzip, deflate, br, zstd"
        self.session.headers["Referer"] = base + "/"  # as a browser sends it: the page comes holding its view
        self.dependencies: list[dict[str, Any]] = []

    def timed(self, kind: str, method: str, path: str, body: Any = None) -> Any:
        started = time.perf_counter()
        try:
            response = self.session.request(method, self.base + path, json=body, timeout=30)
            if response.status_code not in (200, 204):
                self.errors.append(f"{kind}: HTTP {response.status_code}")
            return response
        except requests.RequestException as exc:
            self.errors.append(f"{kind}: {type(exc).__name__}")
            return None
        finally:
            self.results[kind].append((time.perf_counter() - started) * 1000)

    def fire(self, kind: str, values: dict[str, Any], changed: str) -> None:
        """The callbacks a browser posts when `changed` moves (and those fed by their answers), timed under `kind`
        and the first component each writes."""

        def post(spec: dict[str, Any], body: dict[str, Any]) -> dict[str, Any] | None:
            writes = spec["output"].strip(".").split(".")[0]
            response = self.timed(f"{kind} -> {writes}", "POST", "/_dash-update-component", body)
            return response.json() if response is not None and response.status_code == 200 else None

        cascade(post, self.dependencies, values, changed)

    def run(self, deadline: float, think: float) -> None:
        page = self.timed("page", "GET", "/")
        if page is None:
            return
        for asset in re.findall(r'(?:src|href)="(/[^"]+)"', page.text):
            self.timed("asset (first visit)", "GET", asset)
        layout = self.timed("page", "GET", "/_dash-layout")
        self.dependencies = self.timed("page", "GET", "/_dash-dependencies").json()
        held = layout_values(layout.json()) if layout is not None and layout.status_code == 200 else {}
        self.fire("load", held | {"url.search": ""}, "url.search")
        while time.monotonic() < deadline:
            time.sleep(self.rng.uniform(0.5, 1.5) * think)
            view = random_view(self.rng)
            if self.rng.random() < 0.3:  # a control or a shared link: another view
                self.fire("new view", {"url.search": view}, "url.search")
                continue
            start, _, end = view.split("range=")[1].split("&")[0].partition("..")
            self.fire("zoom", {"zoom.data": {"start": start, "end": end}}, "zoom.data")


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def run_level(base: str, users: int, seconds: float, think: float) -> tuple[dict[str, list[float]], list[str], float]:
    results: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(target=User(base, seed, results, errors).run, args=(deadline, think)) for seed in range(users)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 120)
    return results, errors, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", default="20", help="a number, or levels such as 1,5,10,20,40")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--think", type=float, default=0.5, help="mean seconds between a user's actions")
    parser.add_argument("--refreshing", action="store_true", help="idle vs while the refresher works, one run")
    parser.add_argument("--delay", type=float, default=5.0, help="seconds the fake upstream takes per answer")
    parser.add_argument("--rounds", type=int, default=2, help="idle/refreshing alternations (--refreshing)")
    parser.add_argument(
        "--refresher",
        choices=("worker", "process"),
        default="worker",
        help="where it runs: in a request worker, elected as in production, or in a process of its own",
    )
    options = parser.parse_args()
    levels = [int(level) for level in options.users.split(",")]
    with tempfile.TemporaryDirectory() as cache_dir:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        apart = None
        if options.refreshing:
            upstream = SlowUpstream(options.delay).start()
            overrides = {"RISKON_SOURCE": "auto", ENV_UPSTREAM: upstream.url, ENV_REFRESHER: options.refresher}
            server = start_gunicorn(port, cache_dir, app="benchmarks.upstream:refreshing_server()", overrides=overrides)
            if options.refresher == "process":
                env = {**os.environ, **overrides, "RISKON_CACHE_DIR": cache_dir}
                apart = subprocess.Popen([sys.executable, "-m", "benchmarks.upstream"], cwd=ROOT, env=env)
        else:
            server = start_gunicorn(port, cache_dir)
        try:
            print(f"riskon load test: {options.seconds:.0f} s per level, think ~{options.think} s, 2 gthread workers")
            if options.refreshing:
                compare_refreshing(base, levels[-1], options, upstream, server.pid, apart.pid if apart else None)
                return
            for users in levels:
                results, errors, elapsed = run_level(base, users, options.seconds, options.think)
                report(users, results, errors, elapsed)
        finally:
            for process in (server, apart):
                if process is not None:
                    process.terminate()
                    process.wait(10)


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by process `pid`."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def worker_cpu_seconds(master: int) -> float:
    """CPU seconds used so far by the gunicorn master's worker processes."""
    return sum(cpu_seconds(int(pid)) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split())


def compare_refreshing(
    base: str, users: int, options: argparse.Namespace, upstream: SlowUpstream, master: int, apart: int | None
) -> None:
    """The same load with the refresher idle and refreshing, alternating `rounds` times and ending idle (so a drift
    of the machine's load hits both); p95 of each condition over its phases, and their ratio."""
    pooled: dict[str, dict[str, list[float]]] = {"idle": defaultdict(list), "refreshing": defaultdict(list)}
    pooled_errors: dict[str, list[str]] = {"idle": [], "refreshing": []}
    elapsed_total = {"idle": 0.0, "refreshing": 0.0}
    run_level(base, users, min(options.seconds, 15), options.think)  # warm every worker's caches first, untimed
    for phase in ["idle", "refreshing"] * options.rounds + ["idle"]:
        if phase == "refreshing":
            upstream.answering.set()
        else:
            upstream.answering.clear()
        answered, cpu, load_before = upstream.answered, worker_cpu_seconds(master), os.getloadavg()[0]
        refresher_cpu = cpu_seconds(apart) if apart else 0.0
        results, errors, elapsed = run_level(base, users, options.seconds, options.think)
        dynamic = [v for kind, values in results.items() if not kind.startswith("asset") for v in values]
        print(
            f"  {phase:10}  p50 {percentile(dynamic, 50):6.1f} ms  p95 {percentile(dynamic, 95):7.1f} ms  "
            f"errors {len(errors)}  refresher fetched {upstream.answered - answered} recorded answers  "
            f"workers' CPU {worker_cpu_seconds(master) - cpu:5.1f} s  load average {load_before:.1f} -> "
            f"{os.getloadavg()[0]:.1f}"
            + (f"  refresher's CPU {cpu_seconds(apart) - refresher_cpu:4.2f} s" if apart else "")
        )
        for kind, values in results.items():
            pooled[phase][kind] += values
        pooled_errors[phase] += errors
        elapsed_total[phase] += elapsed
    p95s = {}
    for phase, results in pooled.items():
        print(f"--- {phase}, all its phases:")
        report(users, results, pooled_errors[phase], elapsed_total[phase])
        p95s[phase] = percentile([v for kind, vs in results.items() if not kind.startswith("asset") for v in vs], 95)
    ratio = p95s["refreshing"] / p95s["idle"]
    print(
        f"p95 all but assets: idle {p95s['idle']:.1f} ms, while refreshing {p95s['refreshing']:.1f} ms "
        f"-> {ratio:.2f}x (goal, issue 10: the same p95, about 1.0x)"
    )


def report(users: int, results: dict[str, list[float]], errors: list[str], elapsed: float) -> None:
    total = sum(len(values) for values in results.values())
    dynamic = [v for kind, values in results.items() if not kind.startswith("asset") for v in values]
    print(f"{users} users: {total} requests, {total / elapsed:.1f} req/s, errors: {len(errors)}")
    for kind, values in [*sorted(results.items()), ("all but assets", dynamic)]:
        print(
            f"  {kind:34} n={len(values):5}  p50 {percentile(values, 50):7.1f} ms  p95 {percentile(values, 95):7.1f} ms"
        )
    if errors:
        print("  first errors:", errors[:5])
    p95 = percentile(dynamic, 95)
    print(f"  goal: zero errors and p95 < 100 ms -> {'met' if not errors and p95 < 100 else 'NOT met'}")


if __name__ == "__main__":
    main()
