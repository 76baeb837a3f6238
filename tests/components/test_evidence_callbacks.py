"""The event-study and upload callbacks over HTTP (Flask's test client): any view or pending upload a client sends
is answered 200 with a figure or a reason, never a 500 or a traceback; a valid upload comes back as the view's id."""

from __future__ import annotations

import base64
import json
from typing import Any

import pandas as pd
import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import create_app
from benchmarks.dash_client import writes
from components import ids
from components.charts import upload
from components.url_state import STUDY_ASSET, STUDY_SIGNAL
from data_sources.config import open_cache
from data_sources.store import Store
from tests.conftest import Page, stringify_id

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
study_views = st.builds(
    lambda signal, asset, extra: f"?signal={signal}&asset={asset}&{extra}",
    st.sampled_from([*STUDY_SIGNAL.options, "nope"]),
    st.sampled_from([*STUDY_ASSET.options, "others_mcap"]),
    st.sampled_from(["", "upload=0123456789abcdef", "study_days=30", "placebo=spaced&resolution=monthly",
                     "entry=prior&upload_days=5", "upload_column=8", "study_days=99999"]),
)  # fmt: skip


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    return create_app(Store(open_cache(tmp_path_factory.mktemp("cache")))).server.test_client()


@pytest.fixture(scope="module")
def dependencies(client: FlaskClient) -> list[dict[str, Any]]:
    return client.get("/_dash-dependencies").get_json()  # type: ignore[no-any-return]


Deps = list[dict[str, Any]]


EVIDENCE_GRAPHS = (ids.STUDY_GRAPH, ids.UPLOAD_GRAPH)  # built as their cards near the screen (layout.deferred)


def built_key(kind: str) -> str:
    """Where an answer holds a component built when wanted: its pattern id as Dash writes it."""
    return stringify_id(ids.indexed(kind))


def _with_graphs(page: Page) -> Page:
    """`page` once the evidence graphs are built, as they are when their cards near the screen."""
    for kind in EVIDENCE_GRAPHS:
        page.components[built_key(kind)] = (ids.indexed(kind), "Graph", {})
    return page


def _post(client: FlaskClient, dependencies: Deps, output: str, first_input: str, value: object) -> Any:
    """The answer of the server callback that writes `output` and reads `first_input` first, given `value`, with
    the evidence cards on screen."""
    return _post_values(client, dependencies, output, first_input, {f"{first_input}.data": value})


def _post_values(client: FlaskClient, dependencies: Deps, output: str, first_input: str, values: dict[str, Any]) -> Any:
    """The answer of that callback given `values` ('id.property'), its first input changed."""
    spec = next(spec for spec in dependencies if writes(spec, output)
                and spec["inputs"][0]["id"] == first_input and not spec.get("clientside_function"))  # fmt: skip
    changed = next(key for key in values if key.startswith(f"{first_input}."))
    page = _with_graphs(Page(client.get("/_dash-layout").get_json()))
    for key, value in values.items():  # the props as the renderer would hold them
        component, prop = key.rsplit(".", 1)
        page.components[component][2][prop] = value
    response = _send(client, page, spec, changed)
    assert response.status_code == 200, response.data[:300]
    assert b"Traceback" not in response.data
    return response.get_json()["response"]


def _send(client: FlaskClient, page: Page, spec: dict[str, Any], changed: str) -> Any:
    body = page.request(spec, triggered=False)
    assert body is not None
    return client.post("/_dash-update-component", json=body | {"changedPropIds": [changed]})


def test_the_evidence_cards_are_not_computed_before_they_near_the_screen(
    client: FlaskClient, dependencies: Deps
) -> None:
    """On load the study (10,000 placebo draws) and the upload card answer nothing: their graphs are built, and
    drawn, once their cards near the screen."""
    for graph, store in ((ids.STUDY_GRAPH, ids.STUDY_VIEW), (ids.UPLOAD_GRAPH, ids.UPLOAD_VIEW)):
        spec = next(spec for spec in dependencies if writes(spec, graph))
        page = Page(client.get("/_dash-layout").get_json())
        page.components[store][2]["data"] = "?signal=liquidity"
        assert _send(client, page, spec, f"{store}.data").status_code == 204  # no graph yet: nothing computed
        shown = _send(client, _with_graphs(page), spec, f"{store}.data")
        assert shown.status_code == 200 and "layout" in shown.get_json()["response"][built_key(graph)]["figure"]


@FUZZ
@given(study_views | json_values)
def test_any_study_view_gets_figures(client: FlaskClient, dependencies: Deps, view: Any) -> None:
    for graph, store in ((ids.STUDY_GRAPH, ids.STUDY_VIEW), (ids.UPLOAD_GRAPH, ids.UPLOAD_VIEW)):
        assert "layout" in _post(client, dependencies, graph, store, view)[built_key(graph)]["figure"]


@FUZZ
@given(json_values | st.fixed_dictionaries({"contents": st.text(max_size=60), "filename": st.text(max_size=20)}))
def test_any_pending_upload_gets_a_reason(client: FlaskClient, dependencies: Deps, pending: Any) -> None:
    answer = _post(client, dependencies, ids.UPLOAD_MESSAGE, ids.UPLOAD_PENDING, pending)
    assert answer[ids.UPLOAD_MESSAGE]["children"] and answer[ids.UPLOAD_MESSAGE]["className"] == "panel-message"
    assert "upload" not in answer  # nothing valid, so the view's upload id is left alone


def test_a_valid_pending_upload_becomes_the_views_upload(
    client: FlaskClient, dependencies: list[dict[str, Any]]
) -> None:
    contents = "data:text/csv;base64," + base64.b64encode(b"date,x\n2021-01-01,1\n2021-01-02,2\n").decode()
    answer = _post(
        client, dependencies, ids.UPLOAD_MESSAGE, ids.UPLOAD_PENDING, {"contents": contents, "filename": "x"}
    )
    upload_id = answer["upload"]["value"]
    assert len(upload_id) == 16 and upload_id in answer[ids.UPLOAD_MESSAGE]["children"]
    answer = _post(client, dependencies, ids.UPLOAD_GRAPH, ids.UPLOAD_VIEW, f"?upload={upload_id}")
    figure = answer[built_key(ids.UPLOAD_GRAPH)]["figure"]
    assert [trace["name"] for trace in figure["data"]] == ["x", "BTC"]
    assert json.dumps(figure)  # plain JSON


def test_the_study_and_upload_stores_change_only_with_what_they_read(client: FlaskClient, dependencies: Deps) -> None:
    """A zoom or another chart's control leaves the study and the upload card alone (no request, no recompute)."""

    def stores(search: str, study: object = None, upload: object = None) -> dict[str, Any]:
        values = {"url.search": search, f"{ids.STUDY_VIEW}.data": study, f"{ids.UPLOAD_VIEW}.data": upload}
        answer = _post_values(client, dependencies, ids.STUDY_VIEW, "url", values)
        return {key: answer[key]["data"] for key in (ids.STUDY_VIEW, ids.UPLOAD_VIEW) if key in answer}

    first = stores("?signal=liquidity&vs=rut")
    assert first == {ids.STUDY_VIEW: "?signal=liquidity", ids.UPLOAD_VIEW: "?vs=rut"}
    after = stores("?signal=liquidity&vs=rut&range=2020-01-01..2021-01-01&equity=iwm", *first.values())
    assert after == {}
    assert stores("?signal=liquidity&vs=btc", *first.values()) == {ids.UPLOAD_VIEW: ""}


def test_the_largest_upload_allowed_fits_the_apps_request_cap(client: FlaskClient, dependencies: Deps) -> None:
    """The browser's size limit and the server's request cap agree: a file at the limit is parsed, not a 413."""
    rows = [
        f"{day:%Y-%m-%d},{index}.{'7' * 30}\n" for index, day in enumerate(pd.date_range("1950-01-01", periods=20_000))
    ]
    text = "date,wide\n" + "".join(rows)
    raw = text[: text.rindex("\n", 0, upload.MAX_UPLOAD_BYTES) + 1].encode()
    assert upload.MAX_UPLOAD_BYTES - 100 < len(raw) <= upload.MAX_UPLOAD_BYTES
    contents = "data:text/csv;base64," + base64.b64encode(raw).decode()
    answer = _post(
        client, dependencies, ids.UPLOAD_MESSAGE, ids.UPLOAD_PENDING, {"contents": contents, "filename": "w"}
    )
    assert answer[ids.UPLOAD_MESSAGE]["className"] == "convention", answer[ids.UPLOAD_MESSAGE]["children"]
