"""Every date a person types is bounded: a French message next to the field, nothing saved."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages

from campaigns.models import Campaign, FigureSnapshot, Platform
from coaching.models import FirstMeeting, Interaction, Reminder
from projects.models import Project
from propulsons.dates import EARLIEST, DateInRange, latest_plannable
from propulsons.typography import day as french_day
from tests.campaigns.factories import CampaignFactory, LabelledProjectFactory
from tests.coaching.factories import ReminderFactory
from tests.projects.test_intake import valid_data

pytestmark = pytest.mark.django_db

MESSAGE = "Choisissez une date entre le 1er janvier 2015 et le"
TOO_LATE = ["9999-12-31", "2099-01-01"]
TOO_EARLY = ["0001-01-01", "1999-12-31"]


def _field_errors(response, field: str) -> list[str]:
    for context in response.context:
        for value in context.flatten().values():
            errors = getattr(value, "errors", None)
            if hasattr(value, "fields") and isinstance(errors, dict) and field in errors:
                return list(errors[field])
    return []


def _assert_refused_next_to(response, field: str) -> None:
    assert response.status_code == 200
    errors = _field_errors(response, field)
    assert any(MESSAGE in error for error in errors), errors
    assert MESSAGE in response.content.decode()


def test_the_range_runs_from_2015_to_five_years_ahead():
    validator = DateInRange()
    validator(EARLIEST)
    validator(latest_plannable())
    validator(datetime(2020, 5, 4, 10, 0))
    for bad in [date(2014, 12, 31), date(9999, 12, 31), date(1, 1, 1)]:
        with pytest.raises(Exception, match="Choisissez une date entre"):
            validator(bad)
    assert french_day(date(2015, 1, 1)) == "1er janvier 2015"
    assert french_day(date(2031, 3, 2)) == "2 mars 2031"


@pytest.mark.parametrize("month", ["9999-12", "2099-01"])
def test_the_intake_form_refuses_a_far_campaign_start(client, month):
    response = client.post("/deposer/", valid_data(wished_campaign_start=month))
    _assert_refused_next_to(response, "wished_campaign_start")
    assert not Project.objects.exists()


def test_the_porteur_edit_form_refuses_a_far_campaign_start(client, porteur, project):
    client.force_login(porteur)
    data = valid_data(contact_email=porteur.email, wished_campaign_start="9999-12")
    response = client.post(f"/espace/dossiers/{project.reference}/modifier/", data)
    _assert_refused_next_to(response, "wished_campaign_start")
    project.refresh_from_db()
    assert project.wished_campaign_start != date(9999, 12, 1)


@pytest.mark.parametrize("field,value", [("starts_on", "0001-01-01"), ("ends_on", "9999-12-31")])
def test_the_campaign_form_refuses_far_dates(client, cheffe, field, value):
    project = LabelledProjectFactory()
    client.force_login(cheffe)
    data = {
        "platform": str(Platform.objects.filter(is_active=True).first().pk),
        "url": "https://fr.ulule.com/exemple/",
        "financing_type": "donation_rewards",
        "collection_model": "all_or_nothing",
        "goal": "5000",
        "starts_on": "2027-01-10",
        "ends_on": "2027-02-10",
        field: value,
    }
    response = client.post(f"/accompagnement/dossiers/{project.reference}/campagne/", data)
    _assert_refused_next_to(response, field)
    assert not Campaign.objects.exists()


@pytest.mark.parametrize("value", TOO_EARLY)
def test_figures_dated_too_early_are_refused_with_a_message(client, porteur, value):
    campaign = CampaignFactory(project__owner=porteur)
    client.force_login(porteur)
    response = client.post(
        f"/campagnes/{campaign.pk}/chiffres/",
        {"amount": "100", "contributors": "3", "taken_on": value},
        follow=True,
    )
    assert any(MESSAGE in str(m) for m in get_messages(response.wsgi_request)) or (
        MESSAGE in response.content.decode()
    )
    assert not FigureSnapshot.objects.exists()


def test_a_campaign_finished_in_year_9999_is_refused(client, cheffe):
    campaign = CampaignFactory()
    client.force_login(cheffe)
    response = client.post(
        f"/accompagnement/campagnes/{campaign.pk}/terminer/",
        {
            "outcome": "succeeded",
            "final_amount": "6000",
            "final_contributors": "80",
            "finished_on": "9999-12-31",
        },
        follow=True,
    )
    assert MESSAGE in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == "running" and campaign.finished_on is None


def test_rewards_delivered_in_year_1_are_refused(client, cheffe):
    campaign = CampaignFactory(status="succeeded", project__status="campaign_ended")
    client.force_login(cheffe)
    response = client.post(
        f"/accompagnement/campagnes/{campaign.pk}/suivi/",
        {"rewards_delivered": "all", "rewards_delivered_on": "0001-01-01"},
        follow=True,
    )
    assert MESSAGE in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.rewards_delivered_on is None


@pytest.mark.parametrize("value", ["9999-12-31T10:00", "0001-01-01T10:00"])
def test_a_first_meeting_far_away_is_refused(client, cheffe, project, value):
    client.force_login(cheffe)
    response = client.post(
        f"/accompagnement/dossiers/{project.reference}/premier-rendez-vous/",
        {"scheduled_at": value, "duration_minutes": "120", "location": "Lens"},
    )
    assert response.status_code == 200
    assert _field_errors(response, "scheduled_at")
    assert not FirstMeeting.objects.exists()


@pytest.mark.parametrize(
    "field,value", [("happened_on", "0001-01-01"), ("next_action_due", "9999-12-31")]
)
def test_an_exchange_with_a_far_date_is_refused(client, cheffe, project, field, value):
    client.force_login(cheffe)
    data = {
        "kind": "phone",
        "happened_on": "2026-11-20",
        "duration_minutes": "30",
        "phase": "before",
        "next_action": "Rappeler le porteur",
        "next_action_due": "2027-01-10",
        field: value,
    }
    response = client.post(f"/accompagnement/dossiers/{project.reference}/echanges/nouveau/", data)
    _assert_refused_next_to(response, field)
    assert not Interaction.objects.exists()
    assert not Reminder.objects.exists()


def test_a_reminder_cannot_be_postponed_to_year_9999(client, cheffe, project):
    reminder = ReminderFactory(project=project, recipient=cheffe)
    due_at = Reminder.objects.get(pk=reminder.pk).due_at
    client.force_login(cheffe)
    response = client.post(
        f"/accompagnement/rappels/{reminder.pk}/reporter/", {"due_on": "9999-12-31"}, follow=True
    )
    assert MESSAGE in response.content.decode()
    assert Reminder.objects.get(pk=reminder.pk).due_at == due_at


@pytest.mark.parametrize("value", TOO_EARLY + TOO_LATE)
def test_the_figures_period_is_bounded_next_to_its_field(client, value):
    response = client.get("/chiffres/", {"start": value})
    _assert_refused_next_to(response, "start")


def test_the_pipeline_contact_dates_are_bounded(client, cheffe):
    client.force_login(cheffe)
    response = client.get("/accompagnement/dossiers/", {"contact_from": "0001-01-01"})
    _assert_refused_next_to(response, "contact_from")


def test_the_admin_refuses_a_reminder_due_in_year_9999(client, admin_user, project):
    reminder = ReminderFactory(project=project)
    due_at = Reminder.objects.get(pk=reminder.pk).due_at
    client.force_login(admin_user)
    page = client.get(f"/admin/coaching/reminder/{reminder.pk}/change/")
    if page.status_code != 200:
        pytest.skip("reminders are not editable in the admin")
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list):
            data[f"{name}_0"], data[f"{name}_1"] = value[0] or "", value[1] or ""
        else:
            data[name] = "" if value is None else value
    editable = "due_at" in form.fields  # the workflow owns it: read-only in the admin
    data["due_at_0"], data["due_at_1"] = "31/12/9999", "09:00:00"
    response = client.post(f"/admin/coaching/reminder/{reminder.pk}/change/", data)
    if editable:
        assert response.status_code == 200
        assert MESSAGE in response.content.decode()
    assert Reminder.objects.get(pk=reminder.pk).due_at == due_at


def test_the_services_refuse_far_dates_whoever_calls_them(cheffe, project):
    from datetime import UTC

    from campaigns import services as campaign_services
    from coaching import services as coaching_services

    far = date(9999, 12, 31)
    reminder = ReminderFactory(project=project, recipient=cheffe)
    with pytest.raises(coaching_services.CoachingError, match="Choisissez une date entre"):
        coaching_services.reminder_postpone(reminder=reminder, actor=cheffe, due_on=far)
    with pytest.raises(coaching_services.CoachingError, match="Choisissez une date entre"):
        coaching_services.interaction_record(
            project=project,
            author=cheffe,
            kind="phone",
            happened_on=date(2026, 11, 20),
            duration_minutes=20,
            next_action="Rappeler",
            next_action_due=far,
        )
    with pytest.raises(coaching_services.CoachingError, match="Choisissez une date entre"):
        coaching_services.first_meeting_schedule(
            project=project,
            organiser=cheffe,
            scheduled_at=datetime(9999, 12, 31, 10, 0, tzinfo=UTC),
            location="Lens",
        )
    campaign = CampaignFactory()
    with pytest.raises(campaign_services.CampaignError, match="Choisissez une date entre"):
        campaign_services.campaign_finish(
            campaign=campaign,
            actor=cheffe,
            outcome="succeeded",
            final_amount=Decimal("100"),
            final_contributors=3,
            on=far,
        )
    with pytest.raises(campaign_services.CampaignError, match="Choisissez une date entre"):
        campaign_services.snapshot_add(
            campaign=campaign,
            actor=cheffe,
            amount=Decimal("100"),
            contributors=3,
            source="platform",
            taken_at=datetime(1, 1, 2, tzinfo=UTC),
        )
    assert Reminder.objects.get(pk=reminder.pk).due_at.year == 2026
    assert not Interaction.objects.exists() and not FirstMeeting.objects.exists()
    assert Campaign.objects.get(pk=campaign.pk).status == "running"
    assert not FigureSnapshot.objects.exists()
