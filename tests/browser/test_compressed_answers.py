"""Chromium takes the view callback's answer zstd-compressed (it offers zstd over http:// too) and draws every figure
in it."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, Response

pytestmark = pytest.mark.browser


def _view_answer(response: Response) -> bool:
    return "_dash-update-component" in response.url and "graph-smallcaps.figure" in (response.request.post_data or "")


def test_the_view_answer_arrives_zstd_compressed_and_every_figure_in_it_is_drawn(page: Page, live_url: str) -> None:
    with page.expect_response(_view_answer, timeout=60_000) as answer:
        page.goto(live_url)
    assert answer.value.headers["content-encoding"] == "zstd"
    assert "zstd" in answer.value.request.all_headers()["accept-encoding"]
    figures = {
        key.removeprefix("graph-"): [trace.get("name") for trace in value["figure"]["data"]]
        for key, value in json.loads(answer.value.body())["response"].items()
        if key.startswith("graph-")
    }
    assert len(figures) == 9 and all(figures.values())
    page.wait_for_function(
        """figures => Object.entries(figures).every(([key, names]) => {
            const drawn = document.querySelector(`#graph-${key} .js-plotly-plot`)?.data || [];
            return JSON.stringify(drawn.map(trace => trace.name ?? null)) === JSON.stringify(names);
        })""",
        arg=figures,
        timeout=60_000,
    )
