from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from data_sources import fear_greed, snapshot
from data_sources.series import SERIES_IDS
from data_sources.snapshot_build import ALTERNATIVE_FNG, RAW_DIR, SNAPSHOT, build_series, write_snapshot


def test_committed_snapshot_equals_a_rebuild_from_raw_files(tmp_path: Path) -> None:
    manifest = write_snapshot(out_dir=tmp_path)
    assert set(manifest) == set(SNAPSHOT) <= set(SERIES_IDS)
    for series_id in manifest:
        rebuilt = (tmp_path / f"{series_id}.csv").read_text()
        assert rebuilt == (snapshot.SNAPSHOT_DIR / f"{series_id}.csv").read_text(), series_id
    assert (tmp_path / "manifest.json").read_text() == (snapshot.SNAPSHOT_DIR / "manifest.json").read_text()


@pytest.mark.parametrize("series_id", list(SNAPSHOT))
def test_every_series_loads_in_canonical_shape_with_provenance(series_id: str) -> None:
    series = snapshot.load(series_id)
    assert series.index.is_monotonic_increasing and series.index.is_unique
    assert len(series) > 1000
    entry = snapshot.manifest()[series_id]
    assert entry["rows"] == len(series)
    assert entry["last"] == series.index[-1].date().isoformat()
    assert snapshot.source_name(series_id).startswith("snapshot (")


def _on(series_id: str, day: str) -> float:
    return float(snapshot.load(series_id).loc[day])


def test_seed_facts_stablecoin_supply_in_early_december_2025() -> None:
    assert _on("usdt_supply", "2025-12-05") == pytest.approx(185e9, rel=0.03)
    assert _on("usdc_supply", "2025-12-05") == pytest.approx(78e9, rel=0.03)
    assert _on("stablecoin_supply", "2025-12-05") > _on("usdt_supply", "2025-12-05") + _on("usdc_supply", "2025-12-05")


def test_seed_fact_russell_2000_up_more_than_13_percent_ytd_in_early_december_2025() -> None:
    rut = snapshot.load("rut")
    last_2024 = rut.loc[:"2024-12-31"].iloc[-1]
    early_dec = rut.loc[:"2025-12-05"].iloc[-1]
    assert early_dec / last_2024 - 1 > 0.13


def test_yahoo_intraday_last_row_is_dropped() -> None:
    assert snapshot.load("rut").index[-1] == pd.Timestamp("2026-02-20")
    assert snapshot.load("iwm").index[-1] == pd.Timestamp("2026-02-20")


def test_altcoin_caps_are_total_minus_btc_and_minus_eth() -> None:
    total, alt, alt3 = (
        snapshot.load(s).loc["2021-05-10"] for s in ("total_mcap", "altcoin_mcap", "altcoin_ex_eth_mcap")
    )
    assert 0 < alt3 < alt < total
    assert alt - alt3 == pytest.approx(snapshot.load("eth_mcap").loc["2021-05-10"])


def test_btc_rows_before_pure_coingecko_history_are_dropped() -> None:
    assert snapshot.load("btc").index[0] == pd.Timestamp("2013-04-28")
    pd.testing.assert_series_equal(build_series("btc"), snapshot.load("btc"), rtol=1e-9)


def test_fear_greed_bands_match_every_upstream_label() -> None:
    upstream = pd.read_csv(RAW_DIR / ALTERNATIVE_FNG)
    assert (fear_greed.classes(upstream["value"]) == upstream["classification"]).all()
