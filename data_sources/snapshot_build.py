"""Rebuild the embedded snapshot (one tidy CSV per series) from the byte-exact raw files in snapshot/raw/.

Run `python -m data_sources.snapshot_build`; `tests/data_sources/test_snapshot.py` checks the committed CSVs equal
a rebuild. Each series follows its recipe in `data_sources.recipes`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd

from data_sources.base import validate_series
from data_sources.recipes import Recipe
from data_sources.series import SERIES

SNAPSHOT_DIR = Path(__file__).with_name("snapshot")
RAW_DIR = SNAPSHOT_DIR / "raw"


def recipes_by_id() -> dict[str, Recipe]:
    """Every series with an embedded copy, in catalog order, and its recipe."""
    return {record.id: record.snapshot for record in SERIES.values() if record.snapshot is not None}


def plain_decimal(value: object) -> str:
    """Ten significant digits, never in exponent notation (6.5e+10 reads as text in a spreadsheet)."""
    return np.format_float_positional(cast(float, value), precision=10, unique=False, fractional=False, trim="-")


def build_series(series_id: str, raw_dir: Path = RAW_DIR) -> pd.Series:
    """One snapshot series in canonical shape, built from the raw files."""
    built = recipes_by_id()[series_id].build(raw_dir).sort_index()
    return validate_series(built, source="snapshot", series_id=series_id)


def manifest_entry(series_id: str, series: pd.Series) -> dict[str, object]:
    """Provenance written beside the CSVs: source, files, note, range and row count."""
    item = recipes_by_id()[series_id]
    return {
        "source": item.source,
        "files": list(item.files),
        "note": item.note,
        "first": series.index[0].date().isoformat(),
        "last": series.index[-1].date().isoformat(),
        "rows": len(series),
        "joins": list(item.joins),
    }


def write_snapshot(out_dir: Path = SNAPSHOT_DIR, raw_dir: Path = RAW_DIR) -> dict[str, dict[str, object]]:
    """Write `<series>.csv` for every series plus `manifest.json`; return the manifest."""
    manifest = {}
    for series_id in recipes_by_id():
        series = build_series(series_id, raw_dir)
        series.rename("value").to_csv(out_dir / f"{series_id}.csv", date_format="%Y-%m-%d", float_format=plain_decimal)
        manifest[series_id] = manifest_entry(series_id, series)
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


if __name__ == "__main__":
    for sid, entry in write_snapshot().items():
        print(f"{sid:22} {entry['first']} -> {entry['last']}  {entry['rows']:>5} rows  {entry['source']}")
