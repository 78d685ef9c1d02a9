"""The first meeting: scheduling with an .ics invitation, and the structured report."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core import mail
from icalendar import Calendar

from coaching import rules, services
from coaching.models import FinancingLine, FirstMeeting, RewardTier
from projects.models import Project, Status, StatusChange
from tests.coaching.factories import FirstMeetingFactory
from tests.html_forms import form_values

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(datetime(2026, 11, 26, 9, 0, tzinfo=UTC), tick=False)


def schedule(client, project, **overrides):
    data = {
        "scheduled_at": "2026-12-03T14:00",
        "duration_minutes": "120",
        "location": "23 rue du 11 Novembre, Lens",
        "video_link": "",
    } | overrides
    return client.post(f"/accompagnement/dossiers/{project.reference}/premier-rendez-vous/", data)


def test_scheduling_emails_the_porteur_an_ics_invitation(
    client, cheffe, project, django_capture_on_commit_callbacks
):
    client.force_login(cheffe)
    with django_capture_on_commit_callbacks(execute=True):
        response = schedule(client, project)
    assert response.status_code == 302
    meeting = FirstMeeting.objects.get(project=project)
    assert meeting.organiser == cheffe
    assert meeting.scheduled_at == datetime(2026, 12, 3, 13, 0, tzinfo=UTC)  # 14:00 in Paris
    project.refresh_from_db()
    assert project.coach == cheffe

    (message,) = mail.outbox
    assert message.to == [project.contact_email]
    assert "premier rendez-vous" in message.subject
    assert "jeudi 3 décembre 2026, 14h00" in message.body
    filename, content, mimetype = message.attachments[0]
    assert (filename, mimetype) == ("invitation.ics", "text/calendar")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == datetime(2026, 12, 3, 13, 0, tzinfo=UTC)
    assert (event.decoded("dtend") - event.decoded("dtstart")).total_seconds() == 7200
    assert "Lens" in str(event["location"])


def test_the_porteur_sees_the_next_appointment_in_their_space(client, porteur, project, cheffe):
    services.first_meeting_schedule(
        project=project,
        organiser=cheffe,
        scheduled_at=datetime(2026, 12, 3, 13, 0, tzinfo=UTC),
        location="Lens",
    )
    client.force_login(porteur)
    page = client.get(f"/espace/dossiers/{project.reference}/").content.decode()
    assert "Votre prochain rendez-vous" in page
    assert "jeudi 3 décembre 2026, 14h00" in page


def test_scheduling_needs_a_place_or_a_link_and_a_future_date(client, cheffe, project):
    client.force_login(cheffe)
    response = schedule(client, project, location="")
    assert "Indiquez un lieu ou un lien" in response.content.decode()
    response = schedule(client, project, scheduled_at="2026-01-01T10:00")
    assert "Cette date est passée" in response.content.decode()
    assert not FirstMeeting.objects.exists()


def test_rescheduling_moves_the_meeting_and_says_so(
    client, cheffe, project, django_capture_on_commit_callbacks
):
    client.force_login(cheffe)
    schedule(client, project)
    with django_capture_on_commit_callbacks(execute=True):
        schedule(client, project, scheduled_at="2026-12-04T10:00")
    assert FirstMeeting.objects.count() == 1
    assert "déplacé" in mail.outbox[-1].subject


def report_data(**overrides):
    data = {
        "relevance": "conditional",
        "relevance_reasoning": "Une communauté existe, mais le budget doit être revu.",
        "campaign_goal": "8000",
        "campaign_duration_days": "45",
        "campaign_financing_type": "donation_rewards",
        "target_platform": "",
        "next_steps": "Revoir le budget.",
        "outcome": "continue",
        "plan-TOTAL_FORMS": "3",
        "plan-INITIAL_FORMS": "0",
        "plan-0-source": "own_funds",
        "plan-0-amount": "12000",
        "plan-0-acquired": "on",
        "plan-1-source": "crowdfunding",
        "plan-1-amount": "8000",
        "plan-2-source": "",
        "plan-2-amount": "",
        "contreparties-TOTAL_FORMS": "2",
        "contreparties-INITIAL_FORMS": "0",
        "contreparties-0-amount": "20",
        "contreparties-0-description": "Une baguette par semaine pendant un mois",
        "contreparties-0-quantity": "50",
        "contreparties-1-amount": "",
        "contreparties-1-description": "",
        "contreparties-1-quantity": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def meeting(project, cheffe):
    return FirstMeetingFactory(project=project, organiser=cheffe)


def post_report(client, project, **overrides):
    return client.post(
        f"/accompagnement/dossiers/{project.reference}/compte-rendu/", report_data(**overrides)
    )


def test_the_report_is_stored_as_structured_rows_and_moves_the_dossier(
    client, cheffe, project, meeting
):
    client.force_login(cheffe)
    response = post_report(client, project)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.relevance == "conditional"
    assert meeting.campaign_goal == Decimal("8000")
    assert meeting.campaign_duration_days == 45
    assert meeting.is_reported
    lines = list(FinancingLine.objects.filter(meeting=meeting).values_list("source", "amount"))
    assert lines == [("own_funds", Decimal("12000")), ("crowdfunding", Decimal("8000"))]
    assert RewardTier.objects.get(meeting=meeting).quantity == 50
    project.refresh_from_db()
    assert project.status == Status.COACHING
    statuses = list(
        StatusChange.objects.filter(project=project).values_list("to_status", flat=True)
    )
    assert statuses == [Status.FIRST_MEETING_DONE, Status.COACHING]

    page = client.get(f"/accompagnement/dossiers/{project.reference}/").content.decode()
    assert "Pertinent sous conditions" in page
    assert "Part du financement participatif\u00a0: 40,0\u00a0%" in page
    assert "20\xa0000\u00a0€" in page


def test_the_crowdfunding_share_is_computed_never_typed():
    total, share = rules.crowdfunding_share(
        [
            {"source": "own_funds", "amount": Decimal("5000")},
            {"source": "crowdfunding", "amount": Decimal("2500")},
            {"source": "crowdfunding", "amount": Decimal("500")},
            {"source": "grant", "amount": Decimal("2000")},
        ]
    )
    assert (total, share) == (Decimal("10000"), Decimal("30.0"))
    assert rules.crowdfunding_share([]) == (Decimal("0"), None)
    third = rules.crowdfunding_share(
        [
            {"source": "crowdfunding", "amount": Decimal("1")},
            {"source": "other", "amount": Decimal("2")},
        ]
    )
    assert third[1] == Decimal("33.3")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"plan-0-amount": "-100"}, "supérieur à 0"),
        ({"contreparties-0-amount": ""}, "Indiquez le montant de cette contrepartie"),
        ({"campaign_duration_days": "0"}, "de 1 à 120 jours"),
        ({"campaign_goal": "-5"}, "supérieur à 0"),
        ({"relevance": ""}, "Ce champ est obligatoire"),
        ({"outcome": ""}, "Ce champ est obligatoire"),
    ],
)
def test_bad_report_input_is_refused_and_kept(client, cheffe, project, meeting, overrides, message):
    client.force_login(cheffe)
    response = post_report(client, project, **overrides)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "Une baguette par semaine pendant un mois" in page
    assert Project.objects.get(pk=project.pk).status == Status.CONTACT
    assert not FinancingLine.objects.exists()


@pytest.mark.parametrize(
    ("outcome", "status"),
    [("reorient", Status.REORIENTED), ("stop", Status.ABANDONED)],
)
def test_the_outcome_reorients_or_stops(client, cheffe, project, meeting, outcome, status):
    client.force_login(cheffe)
    post_report(client, project, outcome=outcome)
    project.refresh_from_db()
    assert project.status == status
    assert StatusChange.objects.filter(
        project=project, to_status=status, note="Revoir le budget."
    ).exists()


def test_editing_the_report_again_does_not_move_the_dossier_twice(client, cheffe, project, meeting):
    client.force_login(cheffe)
    post_report(client, project)
    post_report(client, project, campaign_goal="9000")
    assert StatusChange.objects.filter(project=project).count() == 2
    assert FirstMeeting.objects.get().campaign_goal == Decimal("9000")
    assert FinancingLine.objects.count() == 2


def test_the_report_needs_a_scheduled_meeting(client, cheffe, project):
    client.force_login(cheffe)
    response = client.get(f"/accompagnement/dossiers/{project.reference}/compte-rendu/")
    assert response.status_code == 302
    assert response["Location"].endswith("/premier-rendez-vous/")


def test_a_dossier_past_its_first_meeting_cannot_be_rescheduled(cheffe):
    from tests.factories import ProjectFactory

    project = ProjectFactory(status=Status.COACHING)
    with pytest.raises(services.CoachingError):
        services.first_meeting_schedule(
            project=project,
            organiser=cheffe,
            scheduled_at=datetime(2026, 12, 3, 13, tzinfo=UTC),
            location="Lens",
        )


def test_a_tampered_line_count_is_refused_without_rendering_thousands_of_rows(
    client, cheffe, project, meeting
):
    client.force_login(cheffe)
    response = post_report(client, project, **{"plan-TOTAL_FORMS": "2001"})
    assert response.status_code == 200
    assert response.content.decode().count('name="plan-') < 400
    assert not FinancingLine.objects.exists()


def test_editing_one_field_of_a_saved_report_keeps_every_line_and_reward(
    client, cheffe, project, meeting
):
    client.force_login(cheffe)
    url = f"/accompagnement/dossiers/{project.reference}/compte-rendu/"
    post_report(
        client,
        project,
        **{
            "plan-2-source": "grant",
            "plan-2-label": "Région Hauts-de-France",
            "plan-2-amount": "3000",
            "contreparties-1-amount": "50",
            "contreparties-1-description": "Un atelier de cuisine",
        },
    )
    lines_before = set(FinancingLine.objects.values_list("source", "label", "amount", "acquired"))
    rewards_before = set(RewardTier.objects.values_list("amount", "description", "quantity"))
    assert (len(lines_before), len(rewards_before)) == (3, 2)

    # What the browser sends back when only "prochaines étapes" is edited.
    data = form_values(client.get(url).content.decode())
    assert data["plan-INITIAL_FORMS"] == "3"
    data["next_steps"] = "Relancer la région en janvier."
    response = client.post(url, data)
    assert response.status_code == 302

    assert FirstMeeting.objects.get().next_steps == "Relancer la région en janvier."
    assert (
        set(FinancingLine.objects.values_list("source", "label", "amount", "acquired"))
        == lines_before
    )
    assert set(RewardTier.objects.values_list("amount", "description", "quantity")) == (
        rewards_before
    )
    page = client.get(f"/accompagnement/dossiers/{project.reference}/").content.decode()
    assert "Région Hauts-de-France" in page and "Un atelier de cuisine" in page
    assert "23\xa0000\u00a0€" in page
    again = client.get(url).content.decode()
    assert "Région Hauts-de-France" in again and "Une baguette par semaine" in again


def test_a_saved_line_goes_only_when_ticked_for_deletion_or_emptied(
    client, cheffe, project, meeting
):
    client.force_login(cheffe)
    url = f"/accompagnement/dossiers/{project.reference}/compte-rendu/"
    post_report(client, project)
    data = form_values(client.get(url).content.decode())
    data["plan-0-DELETE"] = "on"  # own funds, ticked
    data["contreparties-0-amount"] = ""  # the only reward, emptied
    data["contreparties-0-description"] = ""
    data["contreparties-0-quantity"] = ""
    response = client.post(url, data)
    assert response.status_code == 302
    assert list(FinancingLine.objects.values_list("source", "amount")) == [
        ("crowdfunding", Decimal("8000"))
    ]
    assert not RewardTier.objects.exists()


def test_saving_the_report_again_keeps_a_platform_deactivated_since(
    client, cheffe, project, meeting
):
    from campaigns.models import Platform

    platform = Platform.objects.get(slug="ulule")
    client.force_login(cheffe)
    url = f"/accompagnement/dossiers/{project.reference}/compte-rendu/"
    post_report(client, project, target_platform=str(platform.pk))
    Platform.objects.filter(pk=platform.pk).update(is_active=False)

    data = form_values(client.get(url).content.decode())
    data["next_steps"] = "Autre chose."
    assert client.post(url, data).status_code == 302
    assert FirstMeeting.objects.get().target_platform == platform
