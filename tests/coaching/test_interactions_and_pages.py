"""Follow-up exchanges, who reads which notes, the dashboard and the calendar feed."""

from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar

from coaching import rules, services
from coaching.models import CoachSettings, Interaction, Phase
from coaching.permissions import can_read_coaching_notes
from projects.models import Project, Status, StatusChange
from tests.coaching.factories import FirstMeetingFactory, InteractionFactory, ReminderFactory
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.mark.parametrize(
    ("day", "started", "ended", "phase"),
    [
        (date(2026, 5, 1), None, None, Phase.BEFORE),
        (date(2026, 5, 1), date(2026, 5, 2), None, Phase.BEFORE),
        (date(2026, 5, 2), date(2026, 5, 2), None, Phase.DURING),
        (date(2026, 6, 1), date(2026, 5, 2), date(2026, 6, 1), Phase.DURING),
        (date(2026, 6, 2), date(2026, 5, 2), date(2026, 6, 1), Phase.AFTER),
    ],
)
def test_the_phase_follows_the_campaign_dates(day, started, ended, phase):
    assert rules.phase_for(day, started, ended) == phase


def test_an_exchange_takes_its_phase_from_the_campaign_history(cheffe):
    project = ProjectFactory(status=Status.CAMPAIGN_RUNNING)
    StatusChange.objects.create(project=project, to_status=Status.CAMPAIGN_RUNNING)
    StatusChange.objects.filter(project=project).update(
        created_at=datetime(2026, 11, 1, tzinfo=UTC)
    )
    before = services.interaction_record(
        project=project,
        author=cheffe,
        kind="press",
        happened_on=date(2026, 10, 20),
        duration_minutes=60,
        phase=Phase.AFTER,  # a wrong guess is corrected by the dates
    )
    during = services.interaction_record(
        project=project,
        author=cheffe,
        kind="phone",
        happened_on=date(2026, 11, 20),
        duration_minutes=15,
    )
    assert (before.phase, during.phase) == (Phase.BEFORE, Phase.DURING)


def test_without_campaign_dates_the_chosen_phase_is_kept(cheffe, project):
    interaction = services.interaction_record(
        project=project,
        author=cheffe,
        kind="networking",
        happened_on=date(2026, 11, 20),
        duration_minutes=45,
        phase=Phase.AFTER,
    )
    assert interaction.phase == Phase.AFTER


def post_interaction(client, project, **overrides):
    data = {
        "kind": "phone",
        "happened_on": "2026-11-25",
        "duration_minutes": "20",
        "phase": "",
        "internal_notes": "Porteur inquiet pour la trésorerie.",
        "shared_note": "Pensez à relancer vos premiers contributeurs.",
        "next_action": "Rappeler le porteur",
        "next_action_due": "2026-12-02",
    } | overrides
    return client.post(f"/accompagnement/dossiers/{project.reference}/echanges/nouveau/", data)


def test_the_cheffe_logs_a_call_with_a_next_action(client, cheffe, project):
    client.force_login(cheffe)
    response = post_interaction(client, project)
    assert response.status_code == 302
    interaction = Interaction.objects.get()
    assert interaction.author == cheffe
    assert interaction.phase == Phase.BEFORE
    assert interaction.reminders.get().due_at == datetime(2026, 12, 2, 8, tzinfo=UTC)
    page = client.get(f"/accompagnement/dossiers/{project.reference}/").content.decode()
    assert "Porteur inquiet pour la trésorerie." in page
    assert "Rappeler le porteur" in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"duration_minutes": "0"}, "duration_minutes", "au moins 1 minute"),
        ({"duration_minutes": "-5"}, "duration_minutes", "supérieure ou égale à 0"),
        ({"happened_on": "2026-12-25"}, "happened_on", "une fois qu'il a eu lieu"),
        ({"next_action": ""}, "next_action", "Indiquez la prochaine action"),
        ({"next_action_due": "2026-11-01"}, "next_action_due", "date à venir"),
        ({"kind": ""}, "kind", "obligatoire"),
    ],
)
def test_bad_exchange_input_is_refused_next_to_the_field(
    client, cheffe, project, overrides, field, message
):
    client.force_login(cheffe)
    response = post_interaction(client, project, **overrides)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert "Porteur inquiet pour la trésorerie." in response.content.decode()
    assert not Interaction.objects.exists()


def test_the_porteur_reads_shared_notes_never_internal_ones(client, porteur, project, cheffe):
    InteractionFactory(
        project=project, internal_notes="Secret d'équipe", shared_note="Bravo pour la vidéo"
    )
    InteractionFactory(project=project, internal_notes="Autre secret", shared_note="")
    client.force_login(porteur)
    page = client.get(f"/espace/dossiers/{project.reference}/").content.decode()
    assert "Bravo pour la vidéo" in page
    assert "Secret d" not in page and "Autre secret" not in page


def test_committee_members_read_coaching_notes_only_before_the_committee(
    committee_member, cheffe, porteur
):
    project = ProjectFactory(owner=porteur, status=Status.COACHING)
    assert can_read_coaching_notes(cheffe, project)
    assert not can_read_coaching_notes(porteur, project)
    assert not can_read_coaching_notes(committee_member, project)
    project.status = Status.IN_COMMITTEE
    assert can_read_coaching_notes(committee_member, project)
    assert not can_read_coaching_notes(porteur, project)


# --- Pages: who may see them ------------------------------------------------------------------

COACHING_PAGES = [
    "/accompagnement/",
    "/accompagnement/agenda/",
    "/accompagnement/echanges/nouveau/",
    "/accompagnement/dossiers/{ref}/premier-rendez-vous/",
    "/accompagnement/dossiers/{ref}/compte-rendu/",
    "/accompagnement/dossiers/{ref}/echanges/nouveau/",
]
EXPECTED = {
    "anonyme": 302,
    "porteur": 403,
    "autre_porteur": 403,
    "comite": 403,
    "cheffe": 200,
    "admin": 200,
}


@pytest.mark.parametrize("url", COACHING_PAGES)
@pytest.mark.parametrize("role", list(EXPECTED))
def test_coaching_pages_are_for_the_team_only(client, cast, project, url, role):
    FirstMeetingFactory(project=project, organiser=cast["cheffe"])
    if cast[role] is not None:
        client.force_login(cast[role])
    response = client.get(url.format(ref=project.reference))
    assert response.status_code == EXPECTED[role]


@pytest.mark.parametrize(
    "url", ["/accompagnement/rappels/{pk}/fait/", "/accompagnement/rappels/{pk}/reporter/"]
)
@pytest.mark.parametrize("role", ["anonyme", "porteur", "comite"])
def test_reminder_actions_are_refused_to_others(client, cast, url, role):
    reminder = ReminderFactory(recipient=cast["cheffe"])
    if cast[role] is not None:
        client.force_login(cast[role])
    response = client.post(url.format(pk=reminder.pk), {"due_on": "2026-12-10"})
    assert response.status_code in (302, 403)
    reminder.refresh_from_db()
    assert reminder.done_at is None and reminder.due_at == datetime(2026, 11, 26, 8, tzinfo=UTC)


# --- The dashboard ------------------------------------------------------------------------------


def test_the_dashboard_puts_overdue_and_today_first(client, cheffe):
    mine = ProjectFactory(coach=cheffe, status=Status.COACHING, title="Mon dossier actif")
    ReminderFactory(
        recipient=cheffe, project=mine, message="Suivi de demain", due_at=NOW + timedelta(days=1)
    )
    ReminderFactory(
        recipient=cheffe, project=mine, message="Suivi en retard", due_at=NOW - timedelta(days=3)
    )
    ReminderFactory(
        recipient=cheffe, project=mine, message="Suivi du jour", due_at=NOW + timedelta(hours=1)
    )
    FirstMeetingFactory(
        project=ProjectFactory(coach=cheffe, title="Rendez-vous proche"),
        organiser=cheffe,
        scheduled_at=NOW + timedelta(days=1),
    )
    InteractionFactory(project=mine, happened_on=date(2026, 11, 20))
    client.force_login(cheffe)
    page = client.get("/accompagnement/").content.decode()
    assert (
        page.index("Suivi en retard") < page.index("Suivi du jour") < page.index("Suivi de demain")
    )
    assert "En retard" in page and "Aujourd&#x27;hui" in page or "Aujourd'hui" in page
    assert "Rendez-vous proche" in page
    assert "20/11/2026" in page  # the last exchange of the active dossier
    assert "Mon portefeuille\u00a0: 2 dossiers" in page


def test_the_dashboard_quick_entry_records_an_exchange(client, cheffe):
    project = ProjectFactory(status=Status.COACHING)
    client.force_login(cheffe)
    response = client.post(
        "/accompagnement/echanges/nouveau/",
        {
            "project": project.reference,
            "kind": "video",
            "happened_on": "2026-11-26",
            "duration_minutes": "30",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/accompagnement/"
    assert Interaction.objects.get().project == project


def test_the_dashboard_uses_a_constant_number_of_queries(
    client, cheffe, django_assert_max_num_queries
):
    for index in range(15):
        project = ProjectFactory(coach=cheffe, status=Status.COACHING)
        InteractionFactory(project=project)
        ReminderFactory(recipient=cheffe, project=project, due_at=NOW - timedelta(days=index % 3))
        FirstMeetingFactory(
            project=ProjectFactory(coach=cheffe),
            organiser=cheffe,
            scheduled_at=NOW + timedelta(days=2),
        )
    client.force_login(cheffe)
    # 15: the porteurs' messages take one query (projects/templatetags/dossier_messages.py).
    with django_assert_max_num_queries(15):
        response = client.get("/accompagnement/")
    assert response.status_code == 200


def test_the_team_dossier_page_uses_a_constant_number_of_queries(
    client, cheffe, django_assert_max_num_queries
):
    project = ProjectFactory(coach=cheffe)
    FirstMeetingFactory(project=project, organiser=cheffe)
    for _ in range(10):
        InteractionFactory(project=project, author=cheffe)
        ReminderFactory(recipient=cheffe, project=project)
    client.force_login(cheffe)
    with django_assert_max_num_queries(16):
        assert client.get(f"/accompagnement/dossiers/{project.reference}/").status_code == 200


# --- The calendar feed ----------------------------------------------------------------------------


def test_the_calendar_feed_is_a_valid_calendar_behind_a_secret_token(client, cheffe):
    project = ProjectFactory(coach=cheffe, title="Atelier vélo")
    FirstMeetingFactory(project=project, organiser=cheffe, scheduled_at=NOW + timedelta(days=2))
    ReminderFactory(recipient=cheffe, project=project, message="Relire le texte")
    client.force_login(cheffe)
    client.post("/accompagnement/agenda/", {"action": "renew"})
    token = CoachSettings.objects.get(user=cheffe).calendar_token
    assert token and token in client.get("/accompagnement/agenda/").content.decode()

    client.logout()  # a phone's calendar has no session
    response = client.get(f"/agenda/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    summaries = [str(event["summary"]) for event in calendar.walk("VEVENT")]
    assert any(
        "Atelier vélo" in summary and "premier rendez-vous" in summary for summary in summaries
    )
    assert any("Relire le texte" in summary for summary in summaries)


def test_a_wrong_or_revoked_token_is_refused(client, cheffe):
    assert client.get("/agenda/pas-le-bon.ics").status_code == 404
    preferences = services.calendar_token_renew(user=cheffe)
    old = preferences.calendar_token
    services.calendar_token_renew(user=cheffe)
    assert client.get(f"/agenda/{old}.ics").status_code == 404
    current = CoachSettings.objects.get(user=cheffe).calendar_token
    assert client.get(f"/agenda/{current}.ics").status_code == 200
    client.force_login(cheffe)
    client.post("/accompagnement/agenda/", {"action": "revoke"})
    assert client.get(f"/agenda/{current}.ics").status_code == 404


def test_a_token_of_a_former_cheffe_stops_working(client, cheffe):
    token = services.calendar_token_renew(user=cheffe).calendar_token
    type(cheffe).objects.filter(pk=cheffe.pk).update(is_active=False)
    assert client.get(f"/agenda/{token}.ics").status_code == 404


def test_demo_data_has_reports_exchanges_and_reminders():
    from django.core.management import call_command

    from coaching.models import FirstMeeting, Reminder

    call_command("load_demo")
    assert FirstMeeting.objects.filter(reported_at__isnull=False).count() >= 8
    assert Interaction.objects.count() >= 20
    today = date(2026, 11, 26)
    due = [r.due_at.date() for r in Reminder.objects.pending()]
    assert any(day < today for day in due) and any(day == today for day in due)
    # Every dossier has its cheffe but two fresh contacts, for the dashboard to offer.
    fresh = Project.objects.filter(coach__isnull=True)
    assert {project.status for project in fresh} == {"contact"} and fresh.count() == 2


def test_the_dossier_keeps_the_date_of_its_latest_exchange(cheffe, project):
    for day in (date(2026, 11, 10), date(2026, 11, 20), date(2026, 11, 15)):
        services.interaction_record(
            project=project, author=cheffe, kind="phone", happened_on=day, duration_minutes=10
        )
    assert Project.objects.get(pk=project.pk).last_interaction_on == date(2026, 11, 20)
