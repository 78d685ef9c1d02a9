"""The intake form with its rate limiter's cache (Redis) down or hanging: it still works."""

import logging
import time

import pytest

from projects.models import Project
from propulsons import cache as failover
from tests.conftest import require
from tests.hanging import HangingServer, closed_port
from tests.projects.test_intake import valid_data

pytestmark = pytest.mark.django_db


def redis_cache_at(port: int, retry_after: int = 30) -> dict:
    """The production cache (see settings.CACHES) pointed at the given port."""
    return {
        "default": {
            "BACKEND": "propulsons.cache.FailoverRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/5",
            "OPTIONS": {
                "socket_connect_timeout": 1,
                "socket_timeout": 1,
                "RETRY_AFTER": retry_after,
            },
        }
    }


@pytest.fixture(autouse=True)
def _redis_not_known_down():
    failover._down_until.clear()
    yield
    failover._down_until.clear()


@pytest.fixture
def hanging_server():
    server = HangingServer()
    yield server
    server.close()


def timed_submit(client, django_capture_on_commit_callbacks, **overrides):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/deposer/", valid_data(**overrides))
    return response, time.monotonic() - started


def test_the_intake_succeeds_when_the_cache_refuses_connections(
    client, settings, caplog, django_capture_on_commit_callbacks
):
    settings.CACHES = redis_cache_at(closed_port())
    with caplog.at_level(logging.WARNING, logger="propulsons.cache"):
        response, elapsed = timed_submit(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == "/deposer/merci/"
    assert Project.objects.filter(title="Un four à pain collectif").count() == 1
    assert "Redis cache unavailable" in caplog.text
    assert elapsed < 5


def test_the_intake_succeeds_within_bounded_time_when_the_cache_hangs(
    client, settings, caplog, django_capture_on_commit_callbacks, hanging_server
):
    settings.CACHES = redis_cache_at(hanging_server.port)
    with caplog.at_level(logging.WARNING, logger="propulsons.cache"):
        response, elapsed = timed_submit(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert Project.objects.count() == 1
    assert "Redis cache unavailable" in caplog.text
    # One socket timeout (1 s), then the process's memory: not one timeout per cache call.
    assert elapsed < 1 + 3
    response, elapsed = timed_submit(
        client, django_capture_on_commit_callbacks, contact_email="autre@example.org"
    )
    assert response.status_code == 302
    assert Project.objects.count() == 2
    assert elapsed < 1


def test_while_the_cache_is_down_the_rate_limit_counts_in_the_process(
    client, settings, django_capture_on_commit_callbacks
):
    settings.CACHES = redis_cache_at(closed_port())
    settings.INTAKE_RATE = "2/h"
    for number in (1, 2):
        response, _ = timed_submit(
            client, django_capture_on_commit_callbacks, contact_email=f"a{number}@example.org"
        )
        assert response.status_code == 302
    response, _ = timed_submit(
        client, django_capture_on_commit_callbacks, contact_email="a3@example.org"
    )
    assert response.status_code == 429
    assert "Trop de dépôts depuis votre connexion" in response.content.decode()
    assert Project.objects.count() == 2


def test_redis_is_used_again_once_it_answers(settings):
    require(_redis_up(), "Redis is not running on 127.0.0.1:6379")
    settings.CACHES = redis_cache_at(6379, retry_after=0)
    from django.core.cache import cache

    failover._down_until[cache._location] = time.monotonic() + 3600
    cache.set("infra-test-key", "local")
    assert not cache._cache.get_client().exists(cache.make_key("infra-test-key"))
    failover._down_until.clear()
    cache.set("infra-test-key", "redis", 10)
    assert cache._cache.get_client().exists(cache.make_key("infra-test-key"))
    cache.delete("infra-test-key")


def _redis_up() -> bool:
    from tests.propulsons.test_healthz import redis_reachable

    return redis_reachable()
