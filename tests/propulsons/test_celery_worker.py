"""A real Celery worker, in its own process, consuming from Redis."""

import os
import subprocess
import sys
import time
import uuid
from email import message_from_string, policy
from pathlib import Path

import pytest
from celery import Celery

from tests.conftest import require
from tests.propulsons.test_healthz import redis_reachable

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def worker(tmp_path):
    """Start `celery worker` on a queue of its own, sending mail to files in tmp_path."""
    require(redis_reachable(), "Redis is not running on 127.0.0.1:6379")
    queue = f"test-{uuid.uuid4().hex}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "CELERY_BROKER_URL": BROKER,
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "DJANGO_SETTINGS_MODULE": "propulsons.settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "propulsons",
            "worker",
            "--pool=solo",
            "--queues",
            queue,
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield queue, mail_dir, process
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


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
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(mail_dir.iterdir()):
        assert process.poll() is None, process.stdout.read()
        time.sleep(0.2)
    files = list(mail_dir.iterdir())
    assert len(files) == 1, "the worker did not send the email within 60 s"
    # The file backend writes the message then a line of dashes.
    raw = files[0].read_text().rsplit("\n" + "-" * 79, 1)[0]
    message = message_from_string(raw, policy=policy.default)
    assert message["Subject"] == "Votre projet est bien reçu"
    assert message["To"] == "porteur@example.org"
