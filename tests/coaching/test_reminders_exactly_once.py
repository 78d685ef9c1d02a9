"""Reminders are written exactly once, whatever the timing: a claim lasts from the moment it
is taken, every write after it is conditional on still holding it (a token), failures back
off and are given up on (and shown to the team), and failing reminders hold nothing back."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from coaching import services, tasks
from coaching.models import Reminder
from outbox.models import Email
from tests.coaching.factories import ReminderFactory
from tests.factories import UserFactory
from tests.outbox.helpers import send_pending_emails
from tests.smtp_server import SMTPServer, use_smtp_server

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def delivered_messages() -> list[str]:
    """The reminder texts that reached the mail backend, one entry per email."""
    return sorted(
        line.split("\u00a0: ", 1)[1].strip()
        for message in send_pending_emails()
        for line in message.body.splitlines()
        if "\u00a0: Action " in line
    )


def test_a_claim_lasts_from_the_moment_it_is_taken_not_from_the_start_of_the_batch(
    cheffe, settings, monkeypatch, caplog, time_machine
):
    """Processing each reminder takes 200 s and a claim lasts 300 s: the second reminder is
    claimed 200 s after the batch started. Another worker's run, 400 s after the start, must
    find it still held (the old claim expired at start + 300 s, and it was sent twice)."""
    caplog.set_level(logging.WARNING, logger="coaching.services")
    settings.REMINDER_CLAIM_SECONDS = 300
    for n in range(3):
        ReminderFactory(recipient=cheffe, message=f"Action {n}", due_at=NOW - timedelta(hours=1))
    nested = []

    def slow_check(reminder):
        if nested:  # the other worker's own checks are instant
            return True
        time_machine.shift(timedelta(seconds=200))
        if reminder.message == "Action 1":
            nested.append(True)
            services.reminders_send_due()  # another worker's run, meanwhile
        return True

    monkeypatch.setitem(services.REMINDER_STILL_RELEVANT, "next_action", slow_check)
    services.reminders_send_due()
    assert delivered_messages() == ["Action 0", "Action 1", "Action 2"]
    assert "no longer holds its claim" not in caplog.text
    assert set(Reminder.objects.values_list("attempts", flat=True)) == {1}


def test_a_worker_whose_claim_expired_does_not_mark_or_send_the_reminder(
    cheffe, monkeypatch, caplog, time_machine
):
    """A worker stalls past its claim; another takes the reminder and emails it. The first must
    not email it again nor mark it (the old code marked sent unconditionally)."""
    caplog.set_level(logging.WARNING, logger="coaching.services")
    reminder = ReminderFactory(
        recipient=cheffe, message="Action unique", due_at=NOW - timedelta(hours=1)
    )
    stalled = []

    def stalling_check(_reminder):
        if not stalled:
            stalled.append(True)
            time_machine.shift(timedelta(seconds=301))
            assert services.reminders_send_due() == 1  # the other worker
        return True

    monkeypatch.setitem(services.REMINDER_STILL_RELEVANT, "next_action", stalling_check)
    services.reminders_send_due()
    assert delivered_messages() == ["Action unique"]
    reminder.refresh_from_db()
    assert reminder.attempts == 1 and reminder.claim_token is None
    assert "no longer holds its claim" in caplog.text


def test_a_reminder_closed_after_its_claim_is_not_emailed(cheffe, monkeypatch):
    """The worker has claimed the reminder when the cheffe ticks "fait" (or the committee's
    vote closes): it must not be emailed, and stays done."""
    reminder = ReminderFactory(
        recipient=cheffe, message="Action close", due_at=NOW - timedelta(hours=1)
    )

    def closed_meanwhile(_reminder):
        services.reminder_mark_done(reminder=reminder, actor=cheffe)
        return True

    monkeypatch.setitem(services.REMINDER_STILL_RELEVANT, "next_action", closed_meanwhile)
    assert services.reminders_send_due() == 0
    assert delivered_messages() == []
    reminder.refresh_from_db()
    assert reminder.done_at is not None and reminder.sent_at is None


def test_200_reminders_that_fail_for_good_do_not_block_the_others(cheffe, settings):
    """A recipient the SMTP server refuses: 200 of their reminders, due first, must not keep
    another cheffe's reminder from leaving (the old batch of 200 was full of them for ever)."""
    refused = UserFactory(email="refuse@propulsons.org", role="cheffe")
    for n in range(200):
        ReminderFactory(recipient=refused, message=f"Refusé {n}", due_at=NOW - timedelta(days=2))
    ReminderFactory(recipient=cheffe, message="Action attendue", due_at=NOW - timedelta(hours=1))
    with SMTPServer(refuse={refused.email}) as smtp:
        use_smtp_server(settings, smtp)
        for _run in range(2):
            tasks.process_reminders()
            send_pending_emails()
        assert [item.recipients for item in smtp.delivered] == [[cheffe.email]]
        assert "Action attendue" in smtp.delivered[0].message.get_body(("plain",)).get_content()
    assert Email.objects.filter(status="pending", attempts=1).count() == 200
    assert Reminder.objects.filter(sent_at__isnull=True).count() == 0  # each written once


def test_a_reminder_that_cannot_be_processed_backs_off_then_shows_on_the_dashboard(
    client, cheffe, settings, monkeypatch, time_machine
):
    settings.REMINDER_MAX_ATTEMPTS = 3
    reminder = ReminderFactory(
        recipient=cheffe, message="Action impossible", due_at=NOW - timedelta(hours=1)
    )

    def broken(_reminder):
        raise ValueError("données incohérentes")

    monkeypatch.setitem(services.REMINDER_STILL_RELEVANT, "next_action", broken)
    for attempt in range(1, 4):
        assert services.reminders_send_due() == 0
        reminder.refresh_from_db()
        assert reminder.attempts == attempt and reminder.claim_token is None
        assert "données incohérentes" in reminder.last_error
        assert services.reminders_send_due() == 0  # backed off: nothing before its next try
        time_machine.shift(reminder.next_attempt_at - datetime.now(UTC) + timedelta(seconds=1))
    reminder.refresh_from_db()
    assert reminder.failed_at is not None
    assert not Reminder.objects.due(datetime.now(UTC) + timedelta(days=30)).exists()

    client.force_login(cheffe)
    page = client.get("/accompagnement/").content.decode()
    assert "Non envoyé" in page
    assert "1 de vos rappels n&#x27;a pas pu vous être envoyé" in page or (
        "1 de vos rappels n'a pas pu" in page
    )
    # Postponing re-arms it.
    services.reminder_postpone(
        reminder=reminder, actor=cheffe, due_on=datetime.now(UTC).date() + timedelta(days=1)
    )
    reminder.refresh_from_db()
    assert (reminder.failed_at, reminder.attempts, reminder.next_attempt_at) == (None, 0, None)


def test_a_reminder_whose_email_failed_for_good_shows_on_the_dashboard(client, cheffe):
    reminder = ReminderFactory(recipient=cheffe, message="Action", due_at=NOW - timedelta(hours=1))
    services.reminders_send_due()
    reminder.refresh_from_db()
    Email.objects.filter(pk=reminder.email_id).update(status="failed", failed_at=NOW)
    client.force_login(cheffe)
    page = client.get("/accompagnement/").content.decode()
    assert "Non envoyé" in page
    assert "/accompagnement/e-mails-en-echec/" in page
    assert mail.outbox == []
