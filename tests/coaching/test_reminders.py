"""Reminders: created from next actions and cadence rules, sent exactly once, retried on
failure; the daily digest."""

import threading
from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import connection

from coaching import services, tasks
from coaching.models import CoachSettings, DigestDelivery, Reminder
from outbox.models import Email
from projects.models import Status, StatusChange
from tests.coaching.factories import FirstMeetingFactory, InteractionFactory, ReminderFactory
from tests.factories import ProjectFactory
from tests.outbox.helpers import send_pending_emails

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)  # 10:30 in Paris


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def backdate_status(project, status, day):
    StatusChange.objects.create(project=project, from_status="", to_status=status)
    moment = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    StatusChange.objects.filter(project=project, to_status=status).update(created_at=moment)
    type(project).objects.filter(pk=project.pk).update(status_changed_at=moment)


# --- Creation -------------------------------------------------------------------------------


def test_a_next_action_with_a_due_date_becomes_a_reminder(cheffe, project):
    interaction = services.interaction_record(
        project=project,
        author=cheffe,
        kind="phone",
        happened_on=date(2026, 11, 26),
        duration_minutes=20,
        next_action="Rappeler le porteur",
        next_action_due=date(2026, 12, 3),
    )
    reminder = Reminder.objects.get()
    assert reminder.interaction == interaction
    assert reminder.recipient == cheffe
    assert reminder.message == "Rappeler le porteur"
    assert reminder.due_at == datetime(2026, 12, 3, 8, 0, tzinfo=UTC)  # 09:00 Paris


def test_a_dossier_in_coaching_without_exchange_for_14_days_gets_one_reminder(cheffe):
    quiet = ProjectFactory(status=Status.COACHING, coach=cheffe)
    InteractionFactory(project=quiet, happened_on=date(2026, 11, 12))  # 14 days ago
    lively = ProjectFactory(status=Status.COACHING, coach=cheffe)
    InteractionFactory(project=lively, happened_on=date(2026, 11, 13))  # 13 days ago
    assert services.reminders_create_from_cadences() == 1
    reminder = Reminder.objects.get()
    assert (reminder.project, reminder.kind) == (quiet, "coaching_silence")
    assert "12/11/2026" in reminder.message
    # Scanning again (a doubled run) creates nothing more.
    assert services.reminders_create_from_cadences() == 0
    assert Reminder.objects.count() == 1


def test_the_silence_counts_from_the_status_change_when_there_was_no_exchange(cheffe):
    project = ProjectFactory(status=Status.COACHING, coach=cheffe)
    backdate_status(project, Status.COACHING, date(2026, 11, 1))
    services.reminders_create_from_cadences()
    assert Reminder.objects.get().key == "since-2026-11-01"


def test_a_live_campaign_without_a_call_for_7_days_gets_a_reminder(cheffe):
    project = ProjectFactory(status=Status.CAMPAIGN_RUNNING, coach=cheffe)
    backdate_status(project, Status.CAMPAIGN_RUNNING, date(2026, 11, 1))
    InteractionFactory(project=project, kind="phone", happened_on=date(2026, 11, 18))
    InteractionFactory(project=project, kind="proofreading", happened_on=date(2026, 11, 25))
    services.reminders_create_from_cadences()
    reminder = Reminder.objects.get()
    assert reminder.kind == "campaign_silence"
    assert reminder.key == "since-2026-11-18"  # a proofreading is not a call

    other = ProjectFactory(status=Status.CAMPAIGN_RUNNING, coach=cheffe)
    backdate_status(other, Status.CAMPAIGN_RUNNING, date(2026, 11, 20))
    services.reminders_create_from_cadences()
    assert not Reminder.objects.filter(project=other).exists()


def test_calls_at_day_7_and_day_30_after_the_campaign_ends(cheffe, time_machine):
    project = ProjectFactory(status=Status.CAMPAIGN_ENDED, coach=cheffe)
    backdate_status(project, Status.CAMPAIGN_ENDED, date(2026, 11, 10))
    services.reminders_create_from_cadences()
    assert list(Reminder.objects.values_list("key", flat=True)) == ["J+7"]
    assert Reminder.objects.get().due_at == datetime(2026, 11, 17, 8, tzinfo=UTC)
    time_machine.move_to(datetime(2026, 12, 10, 9, tzinfo=UTC), tick=False)
    services.reminders_create_from_cadences()
    assert sorted(Reminder.objects.values_list("key", flat=True)) == ["J+30", "J+7"]


def test_the_cadences_are_settings(cheffe, settings):
    settings.COACHING_SILENCE_DAYS = 30
    project = ProjectFactory(status=Status.COACHING, coach=cheffe)
    InteractionFactory(project=project, happened_on=date(2026, 11, 1))
    assert services.reminders_create_from_cadences() == 0
    settings.COACHING_SILENCE_DAYS = 20
    assert services.reminders_create_from_cadences() == 1


def test_a_dossier_without_cheffe_reminds_the_longest_serving_cheffe(cheffe):
    project = ProjectFactory(status=Status.COACHING, coach=None)
    InteractionFactory(project=project, happened_on=date(2026, 10, 1))
    services.reminders_create_from_cadences()
    assert Reminder.objects.get().recipient == cheffe


# --- Sending --------------------------------------------------------------------------------


def test_a_due_reminder_is_emailed_once_even_when_the_task_runs_twice(cheffe):
    due = ReminderFactory(recipient=cheffe, due_at=NOW - timedelta(minutes=5))
    ReminderFactory(recipient=cheffe, due_at=NOW + timedelta(days=1))  # not yet
    tasks.process_reminders()
    tasks.process_reminders()
    send_pending_emails()
    send_pending_emails()
    assert Email.objects.count() == 1
    (message,) = mail.outbox
    assert message.to == [cheffe.email]
    assert due.project.title in message.subject
    assert "Rappeler le porteur" in message.body
    due.refresh_from_db()
    assert due.sent_at is not None and due.attempts == 1


def test_a_reminder_claimed_by_another_worker_is_not_sent_again(cheffe):
    reminder = ReminderFactory(recipient=cheffe, due_at=NOW - timedelta(minutes=1))
    assert services._claim(reminder.pk, NOW)
    # The other worker, at the same moment, finds it taken.
    assert not services._claim(reminder.pk, NOW)
    assert services.reminders_send_due() == 0
    assert mail.outbox == []


def test_a_claim_left_by_a_dead_worker_expires(cheffe):
    reminder = ReminderFactory(recipient=cheffe, due_at=NOW - timedelta(hours=1))
    Reminder.objects.filter(pk=reminder.pk).update(claimed_until=NOW - timedelta(seconds=1))
    assert services.reminders_send_due() == 1


def test_a_failed_email_stays_in_the_outbox_and_is_retried_after_a_delay(cheffe, time_machine):
    reminder = ReminderFactory(recipient=cheffe, due_at=NOW - timedelta(minutes=5))
    assert services.reminders_send_due() == 1
    reminder.refresh_from_db()
    assert reminder.sent_at is not None and reminder.claim_token is None
    email = reminder.email
    with mock.patch("outbox.services.EmailMultiAlternatives.send", side_effect=OSError("SMTP")):
        send_pending_emails()
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("pending", 1)
    assert "SMTP" in email.last_error
    assert email.next_attempt_at == NOW + timedelta(seconds=120)
    assert send_pending_emails() == []  # backed off: not before its next attempt
    time_machine.move_to(NOW + timedelta(seconds=121), tick=False)
    (message,) = send_pending_emails()
    assert "Rappeler le porteur" in message.body
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 2)
    assert services.reminders_send_due() == 0  # the reminder itself was never written twice
    assert Email.objects.count() == 1


def test_done_and_postponed_reminders(client, cheffe):
    reminder = ReminderFactory(recipient=cheffe, due_at=NOW - timedelta(days=2))
    client.force_login(cheffe)
    response = client.post(
        f"/accompagnement/rappels/{reminder.pk}/reporter/", {"due_on": "2026-11-20"}
    )
    reminder.refresh_from_db()
    assert reminder.due_at == NOW - timedelta(days=2)
    response = client.post(
        f"/accompagnement/rappels/{reminder.pk}/reporter/", {"due_on": "2026-12-01"}
    )
    assert response.status_code == 302
    reminder.refresh_from_db()
    assert reminder.due_at == datetime(2026, 12, 1, 8, tzinfo=UTC)
    assert services.reminders_send_due() == 0  # no longer due
    response = client.post(f"/accompagnement/rappels/{reminder.pk}/fait/")
    reminder.refresh_from_db()
    assert reminder.done_at is not None
    assert client.get(f"/accompagnement/rappels/{reminder.pk}/fait/").status_code == 405


def test_a_postponed_reminder_that_was_sent_is_sent_again_on_its_new_day(cheffe, time_machine):
    reminder = ReminderFactory(recipient=cheffe, due_at=NOW - timedelta(minutes=1))
    services.reminders_send_due()
    services.reminder_postpone(reminder=reminder, actor=cheffe, due_on=date(2026, 11, 28))
    time_machine.move_to(datetime(2026, 11, 28, 9, tzinfo=UTC), tick=False)
    assert services.reminders_send_due() == 1
    assert len(send_pending_emails()) == 2


def test_a_cheffe_cannot_touch_another_cheffes_reminder(client, cheffe):
    from tests.factories import UserFactory

    colleague = UserFactory(email="collegue@propulsons.org", role="cheffe")
    reminder = ReminderFactory(recipient=colleague)
    client.force_login(cheffe)
    assert client.post(f"/accompagnement/rappels/{reminder.pk}/fait/").status_code == 404
    assert Reminder.objects.get(pk=reminder.pk).done_at is None


def test_the_redirect_after_done_stays_on_the_site(client, cheffe):
    reminder = ReminderFactory(recipient=cheffe)
    client.force_login(cheffe)
    response = client.post(
        f"/accompagnement/rappels/{reminder.pk}/fait/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == "/accompagnement/"


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_one_email():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL (SQLite locks the whole file)")
    from tests.factories import UserFactory

    cheffe = UserFactory(email="cheffe.concurrente@propulsons.org", role="cheffe")
    ReminderFactory(recipient=cheffe, due_at=NOW - timedelta(minutes=1))
    barrier = threading.Barrier(2)
    results = []

    def worker():
        from django.db import connections

        barrier.wait()
        try:
            results.append(services.reminders_send_due(now=NOW))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 1]
    assert Email.objects.count() == 1
    assert len(send_pending_emails()) == 1


# --- The daily digest -----------------------------------------------------------------------


def test_the_digest_lists_overdue_today_and_appointments_once_a_day(cheffe):
    ReminderFactory(
        recipient=cheffe, message="En retard de deux jours", due_at=NOW - timedelta(days=2)
    )
    ReminderFactory(recipient=cheffe, message="Pour aujourd'hui", due_at=NOW + timedelta(hours=2))
    ReminderFactory(
        recipient=cheffe, message="Pour la semaine prochaine", due_at=NOW + timedelta(days=7)
    )
    project = ProjectFactory(coach=cheffe, title="Brasserie du port")
    FirstMeetingFactory(project=project, organiser=cheffe, scheduled_at=NOW + timedelta(days=2))

    assert tasks.send_daily_digests() == 1
    assert tasks.send_daily_digests() == 0  # retried or doubled: still one digest
    (message,) = send_pending_emails()
    assert message.to == [cheffe.email]
    assert "2 suivis à faire" in message.subject
    assert "En retard de deux jours" in message.body
    assert "Pour aujourd'hui" in message.body
    assert "Pour la semaine prochaine" not in message.body
    assert "Brasserie du port" in message.body
    assert DigestDelivery.objects.get().day == date(2026, 11, 26)


def test_the_digest_can_be_turned_off(client, cheffe):
    ReminderFactory(recipient=cheffe, due_at=NOW)
    client.force_login(cheffe)
    client.post("/accompagnement/agenda/", {"action": "digest"})  # box unticked
    assert CoachSettings.objects.get(user=cheffe).daily_digest is False
    assert tasks.send_daily_digests() == 0
    assert mail.outbox == []


def test_a_worker_killed_while_sending_the_digest_does_not_lose_the_days_digest(cheffe):
    ReminderFactory(recipient=cheffe, due_at=NOW, message="Pour aujourd'hui")
    # The worker dies while the digest is being sent (SystemExit: not an ordinary error that
    # the code could clean up after).
    with (
        mock.patch("outbox.emails.render", side_effect=SystemExit("killed")),
        pytest.raises(SystemExit),
    ):
        services.digest_send(user=cheffe)
    assert not DigestDelivery.objects.exists(), "recorded as delivered, never sent"
    # The next run of the morning sends it, once.
    assert services.digest_send(user=cheffe) is True
    assert services.digest_send(user=cheffe) is False
    (message,) = send_pending_emails()
    assert "Pour aujourd'hui" in message.body
    assert DigestDelivery.objects.get().email.status == "sent"


def test_a_digest_that_failed_to_send_is_retried_by_the_outbox(cheffe, time_machine):
    ReminderFactory(recipient=cheffe, due_at=NOW)
    assert services.digest_send(user=cheffe) is True
    with mock.patch("outbox.services.EmailMultiAlternatives.send", side_effect=OSError("SMTP")):
        assert send_pending_emails() == []
    time_machine.move_to(NOW + timedelta(minutes=3), tick=False)
    (message,) = send_pending_emails()
    assert message.to == [cheffe.email]
    assert DigestDelivery.objects.count() == 1


def test_no_digest_when_there_is_nothing_to_say(cheffe):
    assert services.digest_send(user=cheffe) is False
    assert mail.outbox == []


def test_the_beat_schedule_declares_both_tasks(settings):
    from celery.schedules import crontab

    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["coaching-reminders"]["task"] == "coaching.tasks.process_reminders"
    assert schedule["coaching-reminders"]["schedule"] == 900
    digest = schedule["coaching-daily-digest"]["schedule"]
    assert isinstance(digest, crontab) and digest.hour == {8} and digest.minute == {0}
    catch_up = schedule["coaching-daily-digest-catch-up"]["schedule"]
    assert catch_up.hour == {8, 9, 10, 11} and catch_up.minute == {0, 15, 30, 45}
    assert schedule["outbox-send-pending"]["task"] == "outbox.tasks.send_pending_emails"
    assert schedule["outbox-send-pending"]["schedule"] == 60
    assert settings.CELERY_TIMEZONE == "Europe/Paris"
