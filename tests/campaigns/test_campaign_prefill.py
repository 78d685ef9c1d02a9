"""The form of a new campaign starts from the first meeting's report (and the intake before it).

The report gave the platform, the goal, the duration and the financing type; the intake the
amount asked, the type and a wished start. A new campaign's form shows them; saved untouched,
they are the campaign's. An existing campaign's form shows only the campaign.
"""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.models import Campaign, Platform
from campaigns.prefill import campaign_prefill
from tests.campaigns.factories import CampaignFactory, LabelledProjectFactory
from tests.coaching.factories import FirstMeetingFactory
from tests.html_forms import form_values

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(datetime(2026, 11, 26, 9, 0, tzinfo=UTC), tick=False)


@pytest.fixture
def labelled(porteur):
    return LabelledProjectFactory(
        owner=porteur,
        crowdfunding_amount=Decimal("5000"),
        financing_type="donation",
        wished_campaign_start=date(2027, 2, 1),
    )


@pytest.fixture
def kisskiss():
    return Platform.objects.exclude(slug="ulule").filter(is_active=True).first()


@pytest.fixture
def reported(labelled, cheffe, kisskiss):
    return FirstMeetingFactory(
        project=labelled,
        organiser=cheffe,
        reported_at=datetime(2026, 6, 1, 9, tzinfo=UTC),
        campaign_goal=Decimal("7500"),
        campaign_duration_days=45,
        campaign_financing_type="donation_rewards",
        target_platform=kisskiss,
    )


def url(project) -> str:
    return f"/accompagnement/dossiers/{project.reference}/campagne/"


def test_a_new_campaign_starts_from_the_report(client, cheffe, labelled, reported, kisskiss):
    client.force_login(cheffe)
    html = client.get(url(labelled)).content.decode()
    data = form_values(html)
    assert data["platform"] == str(kisskiss.pk)
    assert data["goal"] == "7500"
    assert data["financing_type"] == "donation_rewards"
    # The wished start, and 45 days counted from it (1 February is the first day).
    assert (data["starts_on"], data["ends_on"]) == ("2027-02-01", "2027-03-17")
    assert "Durée convenue au premier rendez-vous\xa0: 45\xa0jours." in html
    assert "reprend le dépôt du projet et le compte rendu" in html


def test_saving_the_prefilled_campaign_untouched_stores_it(
    client, cheffe, labelled, reported, kisskiss
):
    client.force_login(cheffe)
    data = form_values(client.get(url(labelled)).content.decode())
    data["collection_model"] = "all_or_nothing"  # the report does not say it
    response = client.post(url(labelled), data)
    assert response.status_code == 302
    campaign = Campaign.objects.get(project=labelled)
    assert campaign.platform == kisskiss
    assert campaign.goal == Decimal("7500")
    assert campaign.financing_type == "donation_rewards"
    assert (campaign.starts_on, campaign.ends_on) == (date(2027, 2, 1), date(2027, 3, 17))


def test_without_a_report_the_intake_gives_the_goal_and_type(client, cheffe, labelled):
    client.force_login(cheffe)
    html = client.get(url(labelled)).content.decode()
    data = form_values(html)
    assert (data["goal"], data["financing_type"], data["platform"]) == ("5000", "donation", "")
    assert (data["starts_on"], data["ends_on"]) == ("2027-02-01", "")
    assert "Durée convenue" not in html


def test_a_start_already_past_leaves_the_dates_blank_with_the_duration_beside(
    client, cheffe, labelled, reported
):
    labelled.wished_campaign_start = date(2026, 9, 1)
    labelled.save(update_fields=["wished_campaign_start"])
    client.force_login(cheffe)
    html = client.get(url(labelled)).content.decode()
    data = form_values(html)
    assert (data["starts_on"], data["ends_on"]) == ("", "")
    assert "Durée convenue au premier rendez-vous\xa0: 45\xa0jours." in html


def test_a_platform_withdrawn_since_the_report_is_not_proposed(
    client, cheffe, labelled, reported, kisskiss
):
    Platform.objects.filter(pk=kisskiss.pk).update(is_active=False)
    client.force_login(cheffe)
    assert form_values(client.get(url(labelled)).content.decode())["platform"] == ""


def test_an_unsaved_report_gives_nothing_but_the_intake_does(labelled, cheffe, kisskiss):
    FirstMeetingFactory(
        project=labelled, organiser=cheffe, campaign_goal=Decimal("9999"), target_platform=kisskiss
    )
    prefill = campaign_prefill(labelled, today=timezone.localdate())
    assert prefill.initial == {
        "goal": Decimal("5000"),
        "financing_type": "donation",
        "starts_on": date(2027, 2, 1),
    }


def test_an_existing_campaign_shows_itself_only(client, cheffe, labelled, reported):
    CampaignFactory(
        project=labelled,
        status="preparing",
        launched_on=None,
        goal=Decimal("6200"),
        financing_type="donation",
        starts_on=None,
        ends_on=None,
    )
    client.force_login(cheffe)
    html = client.get(url(labelled)).content.decode()
    data = form_values(html)
    assert (data["goal"], data["financing_type"]) == ("6200", "donation")
    assert (data["starts_on"], data["ends_on"]) == ("", "")
    assert data["platform"] == str(Platform.objects.get(slug="ulule").pk)
    assert "reprend le dépôt" not in html
