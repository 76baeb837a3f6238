"""How riskon's answers travel: the view callback's answer is compressed with the best algorithm the client takes,
at riskon's levels, and decodes to exactly what an uncompressed answer holds."""

from __future__ import annotations

import gzip
import json
from typing import Any

import brotli
import pytest
from backports import zstd
from flask.testing import FlaskClient

from benchmarks.dash_client import callback_body, find_callback
from components import ids
from components.static import CHUNK_SECONDS, COMPRESSION

CHROMIUM = "gzip, deflate, br, zstd"  # what Chromium 156 sends, over http:// too
DECODE = {"zstd": zstd.decompress, "br": brotli.decompress, "gzip": gzip.decompress}


@pytest.fixture(scope="module")
def view_body(app_client: FlaskClient) -> dict[str, Any]:
    """The view callback's request for a first render at 'Max' (the largest answer)."""
    spec = find_callback(app_client.get("/_dash-dependencies").get_json(), ids.URL)
    return callback_body(spec, {"url.search": "?preset=max"}, "url.search")


@pytest.fixture(scope="module")
def plain_answer(app_client: FlaskClient, view_body: dict[str, Any]) -> bytes:
    response = app_client.post("/_dash-update-component", json=view_body)
    assert "Content-Encoding" not in response.headers
    return response.data


@pytest.mark.parametrize(
    ("accept", "encoding"),
    [(CHROMIUM, "zstd"), ("gzip, deflate, br", "br"), ("gzip, deflate", "gzip"), ("br;q=0, gzip", "gzip")],
)
def test_view_answer_compressed_as_the_client_takes_and_decodes_to_the_same_figures(
    app_client: FlaskClient, view_body: dict[str, Any], plain_answer: bytes, accept: str, encoding: str
) -> None:
    response = app_client.post("/_dash-update-component", json=view_body, headers={"Accept-Encoding": accept})
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert len(response.data) < 0.6 * len(plain_answer)  # mostly base64 floats: 1.8-2.2x
    decoded = json.loads(DECODE[encoding](response.data))
    assert decoded == json.loads(plain_answer)
    assert sum(key.startswith("graph-") for key in decoded["response"]) == 9


def test_brotli_at_riskons_level(app_client: FlaskClient, view_body: dict[str, Any], plain_answer: bytes) -> None:
    """Level 1, not flask-compress's 4: 3x less CPU for 3% more bytes (brotli's output is deterministic)."""
    response = app_client.post("/_dash-update-component", json=view_body, headers={"Accept-Encoding": "br"})
    level = COMPRESSION["COMPRESS_BR_LEVEL"]
    assert response.data == brotli.compress(plain_answer, quality=level)
    assert response.data != brotli.compress(plain_answer, quality=4)


def test_dash_chunks_are_cached_a_day_and_a_missing_one_not_at_all(app_client: FlaskClient) -> None:
    # Found by QA: a 404 under the component suites was cached publicly for a day, so a file a deploy adds would
    # stay missing for browsers and proxies that asked before.
    chunk = app_client.get("/_dash-component-suites/dash/dcc/async-graph.js")
    assert chunk.status_code == 200
    assert chunk.cache_control.public and chunk.cache_control.max_age == CHUNK_SECONDS
    missing = app_client.get("/_dash-component-suites/dash/dcc/async-nope.js")
    assert missing.status_code == 404
    assert missing.cache_control.max_age is None and not missing.cache_control.public
