"""Read the embedded snapshot: real historical data shipped in the repo, served with no network."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

import pandas as pd

from data_sources.base import DATE, validate_series
from data_sources.series import series_def

SNAPSHOT_DIR = Path(__file__).with_name("snapshot")
SOURCE_PREFIX = "snapshot"


@cache
def manifest() -> dict[str, dict[str, object]]:
    """Per-series provenance of the snapshot, as written by `data_sources.snapshot_build`."""
    return json.loads((SNAPSHOT_DIR / "manifest.json").read_text())  # type: ignore[no-any-return]


@cache
def version() -> str:
    """A short hash of the manifest: part of cache keys, so a rebuilt snapshot never serves old copies."""
    return hashlib.sha256((SNAPSHOT_DIR / "manifest.json").read_bytes()).hexdigest()[:12]


def has(series_id: str) -> bool:
    """Whether the snapshot embeds this series (some come from live sources only)."""
    return series_id in manifest()


def source_name(series_id: str) -> str:
    """How the UI credits a snapshot series: 'snapshot (<upstream source>)'."""
    return f"{SOURCE_PREFIX} ({manifest()[series_id]['source']})"


def load(series_id: str) -> pd.Series:
    """One series from the snapshot, in canonical shape."""
    series_def(series_id)  # unknown ids fail with UnknownSeriesError, not a missing file
    frame = pd.read_csv(SNAPSHOT_DIR / f"{series_id}.csv", index_col=DATE, parse_dates=[DATE])
    return validate_series(frame["value"], source=SOURCE_PREFIX, series_id=series_id)
