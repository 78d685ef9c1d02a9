"""The checks behind /healthz, each bounded in time.

A paused database or Redis accepts a connection and never answers: a check run in the
request would hang it until gunicorn kills the worker, and a few such probes would take every
worker. So each check runs in its own thread and the answer waits at most HEALTHZ_TIMEOUT
seconds in all; a check that has not returned by then counts as failed. At most one thread
per check is in flight in a process: while a probe still hangs, the next request reports that
check as failed without starting another, so hung probes cannot pile up threads or database
connections. The hung thread ends by itself when its own timeouts fire or the service
answers again.
"""

import copy
import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import load_backend

logger = logging.getLogger(__name__)

_in_flight: dict[str, threading.Lock] = {}
_in_flight_guard = threading.Lock()


def _lock_for(name: str) -> threading.Lock:
    with _in_flight_guard:
        return _in_flight.setdefault(name, threading.Lock())


def run_checks(checks: dict[str, Callable[[], None]], timeout: float) -> dict[str, bool]:
    """Run each check (which raises on failure) in a thread; {name: passed} within timeout."""
    results: dict[str, bool] = {}
    started: dict[str, tuple[threading.Thread, dict]] = {}
    for name, check in checks.items():
        lock = _lock_for(name)
        if not lock.acquire(blocking=False):
            logger.warning("healthz: the previous %s check has not returned yet", name)
            results[name] = False
            continue
        outcome: dict[str, bool] = {}

        def probe(check=check, lock=lock, outcome=outcome, name=name):
            try:
                check()
                outcome["ok"] = True
            except Exception:
                logger.exception("healthz: the %s does not answer", name)
                outcome["ok"] = False
            finally:
                lock.release()

        thread = threading.Thread(target=probe, name=f"healthz-{name}", daemon=True)
        thread.start()
        started[name] = (thread, outcome)
    deadline = time.monotonic() + timeout
    for name, (thread, outcome) in started.items():
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            logger.warning("healthz: the %s did not answer within %s s", name, timeout)
        results[name] = outcome.get("ok", False)
    return {name: results[name] for name in checks}


def in_flight() -> list[str]:
    """The checks whose probe thread is still running (for tests and logs)."""
    with _in_flight_guard:
        return [name for name, lock in _in_flight.items() if lock.locked()]


def database_settings() -> dict:
    return connections.settings[DEFAULT_DB_ALIAS]


def check_database() -> None:
    """SELECT 1 on a connection of its own, with the probe's short connect and statement
    timeouts, closed afterwards (the request's persistent connection may be the hung one)."""
    settings_dict = copy.deepcopy(database_settings())
    if settings_dict["ENGINE"] == "django.db.backends.postgresql":
        seconds = max(1, round(settings.HEALTHZ_TIMEOUT))
        settings_dict.setdefault("OPTIONS", {}).update(
            connect_timeout=seconds, options=f"-c statement_timeout={seconds * 1000}"
        )
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "healthz")
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT 1")
            if cursor.fetchone() != (1,):
                raise RuntimeError("SELECT 1 did not return 1")
    finally:
        wrapper.close()


def check_broker() -> None:
    from propulsons.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=settings.HEALTHZ_TIMEOUT)


def check_cache() -> None:
    caches["default"].ping()


def configured_checks() -> dict[str, Callable[[], None]]:
    """The dependencies this deployment has: no broker in eager mode, no shared cache on the
    embedded default."""
    from propulsons.celery import app

    checks = {"database": check_database}
    if not app.conf.task_always_eager:
        checks["broker"] = check_broker
    if hasattr(caches["default"], "ping"):
        checks["cache"] = check_cache
    return checks
