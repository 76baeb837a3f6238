"""Shared fixtures: every test gets its own cache directory and the default (snapshot) source mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from data_sources.config import open_cache
from data_sources.store import Store

FIXTURES = Path(__file__).with_name("fixtures")


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point RISKON_CACHE_DIR at a fresh temporary directory, clear RISKON_CACHE_URL and set RISKON_SOURCE to
    snapshot: the default mode (auto) starts a background refresher, and tests never touch the network."""
    cache_dir = tmp_path_factory.mktemp("riskon-cache")
    monkeypatch.setenv("RISKON_CACHE_DIR", str(cache_dir))
    monkeypatch.setenv("RISKON_SOURCE", "snapshot")
    monkeypatch.delenv("RISKON_CACHE_URL", raising=False)
    return cache_dir


@pytest.fixture(scope="session")
def snapshot_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """A store on the embedded snapshot with its own cache (read-only data, so one per test session)."""
    return Store(open_cache(tmp_path_factory.mktemp("snapshot-cache")))
