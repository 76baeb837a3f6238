"""`riskon sources` and `riskon refresh` as a user runs them (through app.main, the installed entry point)."""

from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path

import pytest
import responses

from app import main
from data_sources import http, snapshot
from data_sources.series import SERIES_IDS
from tests.conftest import FIXTURES


def test_sources_lists_every_series_with_range_and_provenance(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sources"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "source mode: snapshot"
    assert [line.split()[0] for line in lines[1:]] == list(SERIES_IDS)
    rut = next(line for line in lines if line.startswith("rut "))
    embedded = snapshot.manifest()["rut"]
    assert f"{embedded['first']} -> {embedded['last']}" in rut and "fresh" in rut and "snapshot (Yahoo Finance" in rut


def test_unknown_source_mode_in_the_environment_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RISKON_SOURCE", "bogus")
    assert main(["sources"]) == 2
    assert "RISKON_SOURCE='bogus' is not one of snapshot, live, auto" in capsys.readouterr().out


def test_bad_arguments_exit_with_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["refresh", "BTC-USD"])
    assert info.value.code == 2
    assert "unknown series 'BTC-USD'" in capsys.readouterr().err


@responses.activate
def test_refresh_warms_the_cache_and_summarises_each_series(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(http, "retry_policy", functools.partial(http.retry_policy, total=0))
    http.session.cache_clear()
    responses.get("https://api.alternative.me/fng/", body=(FIXTURES / "alternative_me/fng_limit2.json").read_bytes())
    responses.get("https://query2.finance.yahoo.com/v8/finance/chart/^RUT", status=500)
    assert main(["refresh", "fear_greed", "rut"]) == 1
    out = capsys.readouterr().out
    assert "ok       fear_greed" in out and "2026-07-10 -> 2026-07-11  alternative.me" in out
    assert "FAILED   rut" in out and "upstream error (HTTP 500)" in out
    assert "1 of 2 series refreshed" in out
    assert main(["sources", "--source", "live"]) == 0
    assert "fear_greed           2026-07-10 -> 2026-07-11" in capsys.readouterr().out


def test_data_prints_aligned_plain_decimals_never_filled(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "rut", "total_mcap", "--start", "2020-11-13", "--end", "2020-11-16"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "date,rut,total_mcap"
    days = [line.split(",")[0] for line in lines[1:]]
    assert days == ["2020-11-13", "2020-11-14", "2020-11-15", "2020-11-16"]
    weekend = dict(line.split(",", 1) for line in lines[1:])["2020-11-14"]
    assert weekend.startswith(",") and "e+" not in weekend and float(weekend[1:]) > 1e11


def test_data_as_json_and_bad_dates(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "fear_greed", "--start", "2021-01-01", "--end", "2021-01-02", "--format", "json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["date"] == ["2021-01-01", "2021-01-02"] and all(0 <= v <= 100 for v in body["fear_greed"])
    with pytest.raises(SystemExit):
        main(["data", "btc", "--start", "yesterday-ish"])
    assert "not a date: 'yesterday-ish'" in capsys.readouterr().err


@responses.activate
def test_record_saves_real_responses_per_vendor(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = (FIXTURES / "alternative_me/fng_limit2.json").read_bytes()
    responses.get("https://api.alternative.me/fng/", body=body)
    assert main(["record", "alternative_me", "--out", str(tmp_path)]) == 0
    saved = list((tmp_path / "alternative_me").iterdir())
    assert [path.name for path in saved] == ["fear_greed_recorded.json.gz"]
    assert gzip.decompress(saved[0].read_bytes()) == body
    assert "saved" in capsys.readouterr().out
