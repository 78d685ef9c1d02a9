"""Nothing hangs: every network dependency has a timeout (a server that accepts and never
answers fails the call after a bounded time)."""

import time

import pytest
from django.core.mail import send_mail

from propulsons.celery import app as celery_app
from tests.hanging import HangingServer
from tests.propulsons.test_settings import run_python

PROBE = """
import json, django
from django.conf import settings
django.setup()
from propulsons.celery import app
print(json.dumps({
    "database_options": settings.DATABASES["default"].get("OPTIONS", {}),
    "email_timeout": settings.EMAIL_TIMEOUT,
    "broker_connection_timeout": app.conf.broker_connection_timeout,
    "broker_transport_options": app.conf.broker_transport_options,
    "cache": settings.CACHES["default"],
}))
"""


@pytest.fixture
def hanging_server():
    server = HangingServer()
    yield server
    server.close()


def probe(**env):
    import json

    result = run_python(["-c", PROBE], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_bound_every_network_call():
    loaded = probe(
        DATABASE_URL="postgres://propulsons@127.0.0.1:5432/propulsons",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )
    options = loaded["database_options"]
    assert options["connect_timeout"] == 5
    assert options["options"] == "-c statement_timeout=20000"
    assert loaded["email_timeout"] == 10
    assert loaded["broker_connection_timeout"] == 2
    assert loaded["broker_transport_options"]["socket_connect_timeout"] == 2
    assert loaded["broker_transport_options"]["socket_timeout"] == 5
    assert loaded["cache"]["BACKEND"] == "propulsons.cache.FailoverRedisCache"
    assert loaded["cache"]["LOCATION"] == "redis://127.0.0.1:6379/1"
    assert loaded["cache"]["OPTIONS"]["socket_timeout"] == 1
    assert loaded["cache"]["OPTIONS"]["socket_connect_timeout"] == 1


def test_timeouts_are_read_from_the_environment():
    loaded = probe(
        DATABASE_URL="postgres://propulsons@127.0.0.1:5432/propulsons",
        DATABASE_CONNECT_TIMEOUT="3",
        DATABASE_STATEMENT_TIMEOUT_MS="0",
        EMAIL_TIMEOUT="20",
    )
    assert loaded["database_options"]["connect_timeout"] == 3
    assert loaded["database_options"]["options"] == "-c statement_timeout=0"
    assert loaded["email_timeout"] == 20


def test_an_smtp_server_that_never_answers_fails_the_send_within_email_timeout(
    settings, hanging_server
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = hanging_server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 1
    started = time.monotonic()
    with pytest.raises(OSError):  # TimeoutError
        send_mail("Sujet", "Corps", "contact@propulsons.org", ["porteur@example.org"])
    assert time.monotonic() - started < 1 + 2


def test_a_broker_that_never_answers_fails_the_connection_fast(monkeypatch, hanging_server):
    url = f"redis://127.0.0.1:{hanging_server.port}/0"
    monkeypatch.setitem(celery_app.conf, "broker_url", url)
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    socket_timeout = celery_app.conf.broker_transport_options["socket_timeout"]
    started = time.monotonic()
    with pytest.raises(Exception), celery_app.connection_for_write() as conn:  # noqa: B017
        conn.ensure_connection(max_retries=0)
    assert time.monotonic() - started < socket_timeout + 2
    assert hanging_server.accepted
