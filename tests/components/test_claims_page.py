"""/claims as a browser gets it: every claim, escaped text, links to dashboard views, and the same via the CLI."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from app import create_app, main
from components.claims_page import page
from components.url_state import decode, encode
from data_sources.claims import CLAIMS, Claim, Finding
from data_sources.store import Store


@pytest.fixture(scope="module")
def client(snapshot_store: Store) -> FlaskClient:
    return create_app(snapshot_store).server.test_client()


def test_claims_page_lists_all_thirteen_with_verdicts_and_view_links(client: FlaskClient) -> None:
    response = client.get("/claims")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    rows = re.findall(r"<tr><td>(\d+)</td>", html)
    assert rows == [str(n) for n in range(1, 14)]
    assert html.count("class='verdict verdict-") == 13
    links = re.findall(r"<a href='(/\?[^']+)'>open view</a>", html)
    assert len(links) == 13
    for link in links:  # every link opens a dashboard view
        assert client.get(link).status_code == 200


def test_claim_text_is_escaped() -> None:
    hostile = Claim(99, "<script>alert(1)</script>", (), lambda _: Finding("<b>", "c", "mixed", "w"), "?x=<y>")
    html = page([(hostile, hostile.evaluate(None))])  # type: ignore[arg-type]
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>" not in html


def test_riskon_claims_prints_the_same_claims(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["claims"]) == 0
    out = capsys.readouterr().out
    assert re.findall(r"^\s*(\d+)\. ", out, flags=re.M) == [str(n) for n in range(1, 14)]


def test_every_claim_links_a_valid_canonical_view() -> None:
    for claim in CLAIMS:  # a misspelt or out-of-range parameter would be dropped and change the query
        assert encode(decode(claim.view)) == claim.view, claim.number
