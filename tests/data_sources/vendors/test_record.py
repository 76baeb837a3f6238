"""`riskon record` against a fake upstream on 127.0.0.1: each adapter's body saved under its vendor, keys
blanked, a failing vendor reported while the others are still recorded."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from data_sources.base import Adapter
from data_sources.record import record
from data_sources.vendors.alternative_me import AlternativeMe
from data_sources.vendors.fred import Fred
from data_sources.vendors.yahoo import Yahoo
from tests.data_sources.fake_upstream import Reply, Upstream
from tests.data_sources.vendors.conftest import fixture_bytes


def test_record_saves_each_vendors_body_and_reports_failures(
    upstream: Upstream, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COINGECKO_API_KEY", "SECRET-KEY-123")
    fng = fixture_bytes("alternative_me/fng_limit2.json").replace(b"Fear", b"Fear SECRET-KEY-123")
    upstream.routes["/fng/"] = lambda query: Reply(200, fng)
    rut = fixture_bytes("yahoo/chart_RUT_1mo_2026-08-22.json.gz")
    upstream.routes["/v8/finance/chart/%5ERUT"] = lambda query: Reply(200, rut)
    chains: dict[str, tuple[Adapter, ...]] = {
        "fear_greed": (AlternativeMe(api=f"{upstream.url}/fng/"),),
        "rut": (Yahoo("^RUT", host=upstream.url),),
        "walcl": (Fred("WALCL", api=f"{upstream.url}/missing"),),
    }
    outcomes = record(chains, out_dir=tmp_path)
    saved = gzip.decompress((tmp_path / "alternative_me/fear_greed_recorded.json.gz").read_bytes())
    assert b"SECRET-KEY-123" not in saved and saved == fng.replace(b"SECRET-KEY-123", b"REDACTED")
    assert gzip.decompress((tmp_path / "yahoo/rut_recorded.json.gz").read_bytes()) == rut
    assert outcomes["fred/walcl"].startswith("failed: HTTP 404")

    only_yahoo = record(chains, ["yahoo"], out_dir=tmp_path / "again")
    assert list(only_yahoo) == [str(tmp_path / "again/yahoo/rut_recorded.json.gz")]
