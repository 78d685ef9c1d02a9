"""A real Celery worker with its beat, against Redis and PostgreSQL, delivers a due reminder
exactly once."""

import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from coaching.models import Reminder
from tests.celery_process import celery_worker, wait_for_files
from tests.coaching.factories import ReminderFactory
from tests.conftest import require
from tests.factories import UserFactory
from tests.propulsons.test_healthz import redis_reachable

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_worker_and_beat_deliver_a_due_reminder_exactly_once(tmp_path):
    require(redis_reachable(), "Redis is not running on 127.0.0.1:6379")
    require(connection.vendor == "postgresql", "the worker shares the test database: PostgreSQL")
    cheffe = UserFactory(email="cheffe.beat@propulsons.org", role="cheffe")
    reminder = ReminderFactory(
        recipient=cheffe, message="Appeler Indelab", due_at=timezone.now() - timedelta(minutes=1)
    )
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    with celery_worker(
        mail_dir=mail_dir,
        queue=f"test-beat-{uuid.uuid4().hex}",
        extra_args=["--beat", "--schedule", str(tmp_path / "beat-schedule")],
        DATABASE_URL=database_url(),
        REMINDER_SCAN_SECONDS="1",
    ) as process:
        assert wait_for_files(process, mail_dir), "no reminder email within 60 s"
        # Let beat fire several more scans: the reminder must not be sent again.
        time.sleep(5)
    emails = [path.read_text() for path in mail_dir.iterdir()]
    assert len(emails) == 1
    assert "Appeler Indelab" in emails[0]
    reminder = Reminder.objects.get(pk=reminder.pk)
    assert reminder.sent_at is not None
    assert reminder.attempts == 1
