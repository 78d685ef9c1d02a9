"""The production cache (propulsons.cache.FailoverRedisCache) against a real Redis."""

import uuid

import redis

from propulsons.cache import FailoverRedisCache
from tests.conftest import require
from tests.propulsons.test_healthz import redis_reachable


def test_one_redis_client_serves_every_cache_operation(monkeypatch):
    """Django's client built a redis-py client at every operation, each filling its table of
    reply handlers: a sixth of what a cached public page cost (two reads per page)."""
    require(redis_reachable(), "Redis is not running on 127.0.0.1:6379")
    built = []
    original = redis.Redis.__init__

    def counting_init(self, *args, **kwargs):
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counting_init)
    cache = FailoverRedisCache(
        "redis://127.0.0.1:6379/6",
        {"KEY_PREFIX": f"test-{uuid.uuid4().hex}", "OPTIONS": {"socket_timeout": 1}},
    )
    assert cache.add("visits", 1)
    assert cache.incr("visits") == 2
    assert cache.get("visits") == 2
    cache.set("page", "<html>")
    assert cache.get_many(["visits", "page"]) == {"visits": 2, "page": "<html>"}
    cache.delete_many(["visits", "page"])
    assert cache.get("visits") is None
    assert len(built) == 1
