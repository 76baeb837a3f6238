"""The cached pandas layer: whole histories per series in a shared cache, stale-if-error, one query for callbacks.

Alignment rule (the only one in riskon): a panel's rows are the union of its series' observation dates, and each
column holds only its own observations, never filled. Crypto trades 7 days a week and equities 5, so an equity
column is NaN on weekends and holidays; anything that compares returns first keeps the rows where both series
have a value (see `data_sources.analytics`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, TypeVar, cast, get_args

import diskcache
import pandas as pd

from data_sources import snapshot
from data_sources.base import DATE, SourceError
from data_sources.series import series_def

log = logging.getLogger("riskon.data")

SourceMode = Literal["snapshot", "live", "auto"]
SOURCE_MODES: tuple[SourceMode, ...] = get_args(SourceMode)
ENV_SOURCE = "RISKON_SOURCE"
ENV_CACHE_DIR = "RISKON_CACHE_DIR"
ENV_CACHE_URL = "RISKON_CACHE_URL"
ENV_RETRY_SECONDS = "RISKON_RETRY_SECONDS"
DEFAULT_CACHE_DIR = Path.home() / ".cache" / "riskon"
# After a failed fetch, serve the last good copy this long before asking upstream again.
DEFAULT_RETRY_SECONDS = 60
# How long one process may hold a series' fetch before another may try.
FETCH_LEASE_SECONDS = 60
# A live-only series in snapshot mode: named in the UI rather than failing the panel.
# While the cache backend keeps failing, every cache call is a miss; it is tried again after this long.
CACHE_RETRY_SECONDS = 5.0

T = TypeVar("T")
NO_EMBEDDED_DATA = "no embedded data: this series comes from live sources only"


@dataclass(frozen=True)
class Fetched:
    """A series freshly delivered by a live source, with how long it may be cached."""

    series: pd.Series
    source: str
    ttl_seconds: int


class LiveSource(Protocol):
    """Delivers whole histories from upstream, trying each vendor in turn; raises SourceError when all fail."""

    def fetch_series(self, series_id: str) -> Fetched: ...


class CacheBackend(Protocol):
    """The part of diskcache.Cache the store uses; a Redis backend offers the same."""

    def get(self, key: str, default: object = None) -> object: ...

    def set(self, key: str, value: object, expire: float | None = None) -> bool: ...

    def add(self, key: str, value: object, expire: float | None = None) -> bool: ...

    def delete(self, key: str) -> bool: ...


class ClosableBackend(CacheBackend, Protocol):
    """A CacheBackend that can be closed, so a broken one can be replaced by a fresh one."""

    def close(self) -> None: ...


class ResilientCache:
    """A CacheBackend that never raises: an unreadable value is dropped, a failing backend is reopened once, and
    while it keeps failing every call is a miss (the store then serves uncached data) until it is tried again."""

    def __init__(
        self,
        open_backend: Callable[[], ClosableBackend],
        *,
        name: str,
        retry_seconds: float = CACHE_RETRY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.retry_seconds = retry_seconds
        self._open = open_backend
        self._clock = clock
        self._lock = threading.Lock()
        self._backend: ClosableBackend | None = open_backend()  # a configuration error surfaces here, at startup
        self._retry_at = 0.0
        self._down = False

    def get(self, key: str, default: object = None) -> object:
        return self._call(lambda backend: backend.get(key, default), default, key=key)

    def set(self, key: str, value: object, expire: float | None = None) -> bool:
        return self._call(lambda backend: backend.set(key, value, expire=expire), False)

    def add(self, key: str, value: object, expire: float | None = None) -> bool:
        return self._call(lambda backend: backend.add(key, value, expire=expire), False)

    def delete(self, key: str) -> bool:
        return self._call(lambda backend: backend.delete(key), False)

    def _call(self, operation: Callable[[ClosableBackend], T], fallback: T, *, key: str | None = None) -> T:
        backend = self._backend
        error: Exception | None = None
        if backend is not None:
            try:
                return operation(backend)
            # Whatever a cache raises (I/O, SQLite, Redis, unpickling) must cost a miss, never a failed page.
            except Exception as exc:
                if key is not None and _deleted(backend, key):
                    log.warning("riskon: dropped unreadable cached value %r from %s (%s)", key, self.name, _brief(exc))
                    return fallback
                error = exc
        backend = self._reopen(backend)
        if backend is None:
            return fallback
        try:
            result = operation(backend)
        except Exception as exc:
            self._mark_down(backend, exc)
            return fallback
        self._mark_up(error)
        return result

    def _reopen(self, broken: ClosableBackend | None) -> ClosableBackend | None:
        with self._lock:
            if self._backend is not broken:  # another thread reopened it meanwhile
                return self._backend
            if broken is None and self._clock() < self._retry_at:
                return None
            if broken is not None:
                _close(broken)
                self._backend = None
            try:
                self._backend = self._open()
            except Exception as exc:
                self._mark_down_locked(exc)
            return self._backend

    def _mark_down(self, backend: ClosableBackend, exc: Exception) -> None:
        with self._lock:
            if self._backend is backend:
                _close(backend)
                self._backend = None
            self._mark_down_locked(exc)

    def _mark_down_locked(self, exc: Exception) -> None:
        self._retry_at = self._clock() + self.retry_seconds
        if not self._down:
            self._down = True
            log.warning(
                "riskon: cache %s is unavailable (%s); serving uncached data, trying it again every %gs",
                self.name,
                _brief(exc),
                self.retry_seconds,
            )

    def _mark_up(self, error: Exception | None) -> None:
        if self._down:
            self._down = False
            log.warning("riskon: cache %s is available again", self.name)
        elif error is not None:
            log.warning("riskon: cache %s failed (%s); reopened it", self.name, _brief(error))


def _brief(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"


def _deleted(backend: CacheBackend, key: str) -> bool:
    """Whether `key` could be deleted, i.e. the backend works and only that value was unreadable."""
    try:
        backend.delete(key)
    except Exception:
        return False
    return True


def _close(backend: ClosableBackend) -> None:
    with contextlib.suppress(Exception):  # a broken backend may fail to close; it is dropped either way
        backend.close()


class _DiskCache(diskcache.Cache):  # type: ignore[misc]
    """diskcache.Cache that fails once its database file was deleted or replaced, so it gets reopened."""

    def __init__(self, directory: Path) -> None:
        super().__init__(str(directory))
        self._database = directory / diskcache.core.DBNAME
        self._inode = self._database.stat().st_ino

    def get(self, key: str, default: object = None, **options: object) -> object:
        self._check_database()
        return super().get(key, default, **options)

    def set(self, key: str, value: object, expire: float | None = None, **options: object) -> bool:
        self._check_database()
        return bool(super().set(key, value, expire=expire, **options))

    def add(self, key: str, value: object, expire: float | None = None, **options: object) -> bool:
        self._check_database()
        return bool(super().add(key, value, expire=expire, **options))

    def delete(self, key: str, **options: object) -> bool:
        self._check_database()
        return bool(super().delete(key, **options))

    def _check_database(self) -> None:
        # SQLite goes on using a deleted or replaced file through its open handle, unseen by other workers; one
        # stat (about a microsecond) per call notices.
        if self._database.stat().st_ino != self._inode:
            raise FileNotFoundError(f"{self._database} was replaced")


def _open_disk_cache(directory: Path) -> _DiskCache:
    """A diskcache in `directory`, rebuilt empty if its database is unreadable (a cache holds nothing irreplaceable)."""
    try:
        return _DiskCache(directory)
    except sqlite3.DatabaseError as exc:
        log.warning("riskon: cache %s is unreadable (%s); rebuilding it empty", directory, _brief(exc))
    # Remove only diskcache's own files (database, WAL, value files): the directory may be the user's.
    for path in [
        *directory.glob(f"{diskcache.core.DBNAME}*"),
        *directory.glob("[0-9a-f][0-9a-f]/[0-9a-f][0-9a-f]/*.val"),
    ]:
        path.unlink(missing_ok=True)
    return _DiskCache(directory)


@dataclass(frozen=True)
class CachedCopy:
    """A whole history as held in the cache."""

    series: pd.Series
    source: str
    fetched_at: pd.Timestamp


@dataclass(frozen=True)
class SeriesMeta:
    """Where a served series came from and how fresh it is; `message` says why it is stale or missing."""

    series_id: str
    source: str
    as_of: pd.Timestamp | None
    first: pd.Timestamp | None
    last: pd.Timestamp | None
    stale: bool
    message: str | None = None

    @property
    def available(self) -> bool:
        return self.last is not None


@dataclass(frozen=True)
class Panel:
    """Aligned series (one column per requested id, see the module's alignment rule) and their metadata."""

    frame: pd.DataFrame
    meta: dict[str, SeriesMeta]


def _meta(series_id: str, copy: CachedCopy, *, stale: bool, message: str | None = None) -> SeriesMeta:
    return SeriesMeta(
        series_id, copy.source, copy.fetched_at, copy.series.index[0], copy.series.index[-1], stale, message
    )


def _utc_now() -> pd.Timestamp:
    return pd.Timestamp.now(tz="UTC").tz_localize(None)


class Store:
    """Answers 'these series over this range' from the cache, filling it from the snapshot or live sources."""

    def __init__(
        self,
        cache: CacheBackend,
        *,
        mode: SourceMode = "snapshot",
        live: LiveSource | None = None,
        retry_seconds: float = DEFAULT_RETRY_SECONDS,
        now: Callable[[], pd.Timestamp] = _utc_now,
    ) -> None:
        if mode not in SOURCE_MODES:
            raise ValueError(f"unknown source mode {mode!r}; expected one of {', '.join(SOURCE_MODES)}")
        if mode != "snapshot" and live is None:
            raise ValueError(f"source mode {mode!r} needs a live source")
        self.cache = cache
        self.mode = mode
        self.live = live
        self.retry_seconds = retry_seconds
        self.now = now

    def panel(
        self,
        series_ids: Iterable[str],
        *,
        start: pd.Timestamp | str | None = None,
        end: pd.Timestamp | str | None = None,
    ) -> Panel:
        """The requested series aligned on dates and sliced to [start, end]; a missing series is an all-NaN column."""
        columns: dict[str, pd.Series] = {}
        meta: dict[str, SeriesMeta] = {}
        for series_id in dict.fromkeys(series_ids):
            values, meta[series_id] = self.series(series_id)
            columns[series_id] = values if values is not None else pd.Series(dtype="float64")
        # concat aligns the union of dates about twice as fast as DataFrame(dict); it refuses an empty dict.
        frame = pd.concat(columns, axis=1, sort=True) if columns else pd.DataFrame()
        frame.index = pd.DatetimeIndex(frame.index, name=DATE)
        return Panel(frame.sort_index().loc[start:end], meta)  # type: ignore[misc]

    def series(self, series_id: str) -> tuple[pd.Series | None, SeriesMeta]:
        """One whole history and its metadata; None with an explanatory meta when nothing can be served."""
        series_def(series_id)
        if self.mode == "snapshot":
            if not snapshot.has(series_id):
                return None, SeriesMeta(series_id, "snapshot", None, None, None, stale=False, message=NO_EMBEDDED_DATA)
            return self._serve(self._snapshot_copy(series_id), stale=False)
        fresh = self.cache.get(f"live:{series_id}")
        if isinstance(fresh, CachedCopy):
            return self._serve(fresh, stale=False)
        failure = self.cache.get(f"failed:{series_id}")
        if failure is None:
            try:
                return self._serve(self._fetch(series_id), stale=False)
            except SourceError as exc:
                failure = str(exc)
        return self._fallback(series_id, str(failure))

    def refresh(self, series_id: str) -> SeriesMeta:
        """Fetch one series from upstream now, whatever the cache holds; raises SourceError on failure."""
        return _meta(series_id, self._fetch(series_id), stale=False)

    def _serve(self, copy: CachedCopy, *, stale: bool, message: str | None = None) -> tuple[pd.Series, SeriesMeta]:
        series_id = str(copy.series.name)
        return copy.series, _meta(series_id, copy, stale=stale, message=message)

    def _snapshot_copy(self, series_id: str) -> CachedCopy:
        key = f"snapshot:{snapshot.version()}:{series_id}"
        copy = self.cache.get(key)
        if not isinstance(copy, CachedCopy):
            series = snapshot.load(series_id)
            copy = CachedCopy(series, snapshot.source_name(series_id), series.index[-1])
            self.cache.set(key, copy)
        return copy

    def _fetch(self, series_id: str) -> CachedCopy:
        assert self.live is not None
        lease = f"fetching:{series_id}"
        if not self.cache.add(lease, True, expire=FETCH_LEASE_SECONDS):
            # Another worker is fetching: serve what we have rather than hit upstream twice.
            last_good = self.cache.get(f"lastgood:{series_id}")
            if isinstance(last_good, CachedCopy):
                return last_good
        try:
            fetched = self.live.fetch_series(series_id)
        except SourceError as exc:
            log.warning("riskon: %s; keeping the data already served, retrying in %ss", exc, self.retry_seconds)
            self.cache.set(f"failed:{series_id}", str(exc), expire=self.retry_seconds)
            raise
        finally:
            self.cache.delete(lease)
        copy = CachedCopy(fetched.series.rename(series_id), fetched.source, self.now())
        self.cache.set(f"live:{series_id}", copy, expire=fetched.ttl_seconds)
        self.cache.set(f"lastgood:{series_id}", copy)
        self.cache.delete(f"failed:{series_id}")
        return copy

    def _fallback(self, series_id: str, failure: str) -> tuple[pd.Series | None, SeriesMeta]:
        last_good = self.cache.get(f"lastgood:{series_id}")
        if isinstance(last_good, CachedCopy):
            return self._serve(last_good, stale=True, message=f"live update failed ({failure}); showing last good data")
        if self.mode == "auto" and snapshot.has(series_id):
            message = f"live update failed ({failure}); showing the embedded snapshot"
            return self._serve(self._snapshot_copy(series_id), stale=True, message=message)
        return None, SeriesMeta(series_id, "live", None, None, None, stale=True, message=f"unavailable: {failure}")


def mode_from_env() -> SourceMode:
    """The source mode named by RISKON_SOURCE (default 'snapshot'); an unknown value is an error, not a guess."""
    value = os.environ.get(ENV_SOURCE, "snapshot").strip().lower()
    if value not in SOURCE_MODES:
        raise ValueError(f"{ENV_SOURCE}={value!r} is not one of {', '.join(SOURCE_MODES)}")
    return cast("SourceMode", value)


def open_cache(directory: Path | str | None = None, *, url: str | None = None) -> ResilientCache:
    """The cache workers share: Redis for a URL (default RISKON_CACHE_URL), else a diskcache directory."""
    if directory is not None and url is not None:
        raise ValueError("give a cache directory or a Redis URL, not both")
    url = url or (None if directory is not None else os.environ.get(ENV_CACHE_URL))
    if url:
        from data_sources.redis_cache import RedisCache, public_url

        return ResilientCache(lambda: RedisCache.from_url(url), name=public_url(url))
    path = Path(directory or os.environ.get(ENV_CACHE_DIR) or DEFAULT_CACHE_DIR)
    return ResilientCache(lambda: _open_disk_cache(path), name=str(path))


def default_store(mode: SourceMode | None = None) -> Store:
    """The store the app and CLI use, configured from the environment."""
    mode = mode or mode_from_env()
    live = None
    if mode != "snapshot":
        from data_sources.registry import default_registry

        live = default_registry()
    retry = float(os.environ.get(ENV_RETRY_SECONDS, DEFAULT_RETRY_SECONDS))
    return Store(open_cache(), mode=mode, live=live, retry_seconds=retry)
