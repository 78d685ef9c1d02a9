"""Dates at the ends of the calendar, written straight to the database, never break a page."""

from datetime import UTC, date, datetime

import pytest
from django.core import mail
from icalendar import Calendar

from coaching import services
from coaching.models import Reminder
from projects.models import Project, Status
from tests.coaching.factories import FirstMeetingFactory, ReminderFactory
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

# As the app stores a reminder due on a day (09:00 in Paris), and a moment with no day after.
DUE_AT_THE_END = services.due_moment(date(9999, 12, 31))
DUE_AT_THE_START = services.due_moment(date(1, 1, 1))
LAST_HALF_HOUR = datetime(9999, 12, 31, 23, 30, tzinfo=UTC)


@pytest.fixture
def extreme_world(cheffe):
    project = ProjectFactory(coach=cheffe, title="Atelier vélo", status=Status.COACHING)
    ReminderFactory(recipient=cheffe, project=project, message="Dans très longtemps")
    ReminderFactory(recipient=cheffe, project=project, message="Il y a très longtemps")
    Reminder.objects.filter(message="Dans très longtemps").update(due_at=DUE_AT_THE_END)
    Reminder.objects.filter(message="Il y a très longtemps").update(due_at=DUE_AT_THE_START)
    FirstMeetingFactory(project=project, organiser=cheffe)
    project.first_meeting.__class__.objects.filter(project=project).update(
        scheduled_at=datetime(9999, 12, 31, 22, 0, tzinfo=UTC)
    )
    Project.objects.filter(pk=project.pk).update(last_interaction_on=date(9999, 12, 31))
    return project


def test_the_calendar_feed_answers_with_a_reminder_due_on_9999_12_31(client, cheffe, extreme_world):
    ReminderFactory(recipient=cheffe, project=extreme_world, message="Dernière demi-heure")
    Reminder.objects.filter(message="Dernière demi-heure").update(due_at=LAST_HALF_HOUR)
    token = services.calendar_token_renew(user=cheffe).calendar_token
    response = client.get(f"/agenda/{token}.ics")
    assert response.status_code == 200
    events = Calendar.from_ical(response.content).walk("VEVENT")
    by_summary = {str(e["summary"]).split(" : ")[-1]: e for e in events}
    assert by_summary["Dans très longtemps"].decoded("dtstart") == date(9999, 12, 31)
    assert "dtend" not in by_summary["Dans très longtemps"]
    assert by_summary["Dernière demi-heure"].decoded("dtstart") == date(9999, 12, 31)
    assert by_summary["Il y a très longtemps"].decoded("dtstart") == date(1, 1, 1)


def test_the_team_pages_answer_with_extreme_stored_dates(client, cheffe, extreme_world):
    client.force_login(cheffe)
    for path in [
        "/accompagnement/",
        f"/accompagnement/dossiers/{extreme_world.reference}/",
        "/accompagnement/dossiers/",
    ]:
        assert client.get(path).status_code == 200, path


def test_the_reminder_tasks_survive_extreme_stored_dates(cheffe, extreme_world):
    services.reminders_create_from_cadences()
    services.reminders_send_due()
    services.digest_send(user=cheffe)
    assert all("Dans très longtemps" not in m.body for m in mail.outbox)
