"""A Redis cache that the site survives without."""

import logging
import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# Redis refused, reset or timed out: the errors of an outage, not of a bug.
OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)

# Until when (time.monotonic()) each Redis location is left alone, shared by the threads of a
# process (Django builds one cache object per thread).
_down_until: dict[str, float] = {}
_down_lock = threading.Lock()


class ReusedRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client, keeping one redis-py client per connection pool instead of
    building one at every cache operation: `redis.Redis()` fills its table of some 170 reply
    handlers each time, a sixth of what serving a cached public page cost (two cache reads
    per page: 0.72 then 0.60 ms in-process). A redis-py client holds no connection of its own
    (it takes one from the pool per command) and is safe to share between threads."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class FailoverRedisCache(RedisCache):
    """Django's Redis cache, falling back to this process's memory while Redis is down.

    Every use of the cache (today the intake form's rate limit) keeps working: with Redis
    refused or silent past its socket timeouts, the operation runs on a local-memory cache
    and a warning is logged. Redis is then left alone for RETRY_AFTER seconds, so a hanging
    Redis costs one timeout per process, not one per request. The price while it lasts: each
    process counts on its own (a looser rate limit), which is better than a 500.
    """

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        self._retry_after = float(options.pop("RETRY_AFTER", 30))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = ReusedRedisCacheClient
        self._location = server if isinstance(server, str) else ",".join(server)
        fallback_params = {key: value for key, value in params.items() if key != "OPTIONS"}
        self._fallback = LocMemCache(f"failover:{self._location}", fallback_params)

    def ping(self) -> None:
        """Raise unless Redis answers (for /healthz, which must see the outage)."""
        self._cache.get_client(write=True).ping()

    def redis_is_down(self) -> bool:
        return time.monotonic() < _down_until.get(self._location, 0.0)

    def _call(self, name: str, *args, **kwargs):
        if not self.redis_is_down():
            try:
                return getattr(super(), name)(*args, **kwargs)
            except OUTAGE_ERRORS as error:
                with _down_lock:
                    _down_until[self._location] = time.monotonic() + self._retry_after
                logger.warning(
                    "Redis cache unavailable (%s: %s): this process uses its own memory for %d s",
                    type(error).__name__,
                    error,
                    self._retry_after,
                )
        return getattr(self._fallback, name)(*args, **kwargs)

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def clear(self):
        return self._call("clear")
