"""`/claims`: every claim the project tests, its value on the current data, the verdict and a link to the view."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, Response
from markupsafe import Markup, escape

from data_sources.claims import Claim, Finding, findings

if TYPE_CHECKING:
    from data_sources.store import Store


def _row(claim: Claim, finding: Finding) -> str:
    verdict = escape(finding.verdict)
    css = "verdict-" + finding.verdict.replace(" ", "-")
    return (
        f"<tr><td>{claim.number}</td><td>{escape(claim.text)}</td><td>{escape(finding.value)}</td>"
        f"<td><span class='verdict {css}'>{verdict}</span><div class='claims-why'>{escape(finding.why)}</div></td>"
        f"<td class='claims-convention'>{escape(finding.convention)}</td>"
        f"<td><a href='/{escape(claim.view)}'>open view</a></td></tr>"
    )


def page(results: list[tuple[Claim, Finding]]) -> str:
    """The claims page as HTML (every value escaped)."""
    rows = "".join(_row(claim, finding) for claim, finding in results)
    return str(
        Markup(
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            "<title>riskon · claims tested</title><link rel='stylesheet' href='/assets/claims.css'></head>"
            "<body class='claims-page'><header><a href='/' class='claims-home'>riskon</a>"
            "<h1>The Dec 2025 claims, tested on the current data</h1>"
            "<p>Each value is computed now from the data the dashboard shows; <em>cannot test</em> says what is "
            "missing. <code>riskon claims</code> prints the same table.</p></header>"
            "<div class='claims-scroll'><table class='claims'><thead><tr><th>#</th><th>Claim</th><th>What the data "
            "says</th><th>Verdict</th><th>Convention</th><th>View</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div></body></html>"
        )
    )


def register(server: Flask, store: Store) -> None:
    """Add GET /claims."""

    @server.get("/claims")
    def claims() -> Response:
        return Response(page(findings(store)), mimetype="text/html")
