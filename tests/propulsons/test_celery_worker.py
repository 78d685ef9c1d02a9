"""A real Celery worker, in its own process, consuming from Redis and sending outbox rows."""

import os
import time
import uuid
from email import message_from_string, policy
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

from outbox import services
from outbox.models import Email
from tests.celery_process import celery_worker, wait_for_files
from tests.coaching.test_worker_and_beat import database_url
from tests.conftest import require
from tests.propulsons.test_healthz import redis_reachable

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/0")

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(tmp_path):
    """A worker on a queue of its own, sharing the test database, sending mail to files."""
    require(redis_reachable(), "Redis is not running on 127.0.0.1:6379")
    require(connection.vendor == "postgresql", "the worker shares the test database: PostgreSQL")
    queue = f"test-{uuid.uuid4().hex}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    with celery_worker(
        mail_dir=mail_dir, queue=queue, CELERY_BROKER_URL=BROKER, DATABASE_URL=database_url()
    ) as process:
        yield queue, mail_dir, process


def wait_until_sent(process, seconds: float = 30) -> None:
    """The worker marks the row sent just after the backend wrote the file: wait for it."""
    deadline = time.monotonic() + seconds
    while Email.objects.exclude(status="sent").exists():
        assert process.poll() is None, process.stdout.read()
        assert time.monotonic() < deadline, "the email was sent but never marked sent"
        time.sleep(0.2)


def read_message(path: Path):
    # The file backend writes the message then a line of dashes.
    raw = path.read_text().rsplit("\n" + "-" * 79, 1)[0]
    return message_from_string(raw, policy=policy.default)


def test_a_real_worker_sends_the_outbox_email_queued_in_redis(worker):
    queue, mail_dir, process = worker
    email = services.email_create(
        subject="Votre projet est bien reçu",
        text="Bonjour,",
        html="<p>Bonjour,</p>",
        to=["porteur@example.org"],
    )
    Celery(broker=BROKER).send_task("outbox.tasks.send_email", args=[email.pk], queue=queue)
    files = wait_for_files(process, mail_dir)
    assert len(files) == 1, "the worker did not send the email within 60 s"
    message = read_message(files[0])
    assert message["Subject"] == "Votre projet est bien reçu"
    assert message["To"] == "porteur@example.org"
    wait_until_sent(process)
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 1)


def test_a_message_queued_by_the_version_before_the_outbox_is_still_sent(worker):
    queue, mail_dir, process = worker
    Celery(broker=BROKER).send_task(
        "propulsons.tasks.send_email",
        kwargs={
            "subject": "Message d'avant la mise à jour",
            "text": "Bonjour,",
            "html": "<p>Bonjour,</p>",
            "to": ["porteur@example.org"],
        },
        queue=queue,
    )
    files = wait_for_files(process, mail_dir)
    assert read_message(files[0])["Subject"] == "Message d'avant la mise à jour"
    wait_until_sent(process)
    assert Email.objects.get().status == "sent"
