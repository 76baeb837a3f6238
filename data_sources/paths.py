"""Where riskon keeps files on this host: the cache directory (RISKON_CACHE_DIR) and what lives under it."""

from __future__ import annotations

import os
from pathlib import Path

ENV_CACHE_DIR = "RISKON_CACHE_DIR"
DEFAULT_CACHE_DIR = Path.home() / ".cache" / "riskon"


def cache_dir() -> Path:
    """The disk cache directory: RISKON_CACHE_DIR, else ~/.cache/riskon."""
    return Path(os.environ.get(ENV_CACHE_DIR) or DEFAULT_CACHE_DIR)


def backfill_dir() -> Path:
    """Where `riskon backfill others` keeps each ranked day (a diskcache Index; resumable)."""
    return cache_dir() / "others-backfill"
