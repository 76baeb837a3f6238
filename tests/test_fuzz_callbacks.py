"""Fuzz: mutated real callback requests and mutated real query strings never get a 500 or a traceback."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

CALLBACK_PATH = "/_dash-update-component"
README = Path(__file__).parents[1] / "README.md"
# Dates Python's datetime cannot step past, days that do not exist, and text that only looks like a date.
ODD_DATES = [
    "0001-01-01",
    "9999-12-31",
    "1970-01-01",
    "2020-02-30",
    "2021-13-01",
    "0000-00-00",
    "99999-01-01",
    "2021-1-1",
]
ODD_NUMBERS = [0, -1, 1.5, -1e308, 1e308, 2**63, -(2**63) - 1, 10**40, float("nan"), float("inf"), -float("inf")]
DEEP = 60  # nesting built as Python values up to this depth, as text beyond it
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
CASES = settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))
QUERY_CASES = settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
# About a minute on an idle 2-core machine; several times that while other suites load it.
pytestmark = pytest.mark.timeout(900)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.sampled_from(ODD_NUMBERS)
    | st.text(max_size=40)
    | st.sampled_from(ODD_DATES),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=8,
)


def _paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path to every node of a JSON value, the root first."""
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    return [at, *(path for key, child in children for path in _paths(child, (*at, key)))]


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        node = node[key]
    return node


def _nested(value: Any, depth: int) -> Any:
    """`value` inside `depth` lists and objects; past Python's own recursion limit, a marker `serialize` expands."""
    if depth > DEEP:
        return f"\x00deep{depth}\x00"
    for level in range(depth):
        value = [value] if level % 2 else {"x": value}
    return value


def serialize(body: Any) -> str:
    """JSON text of a mutated request, with each deep-nesting marker written out as that many nested lists."""
    return re.sub(r'"\\u0000deep(\d+)\\u0000"', lambda m: "[" * int(m[1]) + "0" + "]" * int(m[1]), json.dumps(body))


def _replacement(value: Any, data: st.DataObject, pool: list[Any]) -> Any:
    """A mutation of one node: another type, another real value, an odd date or number, deep nesting, or junk."""
    kind = data.draw(st.sampled_from(["junk", "real", "date", "number", "type", "nest", "empty"]))
    if kind == "real":
        return copy.deepcopy(data.draw(st.sampled_from(pool)))
    if kind == "date":
        odd = data.draw(st.sampled_from(ODD_DATES))
        return DATE.sub(odd, value, count=1) if isinstance(value, str) and DATE.search(value) else odd
    if kind == "number":
        return data.draw(st.sampled_from(ODD_NUMBERS))
    if kind == "type":
        return data.draw(st.sampled_from([str(value), [value], {"value": value}, None, True]))
    if kind == "nest":
        return _nested(value, data.draw(st.integers(1, 3000)))
    if kind == "empty":
        return type(value)() if isinstance(value, list | dict | str) else None
    return data.draw(json_values)


def mutate(body: dict[str, Any], data: st.DataObject, pool: list[Any]) -> dict[str, Any]:
    """One to three mutations inside a real request: a node replaced, removed or repeated, or a key added."""
    body = copy.deepcopy(body)
    for _ in range(data.draw(st.integers(1, 3))):
        if not (paths := _paths(body)[1:]):
            break
        path = data.draw(st.sampled_from(paths))
        parent, key = _get(body, path[:-1]), path[-1]
        action = data.draw(st.sampled_from(["replace", "replace", "replace", "remove", "repeat", "add"]))
        if action == "replace":
            parent[key] = _replacement(parent[key], data, pool)
        elif action == "remove":
            del parent[key]
        elif action == "repeat" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
        elif isinstance(parent, dict):
            parent[data.draw(st.text(max_size=12))] = data.draw(json_values)
    return body


def assert_handled(response: Any) -> None:
    """A client error is a 4xx; only a server bug would be a 500, and no answer ever carries a traceback."""
    assert response.status_code in (200, 204, 400, 413), (response.status_code, response.data[:500])
    assert b"Traceback" not in response.data and b'File "' not in response.data


def test_the_real_requests_are_accepted(app_client: FlaskClient, real_payloads: list[dict[str, Any]]) -> None:
    """The envelope check lets every request the renderer really sends through (real_payloads asserts each one)."""
    outputs = {body["output"] for body in real_payloads}
    server_callbacks = [s for s in app_client.get("/_dash-dependencies").get_json() if not s.get("clientside_function")]
    assert outputs == {spec["output"] for spec in server_callbacks}, "a request for every server callback"
    # The parts built when wanted (layout.deferred) are built here too: a row click sends the table's real rows.
    entries = [entry for body in real_payloads for group in (body["inputs"], body.get("state", [])) for entry in group]
    rows = [item.get("value") for entry in entries for item in (entry if isinstance(entry, list) else [entry])
            if item and item.get("property") == "derived_viewport_data"]  # fmt: skip
    assert any(rows), "a request carries the signal table's rows"


def test_odd_dates_anywhere_in_a_real_request_are_handled(
    app_client: FlaskClient, real_payloads: list[dict[str, Any]]
) -> None:
    """Every date in every real request, swapped in turn for dates datetime cannot step past or that do not exist."""
    tried = 0
    for body in real_payloads:
        for path in _paths(body):
            value = _get(body, path)
            if path and isinstance(value, str) and DATE.search(value):
                for odd in ("0001-01-01", "9999-12-31", "2021-02-30"):
                    mutated = copy.deepcopy(body)
                    _get(mutated, path[:-1])[path[-1]] = DATE.sub(odd, value)
                    assert_handled(app_client.post(CALLBACK_PATH, json=mutated))
                    tried += 1
    assert tried >= 30, "the real requests carry dates (the view, the signal table's rows)"


@pytest.fixture(scope="module")
def real_values(real_payloads: list[dict[str, Any]]) -> list[Any]:
    """Every value in every real request, to swap in elsewhere."""
    return [_get(body, path) for body in real_payloads for path in _paths(body)]


@CASES
@given(st.data())
def test_mutated_real_callback_requests_never_fail(
    app_client: FlaskClient, real_payloads: list[dict[str, Any]], real_values: list[Any], data: st.DataObject
) -> None:
    body = mutate(data.draw(st.sampled_from(real_payloads)), data, real_values)
    assert_handled(app_client.post(CALLBACK_PATH, data=serialize(body), content_type="application/json"))


def _readme_queries() -> list[str]:
    """The view URLs the README documents, as real queries to start from."""
    return sorted(set(re.findall(r"\?[a-z_]+=[^\s`)\"']+", README.read_text())))


def _mutated_query(query: str, data: st.DataObject) -> str:
    pairs = [[*pair.split("=", 1), ""] for pair in query.lstrip("?").split("&")]
    keys = [pair[0] for pair in pairs]
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(pairs) - 1)) if pairs else 0
        action = data.draw(st.sampled_from(["value", "date", "key", "drop", "repeat", "text"]))
        if not pairs or action == "text":
            pairs.append([data.draw(st.sampled_from(keys)), quote(data.draw(st.text(max_size=30)), safe="")])
        elif action == "value":
            pairs[index][1] = data.draw(st.sampled_from([str(n) for n in ODD_NUMBERS] + ["", "..", "%00", "a,b,,c"]))
        elif action == "date":
            pairs[index][1] = DATE.sub(data.draw(st.sampled_from(ODD_DATES)), pairs[index][1], count=1) or "9999-12-31"
        elif action == "key":
            pairs[index][0] = data.draw(st.sampled_from([*keys, "", "x", "range[]"]))
        elif action == "drop":
            pairs.pop(index)
        else:
            pairs.insert(index, list(pairs[index]))
    return "?" + "&".join(f"{key}={value}" for key, value, *_ in pairs)


@QUERY_CASES
@given(st.data())
def test_mutated_real_query_strings_serve_the_page_and_a_view(
    app_client: FlaskClient, real_payloads: list[dict[str, Any]], data: st.DataObject
) -> None:
    """The page always loads, and every callback reading the URL's query answers, for any mutation of a real one."""
    query = _mutated_query(data.draw(st.sampled_from(_readme_queries())), data)
    assert_handled(page := app_client.get("/" + query.replace("#", "%23")))
    assert page.status_code == 200
    # The browser names that URL when it asks for the page's components, which come holding its view.
    referred = app_client.get("/_dash-layout", headers={"Referer": "http://127.0.0.1/" + query.replace("#", "%23")})
    assert_handled(referred)
    assert referred.status_code == 200
    for body in real_payloads:
        for position, entry in enumerate(body["inputs"]):
            if isinstance(entry, dict) and entry["property"] == "search":
                sent = copy.deepcopy(body)
                sent["inputs"][position]["value"] = query
                response = app_client.post(CALLBACK_PATH, json=sent)
                assert_handled(response)
                assert response.status_code in (200, 204)
