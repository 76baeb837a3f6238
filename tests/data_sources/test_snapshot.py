from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from data_sources import fear_greed, recipes, snapshot
from data_sources.snapshot_build import RAW_DIR, SNAPSHOT_DIR, build_series, recipes_by_id, write_snapshot

EMBEDDED = recipes_by_id()

# The newest real staged data for each series (issue 9). CRYPTOCAP's 2026-04-19 bar is partial, so 04-18; the
# CoinGecko readings of `D 00:00 UTC` close D-1, so stablecoins end 2026-08-21 and total cap 2025-08-14.
LAST_DATES = {
    "btc": "2026-08-21",
    "btc_mcap": "2026-06-25",
    "eth_mcap": "2024-12-19",
    "rut": "2026-08-21",
    "iwm": "2026-08-21",
    "iwm_unadj": "2026-08-21",
    "total_mcap": "2025-08-14",
    "altcoin_mcap": "2025-08-14",
    "altcoin_ex_eth_mcap": "2024-12-19",
    "cryptocap_total": "2026-04-18",
    "cryptocap_total2": "2026-04-18",
    "cryptocap_total3": "2026-04-18",
    "cryptocap_btc_dominance": "2026-04-18",
    "cryptocap_eth_dominance": "2026-04-18",
    "usdt_supply": "2026-08-21",
    "usdc_supply": "2026-08-21",
    "stablecoin_majors": "2026-08-21",
    "fear_greed": "2026-08-22",
    "net_liquidity": "2026-08-19",
    "walcl": "2026-08-19",
    "wtregen": "2026-08-19",
    "rrpontsyd": "2026-08-21",
}


def test_committed_snapshot_equals_a_rebuild_from_raw_files(tmp_path: Path) -> None:
    manifest = write_snapshot(out_dir=tmp_path)
    assert set(manifest) == set(EMBEDDED)
    for series_id in EMBEDDED:
        rebuilt = (tmp_path / f"{series_id}.csv").read_bytes()
        assert rebuilt == (SNAPSHOT_DIR / f"{series_id}.csv").read_bytes(), series_id
    assert (tmp_path / "manifest.json").read_bytes() == (SNAPSHOT_DIR / "manifest.json").read_bytes()
    committed = {path.stem for path in SNAPSHOT_DIR.glob("*.csv")}
    assert committed == set(EMBEDDED), "a CSV without a recipe is stale"


@pytest.mark.parametrize("series_id", EMBEDDED)
def test_every_series_ends_at_its_newest_staged_data(series_id: str) -> None:
    assert build_series(series_id).index[-1] == pd.Timestamp(LAST_DATES[series_id])
    assert snapshot.manifest()[series_id]["last"] == LAST_DATES[series_id]


@pytest.mark.parametrize("series_id", EMBEDDED)
def test_csv_holds_plain_decimals_and_the_manifest_describes_it(series_id: str) -> None:
    text = (SNAPSHOT_DIR / f"{series_id}.csv").read_text()
    values = [line.split(",")[1] for line in text.splitlines()[1:]]
    assert not [value for value in values if "e" in value.lower()]
    frame = pd.read_csv(SNAPSHOT_DIR / f"{series_id}.csv", dtype={"value": str})
    entry = snapshot.manifest()[series_id]
    assert entry["rows"] == len(frame) and entry["first"] == frame["date"].iloc[0]
    assert set(entry) == {"source", "files", "note", "first", "last", "rows", "joins"}
    assert all((RAW_DIR / name).is_file() for name in entry["files"])  # type: ignore[attr-defined]


def test_every_raw_file_a_recipe_reads_is_documented_in_provenance() -> None:
    provenance = (SNAPSHOT_DIR / "PROVENANCE.md").read_text()
    used = {name for recipe in EMBEDDED.values() for name in recipe.files}
    assert not [name for name in sorted(used) if f"`{name}`" not in provenance]
    for series_id in EMBEDDED:
        assert f"`{series_id}`" in provenance, series_id


def test_joined_series_record_their_overlap_checks() -> None:
    joined = {sid for sid, entry in json.loads((SNAPSHOT_DIR / "manifest.json").read_text()).items() if entry["joins"]}
    assert joined == {"rut", "iwm", "iwm_unadj"}
    assert "common days" in recipes.IWM.joins[0]


def test_fear_greed_bands_match_every_upstream_label() -> None:
    upstream = pd.read_csv(RAW_DIR / recipes.ALTERNATIVE_FNG)
    assert (fear_greed.classes(upstream["value"]) == upstream["classification"]).all()
    pd.testing.assert_index_equal(
        build_series("fear_greed").index, pd.DatetimeIndex(pd.to_datetime(upstream["date"]), name="date")
    )
