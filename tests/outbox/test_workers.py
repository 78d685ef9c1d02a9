"""Real Celery workers against Redis and PostgreSQL, and a local SMTP server that takes up to a
second per email: two workers with a beat each (a doubled beat) deliver every email and every
reminder exactly once, and a worker killed with -9 in the middle of a batch loses nothing."""

import os
import signal
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from celery import Celery
from django.db import connection
from django.utils import timezone

from coaching.models import Reminder
from outbox import services
from outbox.models import Email
from tests.celery_process import celery_worker
from tests.coaching.factories import ReminderFactory
from tests.coaching.test_worker_and_beat import database_url
from tests.conftest import require
from tests.propulsons.test_healthz import redis_reachable
from tests.smtp_server import SMTPServer

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

# Celery prefers the CELERY_BROKER_URL variable to any broker given in code (CI sets it): the
# test's client and its workers must use that one; each test has its own queue.
BROKER = (
    os.environ.get("OUTBOX_TEST_BROKER_URL")
    or os.environ.get("CELERY_BROKER_URL")
    or "redis://127.0.0.1:6379/2"
)


@pytest.fixture(autouse=True)
def _services():
    require(redis_reachable(), "Redis is not running on 127.0.0.1:6379")
    require(connection.vendor == "postgresql", "the workers share the test database: PostgreSQL")


class Output:
    """A worker's log, read as it comes (so its pipe never fills)."""

    def __init__(self, process):
        self.process = process
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line)

    def count(self, text: str) -> int:
        return sum(text in line for line in list(self.lines))

    def wait_for(self, text: str, at_least: int, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while self.count(text) < at_least:
            assert self.process.poll() is None, "".join(self.lines[-40:])
            assert time.monotonic() < deadline, f"no {text!r} x{at_least}: " + "".join(
                self.lines[-40:]
            )
            time.sleep(0.2)


def worker_env(smtp: SMTPServer, **extra) -> dict:
    return {
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": BROKER,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "GEO_API_URL": "http://127.0.0.1:9",  # beat's hourly geocoding must not go out
        "OUTBOX_SCAN_SECONDS": "1",
        "REMINDER_SCAN_SECONDS": "1",
        "CONN_MAX_AGE": "0",
        **extra,
    }


def delivered_subjects(smtp: SMTPServer) -> Counter:
    return Counter(smtp.subjects())


def test_two_workers_and_a_doubled_beat_deliver_each_email_exactly_once(tmp_path, cheffe):
    emails = [
        services.email_create(subject=f"Courriel {n}", text="Bonjour,", html="", to=[f"p{n}@x.org"])
        for n in range(8)
    ]
    for n in range(6):
        ReminderFactory(
            recipient=cheffe,
            project__title=f"Dossier {n}",
            due_at=timezone.now() - timedelta(minutes=5),
        )
    expected = {f"Courriel {n}" for n in range(8)} | {
        f"Rappel Propulsons! — Dossier {n}" for n in range(6)
    }
    queue = f"test-outbox-{uuid.uuid4().hex}"
    # 0.6 s per email; a claim lasts 15 s from the moment it is taken (and, with no
    # EMAIL_TIMEOUT, a socket waits at most a tenth of that).
    with SMTPServer(delay=0.6) as smtp:
        env = worker_env(smtp, OUTBOX_CLAIM_SECONDS="15", REMINDER_CLAIM_SECONDS="15")
        with (
            celery_worker(
                mail_dir=tmp_path,
                queue=queue,
                extra_args=["--beat", "--schedule", str(tmp_path / "beat-a")],
                **env,
            ) as first,
            celery_worker(
                mail_dir=tmp_path,
                queue=queue,
                extra_args=["--beat", "--schedule", str(tmp_path / "beat-b")],
                **env,
            ) as second,
        ):
            logs = [Output(first), Output(second)]
            smtp.wait_until(
                lambda s: len(s.delivered) >= len(expected),
                seconds=120,
                message=f"delivered only {delivered_subjects(smtp)}",
            )
            # Let each beat fire more scans once everything is out: nothing leaves again.
            marks = [log.count("send_pending_emails") for log in logs]
            for log, mark in zip(logs, marks, strict=True):
                log.wait_for("send_pending_emails", mark + 4)
        assert delivered_subjects(smtp) == Counter(expected)
    assert set(Email.objects.values_list("status", flat=True)) == {"sent"}
    assert Email.objects.count() == len(expected)
    assert all(email.attempts == 1 for email in Email.objects.filter(pk__in=[e.pk for e in emails]))
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()
    assert set(Reminder.objects.values_list("attempts", flat=True)) == {1}


def test_a_worker_killed_mid_batch_loses_nothing(tmp_path):
    for n in range(6):
        services.email_create(subject=f"Courriel {n}", text="Bonjour,", html="", to=[f"p{n}@x.org"])
    queue = f"test-outbox-{uuid.uuid4().hex}"
    # One second per email; a claim lasts 20 s (a socket waits at most 2 s without
    # EMAIL_TIMEOUT).
    with SMTPServer(delay=1.0) as smtp:
        env = worker_env(smtp, OUTBOX_CLAIM_SECONDS="20")
        with celery_worker(mail_dir=tmp_path, queue=queue, **env) as doomed:
            log = Output(doomed)
            Celery(broker=BROKER).send_task("outbox.tasks.send_pending_emails", queue=queue)
            # The third email is on the wire, not yet accepted: the worker dies.
            smtp.wait_until(lambda s: s.receiving >= 3, seconds=90, message="".join(log.lines))
            os.kill(doomed.pid, signal.SIGKILL)
            doomed.wait(timeout=30)
            smtp.wait_until(lambda s: s.dropped == 1, seconds=30)
        assert len(smtp.delivered) == 2
        held = Email.objects.filter(status="pending", claimed_until__isnull=False)
        assert held.count() == 1, "the dead worker's claim is left behind"

        # Another worker (with its beat) takes over once that claim expires.
        with celery_worker(
            mail_dir=tmp_path,
            queue=queue,
            extra_args=["--beat", "--schedule", str(tmp_path / "beat")],
            **env,
        ) as rescuer:
            log = Output(rescuer)
            smtp.wait_until(
                lambda s: len(s.delivered) >= 6, seconds=120, message="".join(log.lines[-40:])
            )
            mark = log.count("send_pending_emails")
            log.wait_for("send_pending_emails", mark + 4)
        assert delivered_subjects(smtp) == Counter(f"Courriel {n}" for n in range(6))
    assert set(Email.objects.values_list("status", flat=True)) == {"sent"}
    # The killed attempt left no trace but its expired claim: each row was sent in one attempt.
    assert set(Email.objects.values_list("attempts", flat=True)) == {1}
