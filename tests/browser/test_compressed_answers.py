"""Chromium takes the page zstd-compressed (it offers zstd over http:// too), the page holds the view's first answer
(every chart's figure, layout.page_for_referrer), and every figure in it is drawn."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Page, Response

from benchmarks.dash_client import layout_values

pytestmark = pytest.mark.browser


def _figures(layout: Any) -> dict[str, list[str | None]]:
    """Each chart's trace names in a layout (Dash's JSON of components)."""
    held = layout_values(layout)
    return {
        key.removeprefix("graph-").removesuffix(".figure"): [trace.get("name") for trace in figure["data"]]
        for key, figure in held.items()
        if key.startswith("graph-") and key.endswith(".figure")
    }


def _layout(response: Response) -> bool:
    return "_dash-layout" in response.url


def test_the_page_arrives_zstd_compressed_holding_every_figure_and_each_is_drawn(page: Page, live_url: str) -> None:
    with page.expect_response(_layout, timeout=60_000) as answer:
        page.goto(live_url + "/?preset=1y")
    assert answer.value.headers["content-encoding"] == "zstd"
    assert "zstd" in answer.value.request.all_headers()["accept-encoding"]
    figures = _figures(json.loads(answer.value.body()))
    assert len(figures) == 9 and all(figures.values())
    page.wait_for_function(
        """figures => Object.entries(figures).every(([key, names]) => {
            const drawn = document.querySelector(`#graph-${key} .js-plotly-plot`)?.data || [];
            return JSON.stringify(drawn.map(trace => trace.name ?? null)) === JSON.stringify(names);
        })""",
        arg=figures,
        timeout=60_000,
    )
