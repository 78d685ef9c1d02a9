"""The outbox: every email is a row written with the change that causes it; a broker outage
is not a 500; rows are claimed, retried with backoff, failed for good after a bounded number
of attempts (and shown to the team), and never hold back the others."""

import logging
import socket
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import transaction

from outbox import emails, services, tasks
from outbox.models import Email
from projects.models import Project
from tests.projects.test_intake import valid_data
from tests.smtp_server import SMTPServer, use_smtp_server

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def smtp(settings):
    with SMTPServer() as server:
        use_smtp_server(settings, server)
        yield server


@pytest.fixture
def broker_down(settings, monkeypatch):
    """Celery as in production (not eager), its broker a closed port on this machine."""
    from django.core.cache import cache

    from propulsons.celery import app

    # The intake's rate limit uses the cache; Redis being down for it is another test's case.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    previous = app.conf.broker_url, app.conf.task_always_eager
    closed = f"redis://127.0.0.1:{port}/2"
    app.conf.broker_url = closed
    # Celery reads this variable before its own setting (and CI sets it).
    monkeypatch.setenv("CELERY_BROKER_URL", closed)
    app.conf.task_always_eager = False
    yield
    app.conf.broker_url, app.conf.task_always_eager = previous


def queue(subject: str, to: str = "porteur@example.org") -> Email:
    return services.email_queue(subject=subject, text="Bonjour,", html="", to=[to])


# --- Written with the change ----------------------------------------------------------------


def test_an_email_is_written_in_the_transaction_of_its_change_and_sent_after_it_commits(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        emails.send("deletion_requested", to=["equipe@example.org"], context={"request": None})
        assert Email.objects.get().status == "pending"
        assert mail.outbox == []  # nothing leaves before the commit
    email = Email.objects.get()
    assert (email.status, email.attempts, email.recipients) == ("sent", 1, ["equipe@example.org"])
    assert len(mail.outbox) == 1


def test_a_rolled_back_change_leaves_no_email(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue("Jamais envoyé")
        raise RuntimeError("the change fails")
    assert not Email.objects.exists()
    assert mail.outbox == []


def test_with_the_broker_down_the_intake_and_the_first_meeting_succeed_and_the_emails_leave_later(
    client, cheffe, broker_down, smtp, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.WARNING, logger="outbox.services")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/deposer/", valid_data())
    assert response.status_code == 302
    assert response["Location"] == "/deposer/merci/"
    project = Project.objects.get()

    client.force_login(cheffe)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/accompagnement/dossiers/{project.reference}/premier-rendez-vous/",
            {
                "scheduled_at": "2026-12-03T14:00",
                "duration_minutes": "120",
                "location": "23 rue du 11 Novembre, Lens",
                "video_link": "",
            },
        )
    assert response.status_code == 302
    assert project.first_meeting.location.endswith("Lens")

    # Three emails wait in the outbox: the porteur's receipt, the team's notice, the invitation.
    pending = list(Email.objects.order_by("id"))
    assert [e.status for e in pending] == ["pending"] * 3
    assert [e.recipients for e in pending] == [
        ["camille.lefebvre@example.org"],
        ["contact@propulsons.org"],
        ["camille.lefebvre@example.org"],
    ]
    assert sum("not queued" in r.getMessage() for r in caplog.records) == 3
    assert "Connection refused" in caplog.text  # the closed port was really tried
    assert smtp.delivered == []

    # Later, the beat's scan sends each one, once; a second scan sends nothing more.
    assert tasks.send_pending_emails() == 3
    assert tasks.send_pending_emails() == 0
    assert sorted(item.recipients[0] for item in smtp.delivered) == [
        "camille.lefebvre@example.org",
        "camille.lefebvre@example.org",
        "contact@propulsons.org",
    ]
    invitation = next(i for i in smtp.delivered if "rendez-vous" in i.subject)
    assert any(
        part.get_filename() == "invitation.ics" for part in invitation.message.iter_attachments()
    )
    assert set(Email.objects.values_list("status", flat=True)) == {"sent"}


# --- Claims ---------------------------------------------------------------------------------


def test_a_claim_lasts_from_the_moment_it_is_taken_not_from_the_start_of_the_batch(
    settings, time_machine, caplog
):
    """Each email takes 200 s to send and a claim lasts 300 s: the third email is claimed 400 s
    after the batch started, and must still be held while it is sent."""
    caplog.set_level(logging.WARNING, logger="outbox.services")
    for n in range(3):
        queue(f"Message {n}")
    sent_by_other_worker = []
    original = services.deliver

    def slow_delivery(**message):
        time_machine.shift(timedelta(seconds=200))
        if message["subject"] == "Message 2" and not sent_by_other_worker:
            # Another worker's scan runs while this one sends the last email of its batch.
            sent_by_other_worker.append(services.emails_send_due())
        original(**message)

    settings.OUTBOX_CLAIM_SECONDS = 300
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "deliver", slow_delivery)
        assert services.emails_send_due() == 3
    assert sent_by_other_worker == [0]
    assert sorted(m.subject for m in mail.outbox) == ["Message 0", "Message 1", "Message 2"]
    assert "no longer held" not in caplog.text


def test_a_worker_that_lost_its_claim_does_not_mark_the_email_and_says_so(time_machine, caplog):
    caplog.set_level(logging.WARNING, logger="outbox.services")
    email = queue("Lent")
    original = services.deliver
    calls = []

    def stalled_delivery(**message):
        calls.append(message["subject"])
        if len(calls) == 1:
            # This worker stalls past its claim; another takes the row and sends it.
            time_machine.shift(timedelta(seconds=301))
            assert services.email_send(email_id=email.pk) is True
        original(**message)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "deliver", stalled_delivery)
        services.email_send(email_id=email.pk)
    email.refresh_from_db()
    assert (email.status, email.attempts, email.claim_token) == ("sent", 1, None)
    assert "no longer held its claim" in caplog.text


def test_a_claimed_email_is_not_sent_by_another_worker_until_the_claim_expires(time_machine):
    email = queue("Pris")
    assert services._claim(email.pk) is not None
    assert services.emails_send_due() == 0
    time_machine.shift(timedelta(seconds=299))
    assert services.emails_send_due() == 0
    time_machine.shift(timedelta(seconds=2))  # the worker that held it died
    assert services.emails_send_due() == 1
    assert len(mail.outbox) == 1


# --- Failures -------------------------------------------------------------------------------


def test_a_refused_email_backs_off_then_fails_for_good_and_the_team_resends_it(
    client, cheffe, settings, smtp, time_machine, django_capture_on_commit_callbacks
):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    smtp.refuse = {"inconnu@example.org"}
    email = queue("Votre dossier", to="inconnu@example.org")
    delays = []
    for _attempt in range(3):
        assert services.emails_send_due() == 0
        email.refresh_from_db()
        delays.append(email.next_attempt_at - datetime.now(UTC))
        assert services.emails_send_due() == 0  # not before its next attempt
        time_machine.shift(delays[-1] + timedelta(seconds=1))
    assert delays[:2] == [timedelta(seconds=120), timedelta(seconds=240)]
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("failed", 3)
    assert "SMTPRecipientsRefused" in email.last_error
    assert services.emails_send_due() == 0  # given up on

    client.force_login(cheffe)
    dashboard = client.get("/accompagnement/").content.decode()
    assert "1 e-mail n&#x27;a pas pu être envoyé" in dashboard or "1 e-mail n'a pas" in dashboard
    assert "/accompagnement/e-mails-en-echec/" in dashboard
    page = client.get("/accompagnement/e-mails-en-echec/").content.decode()
    for shown in ["inconnu@example.org", "Votre dossier", "SMTPRecipientsRefused", ">3<"]:
        assert shown in page

    smtp.refuse = set()  # the address was corrected at the server
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/accompagnement/e-mails/{email.pk}/renvoyer/", follow=True)
    assert "de nouveau à envoyer" in response.content.decode()
    email.refresh_from_db()
    assert email.status == "sent"
    assert [item.subject for item in smtp.delivered] == ["Votre dossier"]
    # Resending twice (a double click) answers with a message, not an error.
    response = client.post(f"/accompagnement/e-mails/{email.pk}/renvoyer/", follow=True)
    assert "déjà été renvoyé" in response.content.decode()
    assert (
        "Aucun e-mail en échec" in client.get("/accompagnement/e-mails-en-echec/").content.decode()
    )


def test_200_emails_that_keep_failing_do_not_hold_back_a_good_one(settings, smtp):
    settings.OUTBOX_BATCH = 50
    smtp.refuse = {"refuse@example.org"}
    for n in range(220):
        queue(f"Refusé {n}", to="refuse@example.org")
    queue("Le bon", to="porteur@example.org")
    assert services.emails_send_due() == 1
    assert smtp.subjects() == ["Le bon"]
    assert Email.objects.filter(status="pending", attempts=1).count() == 220


def test_sent_emails_are_deleted_after_the_keeping_period(settings, time_machine):
    settings.OUTBOX_KEEP_SENT_DAYS = 30
    queue("Ancien")
    services.emails_send_due()
    failed = queue("En échec")
    Email.objects.filter(pk=failed.pk).update(status="failed", failed_at=NOW)
    time_machine.shift(timedelta(days=31))
    tasks.send_pending_emails()
    assert list(Email.objects.values_list("subject", flat=True)) == ["En échec"]


def test_the_failed_emails_page_reads_a_fixed_number_of_queries(
    client, cheffe, django_assert_max_num_queries
):
    for n in range(30):
        email = queue(f"Échec {n}", to=f"p{n}@example.org")
        Email.objects.filter(pk=email.pk).update(status="failed", failed_at=NOW, attempts=10)
    client.force_login(cheffe)
    with django_assert_max_num_queries(6):
        page = client.get("/accompagnement/e-mails-en-echec/").content.decode()
    assert "30 e-mails en échec" in page
    assert page.count("/renvoyer/") == 30


def test_the_admin_lists_the_outbox_read_only_and_resends_failed_emails(
    client, admin_user, django_capture_on_commit_callbacks
):
    failed = queue("En échec", to="camille@example.org")
    Email.objects.filter(pk=failed.pk).update(status="failed", failed_at=NOW, attempts=10)
    client.force_login(admin_user)
    page = client.get("/admin/outbox/email/").content.decode()
    assert "En échec" in page and "camille@example.org" in page
    assert client.get("/admin/outbox/email/add/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/outbox/email/",
            {"action": "resend", "_selected_action": [failed.pk]},
            follow=True,
        )
    assert "1 e-mail(s) de nouveau à envoyer" in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == "sent"
    assert [message.to for message in mail.outbox] == [["camille@example.org"]]
    # A reminder shows its email and its sending state, read-only.
    from tests.coaching.factories import ReminderFactory

    reminder = ReminderFactory(email=failed)
    page = client.get(f"/admin/coaching/reminder/{reminder.pk}/change/").content.decode()
    assert "En échec" in page


def test_a_server_that_never_answers_does_not_hold_the_email_past_its_claim(settings):
    settings.EMAIL_TIMEOUT = None
    settings.OUTBOX_CLAIM_SECONDS = 10
    email = queue("Bloqué")
    with SMTPServer(hang=True) as server:
        use_smtp_server(settings, server)
        settings.EMAIL_TIMEOUT = None
        assert services.emails_send_due() == 0  # within a second, not for ever
    email.refresh_from_db()
    assert (email.status, email.attempts, email.claim_token) == ("pending", 1, None)
    assert "timed out" in email.last_error
