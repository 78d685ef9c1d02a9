"""The team's view of emails that failed for good, in a real Chromium, with axe-core."""

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from outbox.models import Email
from tests.coaching.factories import ReminderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _short_timeout(page):
    page.set_default_timeout(10_000)


def test_the_cheffe_sees_a_failed_email_from_her_dashboard_and_resends_it(
    page, live_server, login, axe, cheffe
):
    email = Email.objects.create(
        recipients=["camille@example.org"],
        subject="Votre premier rendez-vous Propulsons!",
        text="Bonjour,",
        status="failed",
        attempts=10,
        last_error="SMTPRecipientsRefused: {'camille@example.org': (550, b'No such user')}",
        next_attempt_at=timezone.now(),
        failed_at=timezone.now(),
    )
    reminder_email = Email.objects.create(
        recipients=[cheffe.email],
        subject="Rappel Propulsons!",
        text="Bonjour,",
        status="failed",
        attempts=10,
        next_attempt_at=timezone.now(),
        failed_at=timezone.now(),
    )
    ReminderFactory(recipient=cheffe, due_at=timezone.now(), email=reminder_email)
    login(page, cheffe)
    page.goto(f"{live_server.url}/accompagnement/")
    expect(page.get_by_text("Non envoyé", exact=True)).to_be_visible()
    assert axe(page) == []
    page.get_by_role("link", name="2 e-mails n'ont pas pu être envoyés").click()
    page.wait_for_url(f"{live_server.url}/accompagnement/e-mails-en-echec/")
    row = page.get_by_role("row").filter(has_text="camille@example.org")
    expect(row).to_contain_text("Votre premier rendez-vous Propulsons!")
    expect(row).to_contain_text("SMTPRecipientsRefused")
    assert axe(page) == []

    with page.expect_navigation():
        row.get_by_role("button", name="Renvoyer").click()
    expect(page.get_by_text("est de nouveau à envoyer")).to_be_visible()
    # Celery is eager in tests: the email left at once, after the commit.
    email.refresh_from_db()
    assert email.status == "sent"
    assert [message.to for message in mail.outbox] == [["camille@example.org"]]
    expect(page.get_by_role("row").filter(has_text="camille@example.org")).to_have_count(0)
    assert axe(page) == []
