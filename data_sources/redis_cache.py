"""A CacheBackend on Redis, so several workers or hosts share one cache: values pickled, keys under a prefix."""

from __future__ import annotations

import contextlib
import math
import pickle
from urllib.parse import urlsplit, urlunsplit

import redis
import redis.lock
from redis.backoff import NoBackoff
from redis.retry import Retry

from data_sources.store import Lease, unpickle

DEFAULT_PREFIX = "riskon:"
# Fail fast when Redis is down: the store's ResilientCache then serves uncached data and tries again later.
CONNECT_TIMEOUT_SECONDS = 1.0
COMMAND_TIMEOUT_SECONDS = 2.0


def public_url(url: str) -> str:
    """`url` without credentials or query, fit for logs."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2], query=""))


def _milliseconds(expire: float | None) -> int | None:
    return None if expire is None else max(1, math.ceil(expire * 1000))


class RedisCache:
    """get/set/add/delete with diskcache's meaning (expire in seconds, add = set if absent, atomically) on Redis."""

    def __init__(self, client: redis.Redis, *, prefix: str = DEFAULT_PREFIX) -> None:
        self.client = client
        self.prefix = prefix

    @classmethod
    def from_url(cls, url: str, *, prefix: str = DEFAULT_PREFIX) -> RedisCache:
        """A cache on the Redis at `url` (redis://host:port/db); raises ValueError for a malformed URL."""
        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
            socket_timeout=COMMAND_TIMEOUT_SECONDS,
            retry=Retry(NoBackoff(), 0),
        )
        return cls(client, prefix=prefix)

    def get(self, key: str, default: object = None) -> object:
        raw = self.client.get(self.prefix + key)
        return default if raw is None else unpickle(key, raw)  # type: ignore[arg-type]

    def set(self, key: str, value: object, expire: float | None = None) -> bool:
        if expire is not None and expire <= 0:
            # diskcache stores such a value already expired; Redis rejects a zero TTL, so drop the key instead.
            self.client.delete(self.prefix + key)
            return True
        return bool(self.client.set(self.prefix + key, pickle.dumps(value), px=_milliseconds(expire)))

    def add(self, key: str, value: object, expire: float | None = None) -> bool:
        if expire is not None and expire <= 0:
            return not self.client.exists(self.prefix + key)
        return bool(self.client.set(self.prefix + key, pickle.dumps(value), nx=True, px=_milliseconds(expire)))

    def delete(self, key: str) -> bool:
        return bool(self.client.delete(self.prefix + key))

    def lease(self, name: str, seconds: float) -> Lease:
        name = f"{self.prefix}lock:{name}"
        return RedisLease(redis.lock.Lock(self.client, name, timeout=seconds, blocking=False, thread_local=False))

    def close(self) -> None:
        self.client.close()


class RedisLease:
    """A Lease on redis-py's Lock: a random token names the owner, and the lock expires after `seconds` unless
    renewed, so a host that dies frees it. A Redis error counts as not holding it."""

    def __init__(self, lock: redis.lock.Lock) -> None:
        self._lock = lock

    def acquire(self) -> bool:
        try:
            return bool(self._lock.acquire())
        except redis.RedisError:
            return False

    def renew(self) -> bool:
        try:
            return bool(self._lock.reacquire())
        except redis.RedisError:  # LockError (not ours any more) is one too
            return False

    def release(self) -> None:
        # Expired or taken over meanwhile (LockError, a RedisError too): nothing of ours to release.
        with contextlib.suppress(redis.RedisError):
            self._lock.release()
