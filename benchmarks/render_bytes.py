"""Benchmark: bytes a render sends per preset against the raw float32 size of the points it shows.

Posts the view callback in-process (Flask's test client) for a first render of each preset, compressed as for
Chromium's Accept-Encoding and again uncompressed to read it, and counts the points each chart shows inside its
range, at most SCREEN_POINTS per trace (about two per pixel of a chart ~700 px wide: more cannot be seen). Prints,
per preset, the answer's size on the wire and decoded against the raw float32 size (x and y) of those points, and
how the decoded bytes split between traces and layout.
Goal (issue 11): at most 1.5x for the 5Y, 1Y and YTD views, with zooming out still instant (each line also carries
its decimated whole history).
Run: .venv/bin/python -m benchmarks.render_bytes
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from app import create_app
from benchmarks.dash_client import callback_body, find_callback
from components import ids
from components.figures import trace_points
from data_sources.config import open_cache
from data_sources.store import Store

PRESETS = ("max", "5y", "1y", "ytd")
GOAL = 1.5
SCREEN_POINTS = 1400  # about two points per pixel of a chart ~700 px wide
BROWSER = "gzip, deflate, br, zstd"  # Chromium's Accept-Encoding


def shown_points(figure: dict[str, Any]) -> int:
    """Points inside the figure's x range with a value, at most SCREEN_POINTS per trace."""
    low, high = (np.datetime64(day, "ms").astype("int64") for day in figure["layout"]["xaxis"]["range"])
    total = 0
    for trace in figure["data"]:
        if trace.get("x") == [None]:
            continue  # a legend key
        x, y = trace_points(trace)
        total += min(SCREEN_POINTS, int((np.isfinite(y) & (x >= low) & (x <= high)).sum()))
    return total


def main() -> None:
    with tempfile.TemporaryDirectory() as cache_dir:
        client = create_app(Store(open_cache(Path(cache_dir)))).server.test_client()
        spec = find_callback(client.get("/_dash-dependencies").get_json(), ids.URL)
        print(f"riskon: a first render's answer per preset, points shown at most {SCREEN_POINTS} per trace")
        print(f"{'preset':7}{'wire':>10}{'decoded':>10}{'raw x+y':>10}{'wire/raw':>10}{'decoded/raw':>13}"
              f"{'traces':>10}{'layout':>10}")  # fmt: skip
        for preset in PRESETS:
            body = callback_body(spec, {"url.search": f"?preset={preset}"}, "url.search")
            wire = len(client.post("/_dash-update-component", json=body, headers={"Accept-Encoding": BROWSER}).data)
            decoded = client.post("/_dash-update-component", json=body).get_json()
            figures = [
                value["figure"]
                for key, value in decoded["response"].items()
                if key.startswith("graph-") and isinstance(value.get("figure"), dict) and "data" in value["figure"]
            ]
            raw = sum(shown_points(figure) for figure in figures) * 2 * 4
            traces = sum(len(_json(figure["data"])) for figure in figures)
            layout = sum(len(_json(figure["layout"])) for figure in figures)
            size = len(_json(decoded))
            print(f"{preset:7}{wire / 1024:8.1f}KB{size / 1024:8.1f}KB{raw / 1024:8.1f}KB{wire / raw:9.2f}x"
                  f"{size / raw:12.2f}x{traces / 1024:8.1f}KB{layout / 1024:8.1f}KB")  # fmt: skip
        print(f"goal: wire/raw <= {GOAL}x for 5y, 1y and ytd (today {dt.date.today()})")


def _json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


if __name__ == "__main__":
    main()
