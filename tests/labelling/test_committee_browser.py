"""The committee member's path in a real Chromium (issue 15): login, "À voter", the vote form
in at most two clicks, the vote cast and shown; the form fits one 1366×768 screen with its
comments folded; axe-core on the home and the review page, on a laptop and a phone.

Screenshots go to $PROPULSONS_SCREENSHOTS when set (to look at them), else to a temporary
folder."""

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from coaching.models import FinancingLine
from labelling.models import Vote
from tests.coaching.factories import FirstMeetingFactory
from tests.conftest import click_and_wait
from tests.labelling.factories import LabellingRequestFactory
from tests.labelling.test_browser import criteria, group
from tests.labelling.test_committee_home import past_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _short_timeout(page):
    page.set_default_timeout(10_000)


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("PROPULSONS_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def waiting_request(members):
    """A request before the committee, with a long cheffe's opinion and a reported first
    meeting: the evidence at its longest."""
    item = LabellingRequestFactory(
        project__title="Ressourcerie des Caps",
        project__summary=(
            "Une ressourcerie de quartier à Lens qui collecte, répare et revend des objets, "
            "et emploie six personnes en insertion."
        ),
        project__partner=members["initiative-pas-de-calais"].organisation,
        cheffe_opinion=(
            "Dossier solide : la porteuse a déjà une boutique éphémère, des bénévoles réguliers "
            "et le soutien de la commune. Le prévisionnel est prudent. Avis favorable."
        ),
    )
    meeting = FirstMeetingFactory(project=item.project)
    meeting.reported_at = meeting.scheduled_at
    meeting.save(update_fields=["reported_at"])
    for source, amount, acquired in [
        ("own_funds", "8000", True),
        ("grant", "7000", False),
        ("crowdfunding", "5000", False),
    ]:
        FinancingLine.objects.create(
            meeting=meeting, source=source, amount=Decimal(amount), acquired=acquired
        )
    # An archive behind, as a member of several years has.
    member = members["cigales"]
    for weeks in range(1, 24):
        past = LabellingRequestFactory(session=past_session(weeks * 14), project__status="labelled")
        Vote.objects.create(
            request=past, organisation=member.organisation, member=member, overall="favorable"
        )
    return item


def test_a_member_goes_from_login_to_a_cast_vote_and_the_form_fits_one_screen(
    page, live_server, login, axe, members, waiting_request, shots
):
    member = members["cigales"]
    page.set_viewport_size(LAPTOP)
    login(page, member)
    expect(page).to_have_url(f"{live_server.url}/comite/")
    clicks = 0

    # The home: "À voter" first, then the sessions to come, then the archive folded away.
    headings = page.get_by_role("heading", level=2).all_inner_texts()
    assert headings[:3] == ["À voter", "Séances à venir", "Archives"]
    archive = page.locator("details", has=page.get_by_text("Voir les 23 séances passées"))
    expect(archive).not_to_have_attribute("open", "")
    expect(page.locator("#titre-archives ~ details table")).to_be_hidden()
    waiting = page.locator("section", has=page.get_by_role("heading", name="À voter"))
    expect(waiting).to_contain_text("vote ouvert jusqu")
    vote_button = waiting.get_by_role("link", name="Voter sur Ressourcerie des Caps")
    expect(vote_button).to_be_in_viewport()
    page.screenshot(path=shots / "comite-accueil-1366.png", full_page=True)
    assert axe(page) == []

    click_and_wait(vote_button)
    clicks += 1
    assert clicks <= 2
    assert page.url == f"{live_server.url}/comite/demandes/{waiting_request.pk}/#titre-vote"

    # The whole form, from the conflict question to the button, on one 1366×768 screen, and
    # on screen as the page opens at the form.
    form = page.locator("#vote form")
    conflict = page.get_by_label(re.compile("conflit d'intérêts"))
    submit = page.get_by_role("button", name="Enregistrer le vote")
    expect(conflict).to_be_in_viewport()
    top = page.locator(".conflict-question").bounding_box()
    bottom = submit.bounding_box()
    assert bottom["y"] + bottom["height"] - top["y"] <= LAPTOP["height"]
    assert top["y"] >= 0 and bottom["y"] + bottom["height"] <= LAPTOP["height"]
    expect(submit).to_be_in_viewport(ratio=1)
    page.screenshot(path=shots / "comite-vote-1366.png")
    # The facts beside each criterion.
    for code, fact in [
        ("viable", "3 lignes"),
        ("solidaire", "ressourcerie de quartier"),
        ("pas-de-calais", "Pas-de-Calais (62)"),
        ("partenaire", "Initiative"),
    ]:
        expect(page.locator(f"#faits-{code}")).to_contain_text(fact)
    # One folded comment per criterion, named briefly and tied to its criterion.
    expect(form.locator("details[open]")).to_have_count(0)
    comment = page.locator("#id_criterion_viable_comment")
    expect(comment).to_be_hidden()
    page.locator("#commentaire-viable").click()
    expect(comment).to_be_visible()
    expect(comment).to_have_accessible_name("Commentaire (facultatif)")
    expect(comment).to_have_accessible_description("Le projet est économiquement viable")
    page.locator("#commentaire-viable").click()
    assert axe(page) == []

    # The vote, cast and shown.
    for criterion in criteria():
        group(page, criterion.label).get_by_label("Rempli", exact=True).check()
    group(page, "Avis global").get_by_label("Favorable", exact=True).check()
    click_and_wait(submit)
    expect(page.get_by_role("status").filter(has_text="Votre vote est enregistré.")).to_be_visible()
    expect(page.get_by_text("Votre organisation a voté : Favorable.")).to_be_visible()
    # Once its own vote is cast the member sees the tally, called a trend while voting is open.
    expect(page.locator(".tally-trend")).to_contain_text("Tendance, vote en cours")
    expect(page.get_by_text("Issue proposée")).to_have_count(0)
    vote = Vote.objects.get(request=waiting_request)
    assert (vote.organisation, vote.member, vote.overall) == (
        member.organisation,
        member,
        "favorable",
    )
    page.goto(f"{live_server.url}/comite/")
    expect(
        page.get_by_text("Aucun vote n'attend votre organisation pour l'instant.")
    ).to_be_visible()


def test_the_home_and_the_vote_form_on_a_phone(
    page, live_server, login, axe, members, waiting_request, shots
):
    page.set_viewport_size(PHONE)
    login(page, members["cigales"])
    page.screenshot(path=shots / "comite-accueil-390.png", full_page=True)
    assert axe(page) == []
    click_and_wait(page.get_by_role("link", name="Voter sur Ressourcerie des Caps"))
    expect(page.locator(".conflict-question")).to_be_in_viewport()
    # Nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=shots / "comite-vote-390.png", full_page=True)
    assert axe(page) == []
    # The archive unfolds, ten sessions a page.
    page.goto(f"{live_server.url}/comite/")
    page.get_by_text("Voir les 23 séances passées").click()
    expect(page.locator("#archives table tbody tr")).to_have_count(10)
    click_and_wait(page.get_by_role("link", name="Plus anciennes"))
    expect(page.locator("#archives details")).to_have_attribute("open", "")
    expect(page.get_by_text("Page 2 sur 3")).to_be_visible()
    assert axe(page) == []
