"""HTTP hardening: security headers with a CSP that still lets Dash and Plotly run, and no 500s for bad requests."""

from __future__ import annotations

import logging

from dash import Dash
from flask import Response, request
from flask_talisman import Talisman
from werkzeug.exceptions import HTTPException

log = logging.getLogger("riskon.security")
DASH_CALLBACK_PATH = "/_dash-update-component"
# What a malformed callback request raises inside Dash or a callback: the client's fault, so a 400.
BAD_REQUEST_ERRORS = (KeyError, TypeError, ValueError, IndexError, AttributeError)


def content_security_policy(app: Dash) -> dict[str, str | list[str]]:
    """Same-origin everything; Dash's inline scripts by hash; inline styles (Plotly sets them); data: images (PNG)."""
    return {
        "default-src": "'self'",
        "script-src": ["'self'", *app.csp_hashes()],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "frame-ancestors": "'none'",
        "form-action": "'self'",
    }


def harden(app: Dash) -> None:
    """Add security headers to every response and turn malformed callback requests into 400s."""
    Talisman(
        app.server,
        content_security_policy=content_security_policy(app),
        # TLS ends at the reverse proxy in front of gunicorn; HSTS is still sent on HTTPS requests.
        force_https=False,
        frame_options="DENY",
        referrer_policy="same-origin",
        session_cookie_secure=False,
    )

    @app.server.errorhandler(Exception)
    def bad_callback_request(error: Exception) -> Response | HTTPException:
        if isinstance(error, HTTPException):  # 400s and 404s already say what is wrong
            return error
        if request.path == DASH_CALLBACK_PATH and isinstance(error, BAD_REQUEST_ERRORS):
            log.warning("riskon: rejected a malformed callback request (%s)", type(error).__name__)
            return Response("malformed callback request", 400, mimetype="text/plain")
        log.exception("riskon: unhandled error on %s", request.path)
        return Response("internal error", 500, mimetype="text/plain")
