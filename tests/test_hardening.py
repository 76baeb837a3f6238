"""Issue 5: fuzzed URLs and callback payloads never cause a 500 or a traceback; headers; health; no leaked keys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import create_app
from benchmarks.dash_client import callback_body, find_callback
from components.url_state import decode, encode
from data_sources import snapshot
from data_sources.config import open_cache
from data_sources.series import SERIES
from data_sources.store import Store

CASES = {"url": 0, "sync": 0, "render": 0, "envelope": 0}
FUZZ = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
query_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=200) | st.builds(
    lambda pairs: "?" + "&".join(f"{k}={v}" for k, v in pairs),
    st.lists(
        st.tuples(
            st.sampled_from(["range", "preset", "equity", "alt", "scale", "mode", "stables", "theme", "x"]),
            st.text(max_size=30),
        ),
        max_size=8,
    ),
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    return create_app(Store(open_cache(tmp_path_factory.mktemp("cache")))).server.test_client()


@pytest.fixture(scope="module")
def dependencies(client: FlaskClient) -> list[dict[str, Any]]:
    return client.get("/_dash-dependencies").get_json()  # type: ignore[no-any-return]


def _assert_clean(response: Any) -> None:
    assert response.status_code != 500
    assert b"Traceback" not in response.data and b'File "' not in response.data


@FUZZ
@given(query_text)
def test_any_url_serves_the_page(client: FlaskClient, search: str) -> None:
    CASES["url"] += 1
    response = client.get("/" + search.replace("#", "%23"))
    _assert_clean(response)
    assert response.status_code == 200
    assert decode(encode(decode(search))) == decode(search)


@FUZZ
@given(st.dictionaries(st.sampled_from(["url.search", "zoom.data", "preset.value", "dates.start_date",
                                        "dates.end_date", "stables.value", "equity.value", "altcoin.value",
                                        "scale.value", "mode.value", "theme.value", "view.data"]), json_values),
       st.sampled_from(["url.search", "zoom.data", "preset.value", "dates.start_date", "stables.value",
                        "equity.value", "theme.value"]))  # fmt: skip
def test_fuzzed_sync_payloads_answer_a_sanitized_view(
    client: FlaskClient, dependencies: list[dict[str, Any]], values: dict[str, Any], changed: str
) -> None:
    CASES["sync"] += 1
    body = callback_body(find_callback(dependencies, "url"), values, changed)
    response = client.post("/_dash-update-component", json=body)
    _assert_clean(response)
    if response.status_code == 200:
        view = response.get_json()["response"]["view"]["data"]
        assert encode(decode(view)) == view, "the view written back is always canonical"


@FUZZ
@given(json_values | query_text)
def test_fuzzed_render_payloads_never_fail(client: FlaskClient, dependencies: list[dict[str, Any]], view: Any) -> None:
    CASES["render"] += 1
    body = callback_body(find_callback(dependencies, "view"), {"view.data": view}, "view.data")
    response = client.post("/_dash-update-component", json=body)
    _assert_clean(response)
    assert response.status_code == 200


@FUZZ
@given(json_values | st.binary(max_size=200))
def test_malformed_callback_envelopes_are_400_not_500(client: FlaskClient, body: Any) -> None:
    CASES["envelope"] += 1
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = client.post("/_dash-update-component", data=data, content_type="application/json")
    _assert_clean(response)
    assert response.status_code in (200, 204, 400)


def test_fuzzing_ran_every_strategy_and_reports_how_many_cases(capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print(f"\nfuzz cases run: {CASES} ({sum(CASES.values())} in all)")
    assert all(count >= 100 for count in CASES.values()), CASES


def test_security_headers_and_a_csp_that_lets_dash_run(client: FlaskClient) -> None:
    headers = client.get("/").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "'sha256-" in csp
    assert "'unsafe-eval'" not in csp and "script-src 'self' 'sha256-" in csp


def test_health_reports_each_series_freshness(client: FlaskClient) -> None:
    response = client.get("/healthz")
    body = response.get_json()
    assert response.status_code == 200 and body["status"] == "ok" and body["mode"] == "snapshot"
    assert (
        body["series"]["rut"]["last"] == snapshot.manifest()["rut"]["last"] and body["series"]["rut"]["stale"] is False
    )
    assert set(body["series"]) == set(SERIES)


def test_api_keys_never_reach_the_page_the_callbacks_or_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "sk-riskon-test-SECRET-4242"
    for name in ("COINGECKO_API_KEY", "COINGECKO_DEMO_API_KEY", "ALPHAVANTAGE_API_KEY"):
        monkeypatch.setenv(name, secret)
    cache_dir = tmp_path / "cache"
    client = create_app(Store(open_cache(cache_dir))).server.test_client()
    dependencies = client.get("/_dash-dependencies").get_json()
    seen = [client.get(path).data for path in ("/", "/_dash-layout", "/_dash-config", "/healthz")]
    body = callback_body(find_callback(dependencies, "view"), {"view.data": "?preset=max"}, "view.data")
    seen.append(client.post("/_dash-update-component", json=body).data)
    assert all(secret.encode() not in data for data in seen)
    assert not any(secret.encode() in path.read_bytes() for path in cache_dir.rglob("*") if path.is_file())


def test_debug_is_off(client: FlaskClient) -> None:
    assert client.application.debug is False


def test_no_request_reaches_upstream_whatever_its_input(tmp_path: Path) -> None:
    """Pages read only the cache (issue 10): even in live mode with an empty cache, hostile view state included,
    the server fetches nothing; refreshing is background work."""
    import re

    import responses

    client = create_app(Store(open_cache(tmp_path / "cache"), mode="live")).server.test_client()
    dependencies = client.get("/_dash-dependencies").get_json()
    evil = "?range=2020-01-01..2021-01-01&equity=http://evil.example/&alt=../../etc&stables=usdt,http://evil.example"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as upstream:
        upstream.add_callback(responses.GET, re.compile(r".*"), callback=lambda request: (503, {}, b""))
        for body in (
            callback_body(find_callback(dependencies, "url"), {"url.search": evil}, "url.search"),
            callback_body(find_callback(dependencies, "view"), {"view.data": evil}, "view.data"),
        ):
            assert client.post("/_dash-update-component", json=body).status_code == 200
        assert client.get("/healthz").get_json()["state"] == "starting", "nothing fetched yet"
        assert len(upstream.calls) == 0
