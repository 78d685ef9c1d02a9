"""The team's dossier page as a workspace: its header's next step (one per status, chosen in
projects/sections.py from the apps' candidates), its sections' menu, the rare actions in
"Plus d'actions" with their confirmation, and the map position once the project is labelled."""

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.models import FigureSnapshot
from coaching.models import Interaction
from projects import sections
from projects.models import Project, Status, StatusChange
from tests.campaigns.factories import CampaignFactory, LabelledProjectFactory, declared_figures
from tests.coaching.factories import FirstMeetingFactory
from tests.factories import ProjectFactory
from tests.labelling.factories import CommitteeSessionFactory, LabellingRequestFactory
from tests.labelling.test_services import complete_dossier

pytestmark = pytest.mark.django_db


def url(project) -> str:
    return f"/accompagnement/dossiers/{project.reference}/"


def page_of(client, project) -> str:
    response = client.get(url(project))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def fragment(page: str, start: str, end: str) -> str:
    """The page's text from `start` (a regex) up to the first `end` after it."""
    match = re.search(start, page)
    assert match, start
    return page[match.start() : page.index(end, match.end())]


def header(page: str) -> str:
    return fragment(page, r'<div class="dossier-header', "data-dossier-menu")


def next_step(page: str) -> tuple[str, str, str] | None:
    """(label, address, "get" or "post") of the header's primary button, or None."""
    block = fragment(page, r'id="prochaine-etape"', "</div>")
    buttons = re.findall(r'class="btn btn-primary"', block)
    if not buttons:
        return None
    assert len(buttons) == 1, block  # the ONE primary button
    if link := re.search(r'<a class="btn btn-primary" href="([^"]+)">([^<]+)</a>', block):
        return link.group(2), link.group(1), "get"
    form = re.search(r'<form method="post" action="([^"]+)".*?>([^<]+)</button>', block, re.S)
    return form.group(2), form.group(1), "post"


# --- The next step, per status ------------------------------------------------------------


def contact_new(cheffe):
    return ProjectFactory(status=Status.CONTACT), ("Fixer le premier rendez-vous", "get")


def contact_with_meeting(cheffe):
    project = ProjectFactory(status=Status.CONTACT)
    FirstMeetingFactory(project=project, organiser=cheffe)
    return project, ("Saisir le compte rendu", "get")


def first_meeting_done(cheffe):
    project = ProjectFactory(status=Status.FIRST_MEETING_DONE)
    FirstMeetingFactory(project=project, organiser=cheffe, reported_at=timezone.now())
    return project, ("Noter un échange", "get")


def coaching_incomplete(cheffe):
    # Reported, but neither the campaign text nor the partner: the first missing item.
    project = ProjectFactory(status=Status.COACHING, partner=None)
    FirstMeetingFactory(project=project, organiser=cheffe, reported_at=timezone.now())
    return project, ("Compléter le plan", "get")


def coaching_complete(cheffe):
    from accounts.models import Organisation

    project = ProjectFactory(status=Status.COACHING, partner=Organisation.objects.first())
    complete_dossier(project, cheffe)
    return project, ("Demander la labellisation", "post")


def labelling_requested(cheffe):
    project = ProjectFactory(status=Status.LABELLING_REQUESTED)
    LabellingRequestFactory(project=project, session=None)
    return project, ("Inscrire la demande à une séance", "get")


def in_committee(cheffe):
    project = ProjectFactory(status=Status.IN_COMMITTEE)
    LabellingRequestFactory(project=project, session=CommitteeSessionFactory())
    return project, ("Ouvrir la séance du comité", "get")


def labelled(cheffe):
    return LabelledProjectFactory(), ("Préparer la campagne", "get")


def labelled_preparing(cheffe):
    campaign = CampaignFactory(
        project=LabelledProjectFactory(), status="preparing", launched_on=None
    )
    return campaign.project, ("Lancer la campagne", "post")


def running(cheffe):
    today = timezone.localdate()
    campaign = CampaignFactory(starts_on=today - timedelta(days=5), ends_on=today + timedelta(10))
    return campaign.project, ("Mettre à jour les chiffres", "get")


def running_with_declared_figures(cheffe):
    today = timezone.localdate()
    campaign = CampaignFactory(starts_on=today - timedelta(days=5), ends_on=today + timedelta(10))
    declared_figures(campaign)
    return campaign.project, ("Vérifier les chiffres déclarés", "get")


def running_past_its_end(cheffe):
    today = timezone.localdate()
    campaign = CampaignFactory(starts_on=today - timedelta(days=50), ends_on=today - timedelta(1))
    return campaign.project, ("Enregistrer le résultat final", "get")


def campaign_ended(cheffe):
    campaign = CampaignFactory(
        project=LabelledProjectFactory(status=Status.CAMPAIGN_ENDED),
        status="succeeded",
        final_amount=Decimal("5200"),
        final_contributors=80,
    )
    return campaign.project, ("Enregistrer le suivi", "get")


def closed(cheffe):
    return LabelledProjectFactory(status=Status.CLOSED), None


def abandoned(cheffe):
    return ProjectFactory(status=Status.ABANDONED), None


SCENARIOS = [
    contact_new,
    contact_with_meeting,
    first_meeting_done,
    coaching_incomplete,
    coaching_complete,
    labelling_requested,
    in_committee,
    labelled,
    labelled_preparing,
    running,
    running_with_declared_figures,
    running_past_its_end,
    campaign_ended,
    closed,
    abandoned,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.__name__)
def test_the_header_shows_the_one_next_step_of_the_status(client, cheffe, scenario):
    project, expected = scenario(cheffe)
    client.force_login(cheffe)
    page = page_of(client, project)
    step = next_step(page)
    if expected is None:
        assert step is None
        assert "aucune\u00a0: le dossier n'est plus actif." in header(page)
        return
    label, address, method = step
    assert (label, method) == expected
    # The sections' buttons for the same steps are secondary: one primary link on the page.
    assert page.count('<a class="btn btn-primary"') == (1 if method == "get" else 0)
    # The button leads somewhere real: a page (200), an anchor of this page, or an action.
    if "#" in address:
        path, anchor = address.split("#")
        assert path == url(project)
        assert f'id="{anchor}"' in page
    elif method == "get":
        assert client.get(address).status_code == 200


def test_the_next_step_buttons_do_what_they_say(client, cheffe):
    # "Demander la labellisation" from the header raises the request.
    project, _ = coaching_complete(cheffe)
    client.force_login(cheffe)
    label, address, method = next_step(page_of(client, project))
    assert client.post(address).status_code == 302
    assert Project.objects.get(pk=project.pk).status == Status.LABELLING_REQUESTED
    assert next_step(page_of(client, project))[0] == "Inscrire la demande à une séance"

    # "Lancer la campagne" launches it.
    project, _ = labelled_preparing(cheffe)
    label, address, method = next_step(page_of(client, project))
    client.post(address)
    assert Project.objects.get(pk=project.pk).status == Status.CAMPAIGN_RUNNING
    assert next_step(page_of(client, project))[0] == "Mettre à jour les chiffres"


def test_the_highest_priority_candidate_wins_and_the_first_registered_breaks_ties(monkeypatch):
    registry = {}
    monkeypatch.setattr(sections, "SECTIONS", registry)

    def candidate(label, priority):
        return lambda project, context: sections.NextStep(label, "/", priority)

    sections.register("a", build=dict, order=10, next_step=candidate("A", sections.FALLBACK))
    sections.register("b", build=dict, order=20, next_step=lambda project, context: None)
    sections.register("c", build=dict, order=30)
    assert sections.dossier_next_step(None, {}).label == "A"
    sections.register("d", build=dict, order=40, next_step=candidate("D", sections.STEP))
    sections.register("e", build=dict, order=50, next_step=candidate("E", sections.STEP))
    assert sections.dossier_next_step(None, {}).label == "D"
    registry.clear()
    assert sections.dossier_next_step(None, {}) is None


def test_the_header_gives_the_status_since_when_the_cheffe_and_the_porteur_contact(client, cheffe):
    project = ProjectFactory(
        status=Status.COACHING, coach=cheffe, contact_phone="+33 3 21 00 00 01"
    )
    client.force_login(cheffe)
    top = header(page_of(client, project))
    assert "En accompagnement" in top
    assert "depuis le" in top
    assert "Gaëlle Mercier" in top
    assert f'href="mailto:{project.contact_email}"' in top
    assert 'href="tel:+33321000001"' in top


# --- The sections' menu -------------------------------------------------------------------


def test_the_menu_reaches_every_section_and_the_old_anchors_still_exist(client, cheffe):
    campaign = CampaignFactory()
    declared_figures(campaign)
    project = campaign.project
    client.force_login(cheffe)
    page = page_of(client, project)
    menu = fragment(page, r"data-dossier-menu", "</nav>")
    entries = re.findall(r'<a class="nav-link" href="#([a-z-]+)">([^<]+)', menu)
    assert [name for _, name in entries] == [
        "Dossier",
        "Accompagnement",
        "Comité",
        "Campagne",
        "Documents",
        "Historique",
    ]
    for anchor, _ in entries:
        assert len(re.findall(rf'id="{anchor}"', page)) == 1, anchor
    # The anchors other pages and redirects point at (dashboard, forms' redirects).
    pending = FigureSnapshot.objects.get(review="pending")
    for anchor in ["accompagnement", "documents", "campagne", f"chiffres-{pending.pk}"]:
        assert f'id="{anchor}"' in page
    # The section the page opens on (with JavaScript) follows the status.
    assert 'data-opening="campagne"' in page


def test_the_page_opens_on_the_section_of_the_status(client, cheffe):
    client.force_login(cheffe)
    for status, section in [
        (Status.CONTACT, "accompagnement"),
        (Status.IN_COMMITTEE, "comite"),
        (Status.CLOSED, "dossier"),
    ]:
        project = ProjectFactory(status=status)
        assert f'data-opening="{section}"' in page_of(client, project)


def test_a_refused_document_opens_the_page_on_the_documents(client, cheffe):
    project = ProjectFactory(status=Status.CONTACT)
    client.force_login(cheffe)
    response = client.post(url(project), {"kind": "", "url": ""})
    assert response.status_code == 200
    assert 'data-opening="documents"' in response.content.decode()


# --- Rare and destructive actions ---------------------------------------------------------


def more_actions(page: str) -> str:
    # The disclosure closes the header, before the sections' menu.
    return fragment(page, r"data-more-actions", "data-dossier-menu")


def test_the_destructive_actions_are_only_in_the_more_actions_menu(client, cheffe):
    campaign = CampaignFactory(
        project=LabelledProjectFactory(), status="preparing", launched_on=None
    )
    client.force_login(cheffe)
    page = page_of(client, campaign.project)
    menu = more_actions(page)
    assert "Plus d'actions" in menu
    for label, action in [
        ("Marquer abandonné", "abandonner/"),
        ("Marquer réorienté", "reorienter/"),
        ("Anonymiser le dossier", "anonymiser/"),
        ("Abandonner cette campagne", "/abandonner/"),
    ]:
        assert label in menu
        assert page.count(f">{label}<") == 1, label  # nowhere else on the page
        assert action in menu
    # Each has its confirmation: the reason where it is kept, and a box to tick.
    assert menu.count('type="checkbox"') == 4
    assert 'name="confirm"' in menu
    assert 'id="raison-abandon"' in menu and 'id="raison-reorientation"' in menu
    # Closed unless a refused anonymisation brings the page back.
    assert "data-more-actions open" not in page


def test_a_closed_and_anonymised_dossier_has_no_more_actions(client, cheffe):
    project = ProjectFactory(status=Status.CLOSED, anonymised_at=timezone.now())
    client.force_login(cheffe)
    page = page_of(client, project)
    assert "Plus d'actions" not in page
    assert "Dossier anonymisé le" in header(page)


def test_anonymisation_without_the_confirmation_is_refused_and_keeps_the_reason(
    client, cheffe, project
):
    client.force_login(cheffe)
    response = client.post(f"{url(project)}anonymiser/", {"reason": "Demande écrite du porteur"})
    assert response.status_code == 400
    project.refresh_from_db()
    assert project.anonymised_at is None
    assert project.contact_email == "porteur@example.org"
    page = html.unescape(response.content.decode())
    menu = more_actions(page)
    assert "data-more-actions open" in page
    assert ">Demande écrite du porteur</textarea>" in menu
    error = fragment(menu, r'id="confirmation-anonymisation"', "</div>")
    assert 'aria-invalid="true"' in error
    assert "Cochez la case pour confirmer\u00a0: l'anonymisation ne peut pas être défaite." in error
    # The page answers at the anonymisation's address: its other forms still post to theirs.
    assert f'action="{url(project)}" enctype="multipart/form-data"' in page


def test_anonymisation_without_a_reason_is_refused_next_to_the_field(client, cheffe, project):
    client.force_login(cheffe)
    response = client.post(f"{url(project)}anonymiser/", {"reason": " ", "confirm": "on"})
    assert response.status_code == 400
    assert Project.objects.get(pk=project.pk).anonymised_at is None
    error = fragment(
        html.unescape(response.content.decode()), r'id="raison-anonymisation"', "</div>"
    )
    assert "Indiquez la raison\u00a0: elle est conservée dans le journal." in error


def test_anonymisation_with_the_confirmation_anonymises(client, cheffe, project):
    client.force_login(cheffe)
    response = client.post(
        f"{url(project)}anonymiser/", {"reason": "Demande écrite", "confirm": "on"}
    )
    assert response.status_code == 302
    assert Project.objects.get(pk=project.pk).anonymised_at is not None


def test_abandon_still_needs_its_reason_on_the_server(client, cheffe, project):
    client.force_login(cheffe)
    client.post(f"{url(project)}abandonner/", {"reason": ""})
    assert Project.objects.get(pk=project.pk).status == Status.CONTACT
    client.post(f"{url(project)}abandonner/", {"reason": "Plus de nouvelles"})
    assert Project.objects.get(pk=project.pk).status == Status.ABANDONED
    assert StatusChange.objects.get(project=project).note == "Plus de nouvelles"


# --- The position on the map ----------------------------------------------------------------


@pytest.mark.parametrize(
    "status", [Status.CONTACT, Status.FIRST_MEETING_DONE, Status.COACHING, Status.IN_COMMITTEE]
)
def test_the_map_position_is_not_offered_before_the_label(client, cheffe, status):
    project = ProjectFactory(status=status)
    client.force_login(cheffe)
    page = page_of(client, project)
    assert "Position sur la carte" not in page
    assert f"{url(project)}carte/" not in page
    assert "leaflet" not in page


@pytest.mark.parametrize("status", [Status.LABELLED, Status.CAMPAIGN_RUNNING, Status.CLOSED])
def test_the_map_position_is_offered_once_labelled(client, cheffe, status):
    project = LabelledProjectFactory(status=status)
    client.force_login(cheffe)
    page = page_of(client, project)
    form = fragment(page, r'id="position-carte"', "</form>")
    assert "Position sur la carte" in form
    # The typed coordinates stay, labelled: the accessible way, and the one without JavaScript.
    assert '<label class="form-label" for="id_latitude">Latitude</label>' in form
    assert '<label class="form-label" for="id_longitude">Longitude</label>' in form
    assert 'id="carte-position" hidden' in form  # shown by the script only
    assert "js/place_on_map.js" in page and "leaflet/leaflet.js" in page


def test_the_porteur_page_offers_no_map_position(client, porteur):
    project = LabelledProjectFactory(owner=porteur, contact_email=porteur.email)
    client.force_login(porteur)
    page = html.unescape(client.get(project.get_absolute_url()).content.decode())
    assert "Position sur la carte" not in page
    assert "Plus d'actions" not in page


# --- Permissions unchanged ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["porteur", "comite"])
def test_the_dossier_page_and_its_actions_stay_for_the_team(client, cast, project, role):
    client.force_login(cast[role])
    assert client.get(url(project)).status_code == 403
    for action in ["abandonner/", "reorienter/"]:
        assert client.post(f"{url(project)}{action}", {"reason": "x"}).status_code == 403
    response = client.post(f"{url(project)}anonymiser/", {"reason": "x", "confirm": "on"})
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.status == Status.CONTACT and project.anonymised_at is None
    assert not Interaction.objects.exists()


def test_an_anonymous_visitor_is_sent_to_the_login(client, project):
    response = client.get(url(project))
    assert response.status_code == 302
    assert "/compte/connexion/" in response["Location"]
