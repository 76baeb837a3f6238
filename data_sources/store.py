"""The cached pandas layer: whole histories per series in a shared cache, read without ever calling upstream.

Alignment rule (the only one in riskon): a panel's rows are the union of its series' observation dates, and each
column holds only its own observations, never filled. Crypto trades 7 days a week and equities 5, so an equity
column is NaN on weekends and holidays; anything that compares returns first keeps the rows where both series
have a value (see `data_sources.analytics`).

Pages read the last good live copy, else (in `auto`) the embedded snapshot; `data_sources.refresher` is the only
writer of live copies, in the background.
"""

from __future__ import annotations

import contextlib
import logging
import pickle
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, TypeVar, get_args

import diskcache
import filelock
import pandas as pd

from data_sources import snapshot
from data_sources.base import DATE
from data_sources.series import series_def

log = logging.getLogger("riskon.data")

SourceMode = Literal["snapshot", "live", "auto"]
SOURCE_MODES: tuple[SourceMode, ...] = get_args(SourceMode)
# While the cache backend keeps failing, every cache call is a miss; it is tried again after this long.
CACHE_RETRY_SECONDS = 5.0
# How long SQLite may wait on a database another process has locked: well below gunicorn's 30 s worker timeout
# (diskcache's default is 60 s), since one page makes several cache calls.
DISK_TIMEOUT_SECONDS = 2.0
# A live copy is stale once it is this many TTLs old, whatever the refresher says.
STALE_AFTER_TTLS = 2
# A live-only series in snapshot mode: named in the UI rather than failing the panel.
NO_EMBEDDED_DATA = "no embedded data: this series comes from live sources only"

T = TypeVar("T")


class UnreadableValue(Exception):
    """A stored value that cannot be unpickled: the only cache error that justifies deleting the key."""

    def __init__(self, key: str) -> None:
        super().__init__(f"cached value {key!r} cannot be unpickled")
        self.key = key


class Lease(Protocol):
    """A lock owned by whoever acquired it (the cache library's own: a file lock on disk, redis-py's Lock)."""

    def acquire(self) -> bool:
        """Take the lock if it is free; never waits."""
        ...

    def renew(self) -> bool:
        """Whether the lock is still ours (a Redis lock's lifetime starts again)."""
        ...

    def release(self) -> None:
        """Let go of the lock if it is still ours."""
        ...


class CacheBackend(Protocol):
    """The part of diskcache.Cache the store uses; a Redis backend offers the same."""

    def get(self, key: str, default: object = None) -> object: ...

    def set(self, key: str, value: object, expire: float | None = None) -> bool: ...

    def add(self, key: str, value: object, expire: float | None = None) -> bool: ...

    def delete(self, key: str) -> bool: ...


class ClosableBackend(CacheBackend, Protocol):
    """A CacheBackend that can be closed (so a broken one can be replaced) and hands out leases."""

    def close(self) -> None: ...

    def lease(self, name: str, seconds: float) -> Lease: ...


class ResilientCache:
    """A CacheBackend that never raises: an unpicklable value is dropped, a failing backend is reopened once, and
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
        self._retry_at = 0.0
        self._down = False
        self._backend: ClosableBackend | None = None
        try:
            self._backend = open_backend()
        except ValueError:
            raise  # a configuration error (a malformed URL) surfaces at startup
        except Exception as exc:  # a locked or unreachable cache is a runtime condition: serve uncached meanwhile
            self._mark_down_locked(exc)

    def get(self, key: str, default: object = None) -> object:
        return self._call(lambda backend: backend.get(key, default), default)

    def set(self, key: str, value: object, expire: float | None = None) -> bool:
        return self._call(lambda backend: backend.set(key, value, expire=expire), False)

    def add(self, key: str, value: object, expire: float | None = None) -> bool:
        return self._call(lambda backend: backend.add(key, value, expire=expire), False)

    def delete(self, key: str) -> bool:
        return self._call(lambda backend: backend.delete(key), False)

    def lease(self, name: str, seconds: float) -> Lease | None:
        """A lease on the working backend, or None while the cache is unavailable."""
        return self._call(lambda backend: backend.lease(name, seconds), None)

    def _call(self, operation: Callable[[ClosableBackend], T], fallback: T) -> T:
        backend = self._backend
        error: Exception | None = None
        if backend is not None:
            try:
                return self._run(backend, operation, fallback)
            # Whatever else a cache raises (I/O, SQLite, Redis) must cost a miss, never a failed page.
            except Exception as exc:
                error = exc
        backend = self._reopen(backend)
        if backend is None:
            return fallback
        try:
            result = self._run(backend, operation, fallback)
        except Exception as exc:
            self._mark_down(backend, exc)
            return fallback
        self._mark_up(error)
        return result

    def _run(self, backend: ClosableBackend, operation: Callable[[ClosableBackend], T], fallback: T) -> T:
        try:
            return operation(backend)
        except UnreadableValue as exc:
            with contextlib.suppress(Exception):  # if even the delete fails, the next read drops it again
                backend.delete(exc.key)
            log.warning("riskon: dropped unreadable cached value %r from %s (%s)", exc.key, self.name, exc.__cause__)
            return fallback

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


def _close(backend: ClosableBackend) -> None:
    with contextlib.suppress(Exception):  # a broken backend may fail to close; it is dropped either way
        backend.close()


class FileLease:
    """A Lease on an OS file lock (flock): owned by the process that took it and freed when that process dies, so
    it needs no lifetime. diskcache.Lock is not used: its acquire only busy-waits and its release is not owned."""

    def __init__(self, path: Path) -> None:
        self._lock = filelock.FileLock(path, timeout=0, thread_local=False)

    def acquire(self) -> bool:
        try:
            self._lock.acquire()
        except (filelock.Timeout, OSError):
            return False
        return True

    def renew(self) -> bool:
        return self._lock.is_locked

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release(force=True)


class _DiskCache(diskcache.Cache):  # type: ignore[misc]
    """diskcache.Cache with a bounded lock wait, that tells an unpicklable value from a failing database and fails
    once its database file was deleted or replaced, so it gets reopened."""

    def __init__(self, directory: Path) -> None:
        _wait_for_write_lock(directory / diskcache.core.DBNAME)
        super().__init__(str(directory), timeout=DISK_TIMEOUT_SECONDS)
        self._database = directory / diskcache.core.DBNAME
        self._inode = self._database.stat().st_ino

    def get(self, key: str, default: object = None, **options: object) -> object:
        self._check_database()
        try:
            return super().get(key, default, **options)
        except (sqlite3.Error, OSError, diskcache.Timeout):
            raise
        except Exception as exc:  # pickle's errors have no common base: anything else came from unpickling
            raise UnreadableValue(key) from exc

    def set(self, key: str, value: object, expire: float | None = None, **options: object) -> bool:
        self._check_database()
        return bool(super().set(key, value, expire=expire, **options))

    def add(self, key: str, value: object, expire: float | None = None, **options: object) -> bool:
        self._check_database()
        return bool(super().add(key, value, expire=expire, **options))

    def delete(self, key: str, **options: object) -> bool:
        self._check_database()
        return bool(super().delete(key, **options))

    def lease(self, name: str, seconds: float) -> Lease:
        return FileLease(Path(self.directory) / f"{name}.lock")

    def _check_database(self) -> None:
        # SQLite goes on using a deleted or replaced file through its open handle, unseen by other workers; one
        # stat (about a microsecond) per call notices.
        if self._database.stat().st_ino != self._inode:
            raise FileNotFoundError(f"{self._database} was replaced")


def _wait_for_write_lock(database: Path) -> None:
    """Raise sqlite3.OperationalError unless the database's write lock comes free within DISK_TIMEOUT_SECONDS.
    diskcache's constructor writes its settings and retries a locked database for a fixed 60 s whatever its
    `timeout`; this bounds the usual case (a lock taken between the two waits the full 60 s, rarely)."""
    database.parent.mkdir(parents=True, exist_ok=True)
    probe = sqlite3.connect(database, timeout=DISK_TIMEOUT_SECONDS, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
    finally:
        probe.close()


def open_disk_cache(directory: Path) -> _DiskCache:
    """A diskcache in `directory`, rebuilt empty if its database is corrupt (a cache holds nothing irreplaceable).
    A locked database is not corrupt: that error propagates and the cache counts as unavailable for a while."""
    try:
        return _DiskCache(directory)
    except sqlite3.OperationalError:
        raise  # "database is locked", "unable to open": another process's or the system's business, not damage
    except sqlite3.DatabaseError as exc:
        log.warning("riskon: cache %s is unreadable (%s); rebuilding it empty", directory, _brief(exc))
    # Remove only diskcache's own files (database, WAL, value files): the directory may be the user's.
    for path in [
        *directory.glob(f"{diskcache.core.DBNAME}*"),
        *directory.glob("[0-9a-f][0-9a-f]/[0-9a-f][0-9a-f]/*.val"),
    ]:
        path.unlink(missing_ok=True)
    return _DiskCache(directory)


def unpickle(key: str, raw: bytes) -> object:
    """`raw` unpickled, or UnreadableValue: pickle raises many unrelated types on a damaged value."""
    try:
        return pickle.loads(raw)
    except Exception as exc:
        raise UnreadableValue(key) from exc


@dataclass(frozen=True)
class CachedCopy:
    """A whole history as held in the cache, with how long its source said it stays current."""

    series: pd.Series
    source: str
    fetched_at: pd.Timestamp
    ttl_seconds: int = 0


@dataclass(frozen=True)
class RefreshState:
    """The refresher's record of one series: what it last got, what went wrong since, and when it tries next."""

    last_attempt: pd.Timestamp | None = None
    last_success: pd.Timestamp | None = None
    source: str | None = None
    error: str | None = None  # a few words for people, never a URL or an exception name; None after a success
    failures: int = 0
    next_attempt: pd.Timestamp | None = None  # None: due now


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


def utc_now() -> pd.Timestamp:
    """Now, as the naive UTC timestamp every record here uses."""
    return pd.Timestamp.now(tz="UTC").tz_localize(None)


def copy_key(series_id: str) -> str:
    return f"lastgood:{series_id}"


def state_key(series_id: str) -> str:
    return f"state:{series_id}"


class Store:
    """Answers 'these series over this range' from the cache alone: the last good live copy, else the snapshot."""

    def __init__(
        self, cache: ResilientCache, *, mode: SourceMode = "snapshot", now: Callable[[], pd.Timestamp] = utc_now
    ) -> None:
        if mode not in SOURCE_MODES:
            raise ValueError(f"unknown source mode {mode!r}; expected one of {', '.join(SOURCE_MODES)}")
        self.cache = cache
        self.mode = mode
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
        record = series_def(series_id)
        if self.mode == "snapshot" or not record.live:  # embedded-only series have no live source to wait for
            if not snapshot.has(series_id):
                return None, SeriesMeta(series_id, "snapshot", None, None, None, stale=False, message=NO_EMBEDDED_DATA)
            return self._embedded(series_id, missing=NO_EMBEDDED_DATA)
        copy, state = self.last_good(series_id), self.state(series_id)
        if copy is not None:
            failing = state is not None and state.error is not None
            old = self.now() - copy.fetched_at > pd.Timedelta(seconds=STALE_AFTER_TTLS * copy.ttl_seconds)
            if failing or old:
                why = f"live update failed ({state.error})" if failing and state else "live update overdue"
                return _served(series_id, copy, stale=True, message=f"{why}; showing data fetched {_minute(copy)}")
            return _served(series_id, copy, stale=False)
        why = state.error if state is not None and state.error else "not fetched yet"
        if self.mode == "auto":
            # The embedded data is what auto mode promises offline: labelled by its source, not flagged stale.
            return self._embedded(series_id, missing=why)
        return _unavailable(series_id, why)

    def _embedded(self, series_id: str, *, missing: str) -> tuple[pd.Series | None, SeriesMeta]:
        copy = self.snapshot_copy(series_id)
        return _served(series_id, copy, stale=False) if copy is not None else _unavailable(series_id, missing)

    def last_good(self, series_id: str) -> CachedCopy | None:
        """The newest live copy the refresher accepted, if any."""
        copy = self.cache.get(copy_key(series_id))
        return copy if isinstance(copy, CachedCopy) else None

    def state(self, series_id: str) -> RefreshState | None:
        """The refresher's record for one series, if it has tried it."""
        state = self.cache.get(state_key(series_id))
        return state if isinstance(state, RefreshState) else None

    def snapshot_copy(self, series_id: str) -> CachedCopy | None:
        """The embedded snapshot of one series (None for a live-only series), cached per snapshot version."""
        if not snapshot.has(series_id):
            return None
        key = f"snapshot:{snapshot.version()}:{series_id}"
        copy = self.cache.get(key)
        if not isinstance(copy, CachedCopy):
            series = snapshot.load(series_id)
            copy = CachedCopy(series, snapshot.source_name(series_id), series.index[-1])
            self.cache.set(key, copy)
        return copy


def _served(
    series_id: str, copy: CachedCopy, *, stale: bool, message: str | None = None
) -> tuple[pd.Series, SeriesMeta]:
    return copy.series, _meta(series_id, copy, stale=stale, message=message)


def _unavailable(series_id: str, why: str) -> tuple[None, SeriesMeta]:
    return None, SeriesMeta(series_id, "live", None, None, None, stale=True, message=f"unavailable: {why}")


def _minute(copy: CachedCopy) -> str:
    return f"{copy.fetched_at:%Y-%m-%d %H:%M} UTC"
