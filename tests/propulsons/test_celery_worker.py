"""A real Celery worker, in its own process, consuming from Redis."""

import os
import uuid
from email import message_from_string, policy
from pathlib import Path

import pytest
from celery import Celery

from tests.celery_process import celery_worker, wait_for_files
from tests.conftest import require
from tests.propulsons.test_healthz import redis_reachable

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def worker(tmp_path):
    """A worker on a queue of its own, sending mail to files in tmp_path."""
    require(redis_reachable(), "Redis is not running on 127.0.0.1:6379")
    queue = f"test-{uuid.uuid4().hex}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    with celery_worker(mail_dir=mail_dir, queue=queue, CELERY_BROKER_URL=BROKER) as process:
        yield queue, mail_dir, process


@pytest.mark.celery_worker
def test_a_real_worker_sends_the_email_queued_in_redis(worker):
    queue, mail_dir, process = worker
    client = Celery(broker=BROKER)
    client.send_task(
        "propulsons.tasks.send_email",
        kwargs={
            "subject": "Votre projet est bien reçu",
            "text": "Bonjour,",
            "html": "<p>Bonjour,</p>",
            "to": ["porteur@example.org"],
        },
        queue=queue,
    )
    files = wait_for_files(process, mail_dir)
    assert len(files) == 1, "the worker did not send the email within 60 s"
    # The file backend writes the message then a line of dashes.
    raw = files[0].read_text().rsplit("\n" + "-" * 79, 1)[0]
    message = message_from_string(raw, policy=policy.default)
    assert message["Subject"] == "Votre projet est bien reçu"
    assert message["To"] == "porteur@example.org"
