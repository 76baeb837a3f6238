"""HTTP hardening: security headers with a CSP that still lets Dash and Plotly run, a request size cap, and callback
requests checked against the registered callbacks before Dash dispatches them.

A request the client got wrong is a 4xx with a reason and at most one log line; anything raised after the check is
a server bug: logged with its traceback and answered 500 without detail.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Mapping
from typing import Any

from dash import Dash
from dash._utils import clean_property_name, split_callback_id, stringify_id
from dash.exceptions import DependencyException
from flask import Response, request
from flask_talisman import Talisman
from werkzeug.exceptions import BadRequest, HTTPException

log = logging.getLogger("riskon.security")
# The renderer's bodies are a few KiB (the view, a table's rows); 1 MiB leaves room and stops a 100 MB upload.
MAX_REQUEST_BYTES = 1 << 20
# Real bodies nest about 6 deep; Dash and the callbacks recurse over what they get.
MAX_JSON_DEPTH = 32
MULTI_VALUED = ("ALL", "ALLSMALLER")  # pattern wildcards whose dependency is a list of components
# The page holds at most 9 components of one pattern (a chart card each); a callback answers each listed output, so
# a longer list only multiplies its answer (1,000 entries made a 70 KB request draw a 155 MB answer).
MAX_PATTERN_ENTRIES = 32
Problem = str | None


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


def json_depth(value: Any) -> int:
    """How deep `value` (parsed JSON) nests: 0 for a scalar, 1 for a flat list or object. Level by level (no
    recursion, so any depth), each level one comprehension: it runs on every callback request."""
    depth, level = 0, [value]
    while level := [node for node in level if isinstance(node, dict | list)]:
        depth += 1
        level = [child for node in level for child in (node.values() if isinstance(node, dict) else node)]
    return depth


def _pattern(component_id: Any) -> dict[str, Any] | None:
    """A pattern-matching id as a dict (wildcards are ["MATCH"], ["ALL"], ["ALLSMALLER"]), else None. Callers
    must not mutate it."""
    if isinstance(component_id, dict):
        return component_id
    if isinstance(component_id, str) and component_id.startswith("{"):
        return _parsed_pattern(component_id)
    return None


@functools.lru_cache(maxsize=1024)
def _parsed_pattern(component_id: str) -> dict[str, Any] | None:
    """Parsed once: only registered callbacks' ids (a bounded set) are parsed, on every request."""
    parsed = json.loads(component_id)
    return parsed if isinstance(parsed, dict) else None


def _id_problem(sent: Any, expected: Any) -> Problem:
    pattern = _pattern(expected)
    if pattern is None:
        return None if sent == expected else "an id that is not the callback's"
    if not isinstance(sent, dict) or sent.keys() != pattern.keys():
        return "an id that does not fit the callback's pattern"
    for key, wanted in pattern.items():
        if isinstance(wanted, list):  # a wildcard: any scalar, as Dash allows in ids
            if not isinstance(sent[key], str | int | float | bool):
                return "a pattern id with a non-scalar value"
        elif sent[key] != wanted:
            return "an id that does not fit the callback's pattern"
    return None


def _item_problem(sent: Any, expected: Mapping[str, Any]) -> Problem:
    if not isinstance(sent, dict) or not isinstance(sent.get("property"), str):
        return "an entry that is not an {id, property} object"
    if clean_property_name(sent["property"]) != clean_property_name(expected["property"]):
        return "a property that is not the callback's"
    return _id_problem(sent.get("id"), expected["id"])


def _dependency_problem(sent: Any, expected: Mapping[str, Any]) -> Problem:
    """One input, state or output: an object, or a list of them for an ALL/ALLSMALLER pattern."""
    pattern = _pattern(expected["id"])
    if pattern and any(isinstance(v, list) and v[:1] and v[0] in MULTI_VALUED for v in pattern.values()):
        if not isinstance(sent, list):
            return "a pattern dependency that is not a list"
        if len(sent) > MAX_PATTERN_ENTRIES:
            return f"a pattern dependency of over {MAX_PATTERN_ENTRIES} components"
        return next((p for item in sent if (p := _item_problem(item, expected))), None)
    return _item_problem(sent, expected)


def _list_problem(name: str, sent: Any, expected: list[Mapping[str, Any]]) -> Problem:
    if not isinstance(sent, list):
        return f"{name} is not a list"
    if len(sent) != len(expected):
        return f"{name} has {len(sent)} entries, the callback {len(expected)}"
    for item, dependency in zip(sent, expected, strict=True):
        if problem := _dependency_problem(item, dependency):
            return f"{name}: {problem}"
    return None


def _prop_ids(dependencies: list[Any]) -> set[str]:
    """The 'id.property' strings Dash names the sent inputs by."""
    items = [item for entry in dependencies for item in (entry if isinstance(entry, list) else [entry])]
    return {f"{stringify_id(item['id'])}.{item['property']}" for item in items}


def envelope_problem(body: Any, callbacks: Mapping[str, Mapping[str, Any]]) -> Problem:
    """Why `body` is not a well-formed request for one of `callbacks` (Dash's callback_map), or None if it is.

    Checked: the shape and types, inputs/state/outputs matching the callback's definition one for one, and
    changedPropIds naming only sent inputs. Values are the callbacks' business.
    """
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    if json_depth(body) > MAX_JSON_DEPTH:
        return f"JSON nested deeper than {MAX_JSON_DEPTH}"
    output = body.get("output")
    if not isinstance(output, str) or output not in callbacks:
        return "output names no registered callback"
    spec = callbacks[output]
    if "callback" not in spec:
        return "output names a callback that runs in the browser"
    for name, expected in (("inputs", spec["inputs"]), ("state", spec["state"])):
        if problem := _list_problem(name, body.get(name, [] if name == "state" else None), expected):
            return problem
    if not spec.get("no_output"):
        wanted = split_callback_id(output)
        outputs = body.get("outputs")
        if isinstance(wanted, list):
            problem = _list_problem("outputs", outputs, wanted)
        elif problem := _dependency_problem(outputs, wanted):
            problem = f"outputs: {problem}"
        if problem:
            return problem
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(prop_id, str) for prop_id in changed):
        return "changedPropIds is not a list of strings"
    if not set(changed) <= _prop_ids(body["inputs"]):
        return "changedPropIds names a property that is not an input"
    return None


def _rejected(status: int, reason: str) -> Response:
    """The one log line (the path quoted: a %0A in it cannot start a fake line) and the answer for a request the
    client got wrong."""
    log.warning("rejected %s %r: %d %s", request.method, request.path, status, reason)
    return Response(f"{reason}\n", status, mimetype="text/plain")


def harden(app: Dash, *, max_request_bytes: int = MAX_REQUEST_BYTES) -> None:
    """Security headers on every response, a request size cap (413), and checked callback envelopes (400)."""
    Talisman(
        app.server,
        content_security_policy=content_security_policy(app),
        # TLS ends at the reverse proxy in front of gunicorn; HSTS is still sent on HTTPS requests.
        force_https=False,
        frame_options="DENY",
        referrer_policy="same-origin",
        session_cookie_secure=False,
    )
    app.server.config["MAX_CONTENT_LENGTH"] = max_request_bytes
    callback_path = f"{app.config.routes_pathname_prefix}_dash-update-component"

    @app.server.before_request
    def check_callback_envelope() -> Response | None:
        if request.path != callback_path or request.method != "POST":
            return None
        try:
            body = request.get_json()  # cached: Dash's dispatch reads the same parsed body
        except RecursionError:
            return _rejected(400, f"malformed callback request: JSON nested deeper than {MAX_JSON_DEPTH}")
        except BadRequest:  # not JSON; too large (413) or another media type (415) are HTTP errors of their own
            return _rejected(400, "malformed callback request: the body is not valid JSON")
        if problem := envelope_problem(body, app.callback_map):
            return _rejected(400, f"malformed callback request: {problem}")
        return None

    @app.server.errorhandler(DependencyException)
    def unknown_component_suite_file(_: DependencyException) -> Response:
        return _rejected(404, "not found")

    @app.server.errorhandler(Exception)
    def server_error(error: Exception) -> Response | HTTPException:
        if isinstance(error, HTTPException):  # 404, 405, 413...: the client's, and already say what is wrong
            return error
        log.exception("internal error on %s %s", request.method, request.path)
        return Response("internal error\n", 500, mimetype="text/plain")
