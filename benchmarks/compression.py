"""Benchmark: which compression level costs least for what riskon sends, CPU plus transfer.

Compresses the view callback's first answer at 'Max' and at the default view (posted in-process) and the plotly.js
bundle with each algorithm flask-compress offers at several levels, and prints per level the median CPU time, the
bytes, and the time to send them at 100 and 10 Mbit/s (compression plus transfer) against the floor of the same
run: the uncompressed bytes. Marked: flask-compress's default levels and riskon's (components/static.py).
Run: .venv/bin/python -m benchmarks.compression [--repeat N]
"""

from __future__ import annotations

import argparse
import functools
import statistics
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import brotli
from backports import zstd

from app import create_app
from benchmarks.dash_client import callback_body, find_callback
from components import ids
from components.static import COMPRESSION
from data_sources.config import open_cache
from data_sources.store import Store

ROOT = Path(__file__).resolve().parents[1]
LEVELS = {"zstd": (1, 2, 3, 6), "br": (0, 1, 2, 4), "gzip": (1, 3, 6)}
DEFAULTS = {"zstd": 3, "br": 4, "gzip": 6}  # flask-compress's
CONFIGURED = {
    "zstd": COMPRESSION["COMPRESS_ZSTD_LEVEL"],
    "br": COMPRESSION["COMPRESS_BR_LEVEL"],
    "gzip": COMPRESSION["COMPRESS_LEVEL"],
}
MBIT = 1_000_000 / 8  # bytes per second per Mbit/s


def compressed(algorithm: str, data: bytes, level: int) -> bytes:
    if algorithm == "zstd":
        return zstd.compress(data, level)
    if algorithm == "br":
        return brotli.compress(data, quality=level)
    return zlib.compress(data, level)


def median_ms(compress: Callable[[], bytes], repeat: int) -> tuple[float, int]:
    """Median milliseconds of `compress` and the size it returns."""
    size = len(compress())
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        compress()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), size


def sent_ms(cpu_ms: float, size: int, mbits: int) -> float:
    return cpu_ms + size / (mbits * MBIT) * 1000


def answers() -> dict[str, bytes]:
    """The view callback's first answers at 'Max' and at the default view, uncompressed."""
    with tempfile.TemporaryDirectory() as cache_dir:
        client = create_app(Store(open_cache(Path(cache_dir)))).server.test_client()
        spec = find_callback(client.get("/_dash-dependencies").get_json(), ids.URL)
        return {
            f"view answer {search or 'default'}": client.post(
                "/_dash-update-component", json=callback_body(spec, {"url.search": search}, "url.search")
            ).data
            for search in ("?preset=max", "")
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    repeat = parser.parse_args().repeat
    bundle = next((ROOT / "assets").glob("plotly-*.min.js"))
    payloads = answers() | {bundle.name: bundle.read_bytes()}
    print(f"compression: median of {repeat}; 'send' = CPU + transfer; * flask-compress's default, > riskon's level")
    for name, data in payloads.items():
        print(f"{name}: {len(data) / 1024:.0f} KiB")
        print(f"  {'':10}{'CPU':>9}{'bytes':>10}{'send 100 Mbit/s':>17}{'send 10 Mbit/s':>16}")
        print(f"  {'identity':10}{0:7.2f}ms{len(data) / 1024:7.0f}KiB"
              f"{sent_ms(0, len(data), 100):15.2f}ms{sent_ms(0, len(data), 10):14.1f}ms   (floor)")  # fmt: skip
        for algorithm, levels in LEVELS.items():
            for level in levels:
                cpu, size = median_ms(functools.partial(compressed, algorithm, data, level), repeat)
                mark = (">" if level == CONFIGURED[algorithm] else " ") + ("*" if level == DEFAULTS[algorithm] else " ")
                print(f"{mark}{algorithm + ' ' + str(level):10}{cpu:7.2f}ms{size / 1024:7.0f}KiB"
                      f"{sent_ms(cpu, size, 100):15.2f}ms{sent_ms(cpu, size, 10):14.1f}ms")  # fmt: skip


if __name__ == "__main__":
    main()
