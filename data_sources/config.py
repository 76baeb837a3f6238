"""Environment wiring: which source mode, which cache, which live sources; the one place that reads RISKON_*."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import cast

from data_sources.paths import cache_dir
from data_sources.redis_cache import RedisCache, public_url
from data_sources.refresher import BackgroundRefresher, Refresher
from data_sources.registry import default_registry
from data_sources.store import SOURCE_MODES, ResilientCache, SourceMode, Store, open_disk_cache

ENV_SOURCE = "RISKON_SOURCE"
ENV_CACHE_URL = "RISKON_CACHE_URL"
ENV_BROKER_URL = "RISKON_BROKER_URL"
ENV_RETRY_SECONDS = "RISKON_RETRY_SECONDS"
ENV_SECRET_KEY = "RISKON_SECRET_KEY"
ENV_STATUS_SECONDS = "RISKON_STATUS_SECONDS"
DEFAULT_MODE: SourceMode = "auto"
# After a failed refresh, wait this long before the next try, doubling per further failure.
DEFAULT_RETRY_SECONDS = 60.0
# An open page re-reads the data status this often, and redraws the charts whose data changed.
DEFAULT_STATUS_SECONDS = 30.0


def mode_from_env() -> SourceMode:
    """The source mode named by RISKON_SOURCE (default 'auto'); an unknown value is an error, not a guess."""
    value = os.environ.get(ENV_SOURCE, DEFAULT_MODE).strip().lower()
    if value not in SOURCE_MODES:
        raise ValueError(f"{ENV_SOURCE}={value!r} is not one of {', '.join(SOURCE_MODES)}")
    return cast("SourceMode", value)


def seconds_from_env(name: str, default: float) -> float:
    """A positive, finite number of seconds from the environment variable `name` (default `default`); anything
    else is an error naming the variable, not a guess."""
    value = os.environ.get(name, "").strip()
    try:
        seconds = float(value) if value else default
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"{name}={value!r} is not a positive number of seconds")
    return seconds


def status_seconds() -> float:
    """How often an open page re-reads the data status: RISKON_STATUS_SECONDS, default 30."""
    return seconds_from_env(ENV_STATUS_SECONDS, DEFAULT_STATUS_SECONDS)


def secret_key(*, workers: int = 1) -> str | None:
    """RISKON_SECRET_KEY; several worker processes must share one, so its absence there is an error."""
    key = os.environ.get(ENV_SECRET_KEY) or None
    if key is None and workers > 1:
        raise ValueError(
            f"{workers} workers need one shared {ENV_SECRET_KEY}; set it, e.g. "
            f"export {ENV_SECRET_KEY}=\"$(python -c 'import secrets; print(secrets.token_hex(32))')\""
        )
    return key


def cache_url() -> str | None:
    """The Redis URL of the shared cache (RISKON_CACHE_URL), if one is set."""
    return os.environ.get(ENV_CACHE_URL) or None


def broker_url() -> str | None:
    """Celery's broker: RISKON_BROKER_URL, else the Redis cache's URL."""
    return os.environ.get(ENV_BROKER_URL) or cache_url()


def open_cache(directory: Path | str | None = None, *, url: str | None = None) -> ResilientCache:
    """The cache workers share: Redis for a URL (default RISKON_CACHE_URL), else a diskcache directory."""
    if directory is not None and url is not None:
        raise ValueError("give a cache directory or a Redis URL, not both")
    url = url or (None if directory is not None else cache_url())
    if url:
        return ResilientCache(lambda: RedisCache.from_url(url), name=public_url(url))
    path = Path(directory) if directory is not None else cache_dir()
    return ResilientCache(lambda: open_disk_cache(path), name=str(path))


def default_store(mode: SourceMode | None = None) -> Store:
    """The store the app and CLI read, configured from the environment."""
    return Store(open_cache(), mode=mode or mode_from_env())


def default_refresher(store: Store) -> Refresher:
    """The refresher that keeps `store`'s live copies current from the default registry."""
    retry = seconds_from_env(ENV_RETRY_SECONDS, DEFAULT_RETRY_SECONDS)
    return Refresher(store, default_registry(), retry_seconds=retry)


def start_refresher(store: Store) -> BackgroundRefresher | None:
    """Start this process's background refresher (it refreshes only while elected among the processes sharing
    the cache); None in snapshot mode. Call it in each serving process after any fork (gunicorn without
    --preload does: every worker builds the app)."""
    if store.mode == "snapshot":
        return None
    return BackgroundRefresher(default_refresher(store)).start()
