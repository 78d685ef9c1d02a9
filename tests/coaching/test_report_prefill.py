"""The first meeting's report starts from what the intake gave: nothing is typed twice.

An unsaved report shows the crowdfunding amount asked as the campaign goal, the financing type
asked, and a first financing line "Financement participatif" of that amount; saved untouched,
those values are stored. A saved report shows only itself.
"""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from coaching.models import FinancingLine, FirstMeeting
from tests.coaching.factories import FirstMeetingFactory
from tests.factories import ProjectFactory
from tests.html_forms import form_values

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(datetime(2026, 11, 26, 9, 0, tzinfo=UTC), tick=False)


@pytest.fixture
def asked(porteur):
    """A dossier whose porteur asked for 8 125 € of a 32 500 € budget, as donations."""
    return ProjectFactory(
        owner=porteur,
        total_budget=Decimal("32500"),
        crowdfunding_amount=Decimal("8125"),
        financing_type="donation",
    )


@pytest.fixture
def meeting(asked, cheffe):
    return FirstMeetingFactory(project=asked, organiser=cheffe)


def url(project) -> str:
    return f"/accompagnement/dossiers/{project.reference}/compte-rendu/"


def the_rest_of_the_report(data: dict) -> dict:
    """What she types that the intake could not know."""
    return data | {
        "relevance": "relevant",
        "relevance_reasoning": "Une clientèle fidèle prête à soutenir le projet.",
        "campaign_duration_days": "40",
        "outcome": "continue",
    }


def test_an_unsaved_report_shows_the_amount_and_type_asked(client, cheffe, asked, meeting):
    client.force_login(cheffe)
    html = client.get(url(asked)).content.decode()
    data = form_values(html)
    assert data["campaign_goal"] == "8125"
    assert data["campaign_financing_type"] == "donation"
    assert (data["plan-0-source"], data["plan-0-amount"]) == ("crowdfunding", "8125")
    # The other rows stay blank, and none is a saved one.
    assert (data["plan-1-source"], data["plan-1-amount"]) == ("", "")
    assert data["plan-INITIAL_FORMS"] == "0"
    # The plan's figures are those of the prefilled line, not "Total : 0 €".
    assert "Total\xa0: 8\xa0125\xa0€" in html
    assert "part du financement participatif\xa0: 100,0\xa0%" in html
    assert "Total\xa0: 0\xa0€" not in html
    assert "un budget de 32\xa0500\xa0€, dont 8\xa0125\xa0€ en financement participatif" in html


def test_saving_the_prefilled_report_untouched_stores_the_prefilled_values(
    client, cheffe, asked, meeting
):
    client.force_login(cheffe)
    data = the_rest_of_the_report(form_values(client.get(url(asked)).content.decode()))
    response = client.post(url(asked), data)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.campaign_goal == Decimal("8125")
    assert meeting.campaign_financing_type == "donation"
    assert list(FinancingLine.objects.values_list("source", "label", "amount", "acquired")) == [
        ("crowdfunding", "", Decimal("8125"), False)
    ]


def test_a_prefilled_value_she_changes_or_empties_is_not_put_back(client, cheffe, asked, meeting):
    client.force_login(cheffe)
    data = the_rest_of_the_report(form_values(client.get(url(asked)).content.decode()))
    data |= {
        "campaign_goal": "6000",
        "campaign_financing_type": "",
        "plan-0-source": "",
        "plan-0-amount": "",
        "plan-1-source": "own_funds",
        "plan-1-amount": "26500",
    }
    assert client.post(url(asked), data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.campaign_goal == Decimal("6000")
    assert meeting.campaign_financing_type == ""
    assert list(FinancingLine.objects.values_list("source", "amount")) == [
        ("own_funds", Decimal("26500"))
    ]


def test_a_saved_report_is_never_overwritten_by_the_intake(client, cheffe, asked, meeting):
    client.force_login(cheffe)
    data = the_rest_of_the_report(form_values(client.get(url(asked)).content.decode()))
    data |= {"campaign_goal": "", "campaign_financing_type": "", "plan-0-source": "grant"}
    assert client.post(url(asked), data).status_code == 302

    again = client.get(url(asked)).content.decode()
    values = form_values(again)
    # Emptied on purpose: they stay empty; the only line is the saved grant, no extra line.
    assert values["campaign_goal"] == ""
    assert values["campaign_financing_type"] == ""
    assert values["plan-INITIAL_FORMS"] == "1"
    assert (values["plan-0-source"], values["plan-0-amount"]) == ("grant", "8125")
    assert (values["plan-1-source"], values["plan-1-amount"]) == ("", "")
    assert "part du financement participatif\xa0: 0,0\xa0%" in again


def test_a_type_not_yet_known_at_the_intake_is_not_carried_over(client, cheffe):
    project = ProjectFactory(financing_type="unknown", crowdfunding_amount=Decimal("4000.50"))
    FirstMeetingFactory(project=project, organiser=cheffe)
    client.force_login(cheffe)
    data = form_values(client.get(url(project)).content.decode())
    assert data["campaign_financing_type"] == ""
    assert data["campaign_goal"] == "4000.50"
    assert data["plan-0-amount"] == "4000.50"


def test_values_already_in_an_unsaved_report_win_over_the_intake(client, cheffe, asked):
    # Typed in the admin, say, before the report was saved: the intake fills only the gaps.
    FirstMeetingFactory(
        project=asked, organiser=cheffe, campaign_goal=Decimal("7000"), campaign_financing_type=""
    )
    client.force_login(cheffe)
    data = form_values(client.get(url(asked)).content.decode())
    assert data["campaign_goal"] == "7000"
    assert data["campaign_financing_type"] == "donation"
    assert FirstMeeting.objects.get().campaign_goal == Decimal("7000")


def test_the_page_offers_to_add_and_remove_rows_with_its_script(client, cheffe, asked, meeting):
    client.force_login(cheffe)
    html = client.get(url(asked)).content.decode()
    assert '<script src="/static/js/formsets.js" defer></script>' in html
    # The empty row the script copies, for each formset.
    assert 'name="plan-__prefix__-amount"' in html
    assert 'name="contreparties-__prefix__-description"' in html
    assert html.count("data-formset-add") == 2
    # Without the script, the boxes still delete.
    assert 'name="plan-0-DELETE"' in html
