"""Benchmark: with no network, `auto` mode on an empty cache draws the page as fast as `snapshot` mode, and stays so.

Serves riskon twice on 127.0.0.1 (gunicorn, 2 gthread workers, each its own empty cache): in `snapshot` mode, and
in `auto` mode with every vendor request sent to a proxy port nobody listens on (the network is down; the
background refresher keeps failing and backing off). Headless Chromium then loads each page cold (a fresh
browser context) in turn, for `--minutes` (default 5), and prints the medians, their ratio (goal: within 20%) and
the first and last minute of `auto`, so a refresher that slowed pages over time would show.
Run: .venv/bin/python -m benchmarks.offline [--minutes 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

from playwright.sync_api import sync_playwright

from benchmarks.browser import CHROMIUM_ARGS, load
from benchmarks.callbacks import free_port, start_gunicorn


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=5.0)
    minutes = parser.parse_args().minutes
    closed = f"http://127.0.0.1:{free_port()}"  # every upstream request goes to a port nobody listens on
    offline = {"RISKON_SOURCE": "auto", "HTTPS_PROXY": closed, "HTTP_PROXY": closed, "NO_PROXY": "127.0.0.1"}
    loads = [os.getloadavg()]
    times: dict[str, list[tuple[float, float]]] = {"snapshot": [], "auto": []}
    with tempfile.TemporaryDirectory() as snapshot_cache, tempfile.TemporaryDirectory() as auto_cache:
        ports = {"snapshot": free_port(), "auto": free_port()}
        servers = {
            "snapshot": start_gunicorn(ports["snapshot"], snapshot_cache),
            "auto": start_gunicorn(ports["auto"], auto_cache, overrides=offline),
        }
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                started = time.monotonic()
                while time.monotonic() - started < minutes * 60:
                    for mode, port in ports.items():
                        elapsed, context = load(browser, f"http://127.0.0.1:{port}/")
                        context.close()
                        times[mode].append((time.monotonic() - started, elapsed))
                    loads.append(os.getloadavg())
                browser.close()
        finally:
            for server in servers.values():
                server.terminate()
                server.wait(10)
    snapshot = statistics.median(ms for _, ms in times["snapshot"])
    auto = [ms for _, ms in times["auto"]]
    first = [ms for at, ms in times["auto"] if at < 60] or auto[:1]
    last = [ms for at, ms in times["auto"] if at >= minutes * 60 - 60] or auto[-1:]
    print(f"cold page load to every chart drawn, no network, {len(auto)} loads per mode over {minutes:g} min")
    print("load average (1, 5, 15 min): " + "; ".join(" ".join(f"{v:.1f}" for v in la) for la in loads[::4]))
    print(f"snapshot mode (floor)          median {snapshot:8.0f} ms")
    print(f"auto mode, empty cache         median {statistics.median(auto):8.0f} ms   "
          f"{statistics.median(auto) / snapshot:.2f}x the floor (goal <= 1.20x)")  # fmt: skip
    print(f"auto mode, first / last minute median {statistics.median(first):8.0f} / {statistics.median(last):.0f} ms")


if __name__ == "__main__":
    main()
