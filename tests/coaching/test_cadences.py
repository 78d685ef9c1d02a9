"""The cadences that chase every active dossier: a new contact to call back within working
days, no exchange for COACHING_SILENCE_DAYS in any active status, a weekly call while a
labelled dossier waits for its campaign; each created once, never for a closed dossier."""

from datetime import UTC, date, datetime, timedelta

import pytest

from coaching import rules, services
from coaching.models import Reminder
from projects.models import Status
from tests.coaching.factories import FirstMeetingFactory, InteractionFactory, ReminderFactory
from tests.coaching.test_reminders import backdate_status
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)  # a Thursday, 10:30 in Paris
TODAY = date(2026, 11, 26)


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def submitted_on(project, day):
    moment = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=10)
    type(project).objects.filter(pk=project.pk).update(created_at=moment, status_changed_at=moment)
    project.refresh_from_db()
    return project


def kinds(project) -> list[tuple[str, str]]:
    return sorted(Reminder.objects.filter(project=project).values_list("kind", "key"))


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (date(2026, 11, 26), 2, date(2026, 11, 30)),  # Thursday → Monday
        (date(2026, 11, 23), 2, date(2026, 11, 25)),  # Monday → Wednesday
        (date(2026, 11, 28), 1, date(2026, 12, 1)),  # Saturday → Tuesday
        (date(2026, 11, 27), 0, date(2026, 11, 27)),
    ],
)
def test_working_days_skip_the_weekend(start, days, due):
    assert rules.add_working_days(start, days) == due


# --- A new contact ----------------------------------------------------------------------------


def test_a_new_contact_with_a_cheffe_and_no_exchange_is_called_back_within_2_working_days(
    cheffe,
):
    project = submitted_on(ProjectFactory(coach=cheffe), date(2026, 11, 26))
    assert services.reminders_create_from_cadences() == 1
    reminder = Reminder.objects.get()
    assert (reminder.project, reminder.kind, reminder.recipient) == (project, "new_contact", cheffe)
    assert reminder.due_at == datetime(2026, 11, 30, 8, tzinfo=UTC)  # Monday, 09:00 in Paris
    assert "26/11/2026" in reminder.message
    assert services.reminders_create_from_cadences() == 0
    assert Reminder.objects.count() == 1


def test_a_late_callback_is_due_today_never_in_the_past(cheffe):
    submitted_on(ProjectFactory(coach=cheffe), date(2026, 11, 20))
    services.reminders_create_from_cadences()
    assert Reminder.objects.get().due_at == datetime(2026, 11, 26, 8, tzinfo=UTC)


def test_no_callback_without_a_cheffe_after_an_exchange_or_once_the_meeting_is_set(cheffe):
    nobody = ProjectFactory(coach=None)
    called = ProjectFactory(coach=cheffe)
    InteractionFactory(project=called, happened_on=TODAY)
    meeting_set = ProjectFactory(coach=cheffe)
    FirstMeetingFactory(project=meeting_set, organiser=cheffe)
    assert services.reminders_create_from_cadences() == 0
    assert kinds(nobody) == kinds(called) == kinds(meeting_set) == []


def test_the_callback_delay_is_a_setting(cheffe, settings):
    settings.NEW_CONTACT_CALLBACK_WORKING_DAYS = 5
    submitted_on(ProjectFactory(coach=cheffe), date(2026, 11, 26))
    services.reminders_create_from_cadences()
    assert Reminder.objects.get().due_at == datetime(2026, 12, 3, 8, tzinfo=UTC)


# --- No exchange in any active status -----------------------------------------------------------


@pytest.mark.parametrize(
    "status",
    [
        Status.CONTACT,
        Status.FIRST_MEETING_DONE,
        Status.COACHING,
        Status.LABELLING_REQUESTED,
        Status.IN_COMMITTEE,
        Status.POSTPONED,
    ],
)
def test_every_active_status_without_exchange_for_14_days_is_chased_once(cheffe, status):
    project = ProjectFactory(status=status, coach=cheffe)
    InteractionFactory(project=project, happened_on=date(2026, 11, 12))  # 14 days ago
    fresh = ProjectFactory(status=status, coach=cheffe)
    InteractionFactory(project=fresh, happened_on=date(2026, 11, 13))  # 13 days ago
    assert services.reminders_create_from_cadences() == 1
    assert kinds(project) == [("coaching_silence", "since-2026-11-12")]
    assert kinds(fresh) == []
    assert services.reminders_create_from_cadences() == 0


def test_a_contact_without_exchange_counts_its_silence_from_its_submission(cheffe):
    project = submitted_on(ProjectFactory(coach=None), date(2026, 11, 10))
    services.reminders_create_from_cadences()
    assert kinds(project) == [("coaching_silence", "since-2026-11-10")]
    assert Reminder.objects.get().recipient == cheffe  # no cheffe yet: the longest serving one


def test_a_contact_whose_first_meeting_is_set_is_not_chased(cheffe):
    project = submitted_on(ProjectFactory(coach=cheffe), date(2026, 11, 1))
    FirstMeetingFactory(project=project, organiser=cheffe)
    assert services.reminders_create_from_cadences() == 0


def test_a_live_campaign_has_only_its_own_call_cadence(cheffe):
    project = ProjectFactory(status=Status.CAMPAIGN_RUNNING, coach=cheffe)
    backdate_status(project, Status.CAMPAIGN_RUNNING, date(2026, 10, 1))
    InteractionFactory(project=project, kind="phone", happened_on=date(2026, 10, 20))
    services.reminders_create_from_cadences()
    assert kinds(project) == [("campaign_silence", "since-2026-10-20")]


@pytest.mark.parametrize(
    "status", [Status.CLOSED, Status.ABANDONED, Status.REORIENTED, Status.NOT_LABELLED]
)
def test_a_dossier_no_longer_active_is_never_chased(cheffe, status):
    project = submitted_on(ProjectFactory(status=status, coach=cheffe), date(2026, 6, 1))
    InteractionFactory(project=project, happened_on=date(2026, 6, 2))
    assert services.reminders_create_from_cadences() == 0
    assert kinds(project) == []


# --- Labelled, before the campaign --------------------------------------------------------------


def test_a_labelled_dossier_waiting_for_its_campaign_gets_a_weekly_call(cheffe, time_machine):
    project = ProjectFactory(status=Status.LABELLED, coach=cheffe)
    backdate_status(project, Status.LABELLED, date(2026, 11, 19))  # 7 days ago
    InteractionFactory(project=project, happened_on=date(2026, 10, 1))  # before the label
    assert services.reminders_create_from_cadences() == 1
    # Weekly, not the 14 days' silence (the last exchange is 8 weeks old).
    assert kinds(project) == [("labelled_weekly", "since-2026-11-19")]
    assert Reminder.objects.get().due_at == datetime(2026, 11, 26, 8, tzinfo=UTC)
    assert services.reminders_create_from_cadences() == 0

    # A call on the 27th: the next one is due a week later, not before.
    InteractionFactory(project=project, happened_on=date(2026, 11, 27))
    time_machine.move_to(datetime(2026, 12, 3, 9, tzinfo=UTC), tick=False)
    assert services.reminders_create_from_cadences() == 0
    time_machine.move_to(datetime(2026, 12, 4, 9, tzinfo=UTC), tick=False)
    assert services.reminders_create_from_cadences() == 1
    assert ("labelled_weekly", "since-2026-11-27") in kinds(project)


def test_the_weekly_call_is_a_setting(cheffe, settings):
    settings.LABELLED_CALL_DAYS = 3
    project = ProjectFactory(status=Status.LABELLED, coach=cheffe)
    backdate_status(project, Status.LABELLED, date(2026, 11, 23))
    services.reminders_create_from_cadences()
    assert kinds(project) == [("labelled_weekly", "since-2026-11-23")]


# --- A cadence reminder that no longer matters is closed without an email ---------------------


def test_a_callback_answered_meanwhile_or_a_dossier_abandoned_is_closed_without_email(cheffe):
    called = ProjectFactory(coach=cheffe)
    callback = ReminderFactory(
        project=called, recipient=cheffe, kind="new_contact", key="callback", due_at=NOW
    )
    InteractionFactory(project=called, happened_on=TODAY)
    abandoned = ProjectFactory(coach=cheffe, status=Status.ABANDONED)
    silence = ReminderFactory(
        project=abandoned,
        recipient=cheffe,
        kind="coaching_silence",
        key="since-2026-11-01",
        due_at=NOW,
    )
    quiet = ProjectFactory(coach=cheffe, status=Status.COACHING)
    InteractionFactory(project=quiet, happened_on=date(2026, 11, 1))
    still = ReminderFactory(
        project=quiet, recipient=cheffe, kind="coaching_silence", key="since-2026-11-01", due_at=NOW
    )
    assert services.reminders_send_due() == 1
    for reminder in (callback, silence, still):
        reminder.refresh_from_db()
    assert callback.done_at is not None and callback.email is None
    assert silence.done_at is not None and silence.email is None
    assert still.done_at is None and still.email is not None


def test_an_exchange_logged_from_the_dossier_closes_the_chases_it_answers_at_once(cheffe):
    """The "aucun échange depuis" reminder was emailed and shows red on the dashboard; the
    cheffe logs the call from the dossier page (not from the reminder): it is closed at once.
    An older exchange logged late answers nothing; a next action stays."""
    project = ProjectFactory(coach=cheffe, status=Status.COACHING)
    InteractionFactory(project=project, happened_on=date(2026, 11, 1))
    silence = ReminderFactory(
        project=project,
        recipient=cheffe,
        kind="coaching_silence",
        key="since-2026-11-01",
        due_at=NOW - timedelta(days=10),
        sent_at=NOW - timedelta(days=10),
    )
    action = ReminderFactory(project=project, recipient=cheffe, kind="next_action", due_at=NOW)

    def log(day):
        services.interaction_record(
            project=project, author=cheffe, kind="phone", happened_on=day, duration_minutes=10
        )
        silence.refresh_from_db()

    log(date(2026, 10, 20))  # an older call, logged late: the silence since 1 November stands
    assert silence.done_at is None
    log(TODAY)
    assert silence.done_at is not None
    action.refresh_from_db()
    assert action.done_at is None
