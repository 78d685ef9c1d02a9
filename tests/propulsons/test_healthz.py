import socket
from unittest import mock

import pytest

from propulsons.celery import app as celery_app
from tests.conftest import require


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


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


def test_it_answers_503_when_the_database_is_down(client, db):
    with mock.patch("propulsons.views.connection.cursor", side_effect=OSError("down")):
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
