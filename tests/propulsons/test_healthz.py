import socket
import threading
import time

import pytest

from propulsons import health
from propulsons.celery import app as celery_app
from tests.conftest import require
from tests.hanging import HangingServer, closed_port, wait_for


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(autouse=True)
def local_cache(settings):
    """The checks depend on the deployment: CI's broker URL also gives a Redis cache. Each test
    starts from a local-memory cache (no cache check) and configures what it probes."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def broker(monkeypatch):
    """Pretend a broker is configured (not eager) at the given URL."""

    def configure(url):
        monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
        monkeypatch.setitem(celery_app.conf, "broker_url", url)
        # Celery reads this variable before its own setting (and CI sets it).
        monkeypatch.setenv("CELERY_BROKER_URL", url)

    return configure


def test_it_answers_200_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}
    assert "no-cache" in response["Cache-Control"]


def postgres_at(port: int) -> dict:
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "propulsons",
        "USER": "propulsons",
        "PASSWORD": "",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "OPTIONS": {},
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False,
        "TIME_ZONE": None,
        "TEST": {},
    }


@pytest.fixture
def hanging():
    """A server that accepts and never answers; afterwards, the probes it hung have ended."""
    server = HangingServer()
    yield server
    server.close()
    wait_for(lambda: not health.in_flight())


def test_it_answers_503_when_the_database_is_down(client, db, monkeypatch):
    monkeypatch.setattr(health, "database_settings", lambda: postgres_at(closed_port()))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "checks": {"database": "error"}}


def test_it_checks_the_configured_broker(client, db, broker):
    require(redis_reachable(), "Redis is not running on 127.0.0.1:6379")
    broker("redis://127.0.0.1:6379/0")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


def test_it_answers_503_when_the_broker_is_down(client, db, broker):
    broker("redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["broker"] == "error"
    assert "127.0.0.1:1" not in response.content.decode()


def test_it_needs_no_login_and_reveals_no_secret(client, db, settings):
    response = client.get("/healthz")
    assert settings.SECRET_KEY not in response.content.decode()
    assert "postgres" not in response.content.decode()


def timed_get(client, url="/healthz"):
    started = time.monotonic()
    response = client.get(url)
    return response, time.monotonic() - started


def test_it_answers_503_within_2_s_when_the_database_hangs(client, db, monkeypatch, hanging):
    monkeypatch.setattr(health, "database_settings", lambda: postgres_at(hanging.port))
    response, elapsed = timed_get(client)
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "error"}
    assert elapsed < 2
    wait_for(lambda: hanging.accepted)


def test_a_hung_probe_is_not_started_again_and_the_check_recovers(client, db, monkeypatch):
    server = HangingServer()
    monkeypatch.setattr(health, "database_settings", lambda: postgres_at(server.port))
    for _ in range(5):
        response, elapsed = timed_get(client)
        assert response.status_code == 503
        assert elapsed < 2
    # Five requests, one probe thread and one connection at most.
    probes = [t for t in threading.enumerate() if t.name == "healthz-database"]
    assert len(probes) <= 1
    assert len(server.accepted) <= 1
    # The hung service comes back (here: goes away for good); the probe ends by itself.
    server.close()
    wait_for(lambda: not health.in_flight())
    monkeypatch.setattr(health, "database_settings", lambda: health.connections.settings["default"])
    assert client.get("/healthz").status_code == 200


def test_it_answers_503_within_2_s_when_the_broker_hangs(client, db, broker, hanging):
    broker(f"redis://127.0.0.1:{hanging.port}/0")
    response, elapsed = timed_get(client)
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "broker": "error"}
    assert elapsed < 2


def failover_cache_at(port: int) -> dict:
    return {
        "default": {
            "BACKEND": "propulsons.cache.FailoverRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/5",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1, "RETRY_AFTER": 30},
        }
    }


def test_it_answers_503_within_2_s_when_the_cache_hangs(client, db, settings, hanging):
    settings.CACHES = failover_cache_at(hanging.port)
    response, elapsed = timed_get(client)
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "error"}
    assert elapsed < 2


def test_it_checks_the_configured_cache(client, db, settings):
    require(redis_reachable(), "Redis is not running on 127.0.0.1:6379")
    settings.CACHES = failover_cache_at(6379)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok"}
