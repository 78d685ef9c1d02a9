"""The team's dossier page in a real Chromium: the next step in view at 1366×768, nothing to
scroll sideways at 390 px, one section at a time behind the menu (all of them without
JavaScript), "Plus d'actions" by the keyboard, and the position placed by a click on the map."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from campaigns.models import FigureSnapshot
from coaching.models import Interaction
from projects.models import Project, Status
from tests.campaigns.factories import CampaignFactory, LabelledProjectFactory, declared_figures
from tests.coaching.factories import FirstMeetingFactory, InteractionFactory
from tests.conftest import click_and_wait
from tests.factories import ProjectFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

WIDE = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _short_timeout(page):
    page.set_default_timeout(10_000)


@pytest.fixture(autouse=True)
def _no_tiles(page):
    # The map's tiles come from the internet, which tests cannot reach: the page must do
    # without them.
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())


@pytest.fixture
def errors(page):
    """The page's JavaScript errors, to be none."""
    found: list[str] = []
    page.on("pageerror", lambda error: found.append(str(error)))
    return found


def dossier_url(live_server, project) -> str:
    return f"{live_server.url}/accompagnement/dossiers/{project.reference}/"


def a_dossier(status: str, cheffe) -> Project:
    """A dossier as the demo has them at that status, with what its sections show."""
    if status == Status.CONTACT:
        return ProjectFactory(status=status)
    if status == Status.COACHING:
        project = ProjectFactory(status=status, coach=cheffe)
        FirstMeetingFactory(project=project, organiser=cheffe, reported_at=timezone.now())
        for days in range(4):
            InteractionFactory(
                project=project,
                author=cheffe,
                happened_on=timezone.localdate() - timedelta(days=7 * days),
                internal_notes="Point sur le plan de financement. " * 4,
            )
        return project
    if status == Status.LABELLED:
        return LabelledProjectFactory(coach=cheffe)
    today = timezone.localdate()
    campaign = CampaignFactory(
        project=LabelledProjectFactory(status=status, coach=cheffe),
        starts_on=today - timedelta(days=5),
        ends_on=today + timedelta(days=25),
        url="https://www.kisskissbankbank.com/fr/projects/une-adresse-tres-longue-sans-espace/",
    )
    declared_figures(campaign)
    return campaign.project


STATUSES = [Status.CONTACT, Status.COACHING, Status.LABELLED, Status.CAMPAIGN_RUNNING]
EXPECTED_STEP = {
    Status.CONTACT: "Fixer le premier rendez-vous",
    Status.COACHING: "Compléter le plan",
    Status.LABELLED: "Préparer la campagne",
    Status.CAMPAIGN_RUNNING: "Vérifier les chiffres déclarés",
}


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("status", STATUSES)
def test_the_next_step_is_in_view_and_nothing_scrolls_sideways(
    page, live_server, login, axe, errors, cheffe, status
):
    project = a_dossier(status, cheffe)
    login(page, cheffe)
    page.set_viewport_size(WIDE)
    page.goto(dossier_url(live_server, project))
    primary = page.locator("#prochaine-etape .btn-primary")
    expect(primary).to_have_count(1)
    expect(primary).to_have_text(EXPECTED_STEP[status])
    box = primary.bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0
    assert box["x"] + box["width"] <= WIDE["width"]
    assert box["y"] + box["height"] <= WIDE["height"], box  # without scrolling
    assert page.evaluate("window.scrollY") == 0
    assert no_sideways_scroll(page)
    assert axe(page) == []

    page.set_viewport_size(PHONE)
    page.reload()
    assert no_sideways_scroll(page)
    box = primary.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], box
    assert errors == []


def test_the_menu_shows_one_section_at_a_time_and_the_old_anchors_still_lead_there(
    page, live_server, login, errors, cheffe
):
    project = a_dossier(Status.CAMPAIGN_RUNNING, cheffe)
    pending = FigureSnapshot.objects.get(review="pending")
    login(page, cheffe)
    loads = []
    page.on("load", lambda _: loads.append(page.url))
    page.goto(dossier_url(live_server, project))
    # A running campaign: the page opens on its section.
    campaign, documents = page.locator("#campagne"), page.locator("#documents")
    expect(campaign).to_be_visible()
    expect(page.locator("#accompagnement")).to_be_hidden()
    menu = page.get_by_role("navigation", name="Sections du dossier")
    expect(menu.get_by_role("link", name="Campagne")).to_have_attribute("aria-current", "true")

    # One click on the menu: the documents, no page load.
    loads.clear()
    menu.get_by_role("link", name="Documents").click()
    expect(documents).to_be_visible()
    expect(campaign).to_be_hidden()
    expect(menu.get_by_role("link", name="Documents")).to_have_attribute("aria-current", "true")
    assert loads == []
    # The browser's back button returns to the campaign.
    page.go_back()
    expect(campaign).to_be_visible()

    # The dashboard's link to figures to check opens the campaign on their row.
    page.goto(f"{dossier_url(live_server, project)}#chiffres-{pending.pk}")
    row = page.locator(f"#chiffres-{pending.pk}")
    expect(row).to_be_in_viewport()
    page.goto(f"{dossier_url(live_server, project)}#accompagnement")
    expect(page.locator("#accompagnement")).to_be_visible()
    expect(campaign).to_be_hidden()
    assert errors == []


def test_without_javascript_every_section_shows(browser, live_server, cheffe):
    project = a_dossier(Status.COACHING, cheffe)
    context = browser.new_context(java_script_enabled=False, viewport=WIDE)
    page = context.new_page()
    page.goto(f"{live_server.url}/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(cheffe.email)
    page.get_by_label("Mot de passe").fill("mot-de-passe-de-test-42")
    click_and_wait(page.get_by_role("button", name="Se connecter"))
    page.goto(dossier_url(live_server, project))
    for anchor in ["dossier", "accompagnement", "comite", "campagne", "documents", "historique"]:
        expect(page.locator(f"#{anchor}")).to_be_visible()
    # The menu's links jump to them.
    page.get_by_role("navigation", name="Sections du dossier").get_by_role(
        "link", name="Historique"
    ).click()
    expect(page.locator("#historique")).to_be_in_viewport()
    # "Plus d'actions" opens without JavaScript too.
    page.get_by_text("Plus d'actions").click()
    page.get_by_text("Marquer abandonné…").click()
    expect(page.get_by_label("Raison de l'abandon")).to_be_visible()
    context.close()


def test_more_actions_opens_with_enter_closes_with_escape_and_confirms_the_anonymisation(
    page, live_server, login, axe, errors, cheffe
):
    project = a_dossier(Status.COACHING, cheffe)
    login(page, cheffe)
    page.set_viewport_size(WIDE)
    page.goto(dossier_url(live_server, project))
    more = page.locator("details[data-more-actions]")
    summary = more.locator("> summary")
    expect(summary).to_have_text("Plus d'actions")
    abandon = page.get_by_text("Marquer abandonné…")
    expect(abandon).to_be_hidden()

    # By the keyboard: Enter opens the menu, Escape closes it and gives the focus back.
    summary.focus()
    page.keyboard.press("Enter")
    expect(abandon).to_be_visible()
    expect(page.get_by_text("Marquer réorienté…")).to_be_visible()
    expect(page.get_by_text("Anonymiser le dossier…")).to_be_visible()
    assert axe(page) == []
    page.keyboard.press("Tab")
    expect(abandon).to_be_focused()
    page.keyboard.press("Escape")
    expect(abandon).to_be_hidden()
    expect(summary).to_be_focused()
    # A click outside closes it too.
    page.keyboard.press("Enter")
    expect(abandon).to_be_visible()
    page.get_by_role("heading", level=1).click()
    expect(abandon).to_be_hidden()

    # The anonymisation, irreversible, asks for its confirmation; refused without it.
    clicks = 0
    summary.click()
    page.get_by_text("Anonymiser le dossier…").click()
    page.get_by_label("Raison de l'anonymisation").fill("Demande écrite du porteur")
    assert axe(page) == []  # the menu open on a form
    click_and_wait(page.get_by_role("button", name="Anonymiser le dossier"))
    clicks += 3
    confirm = page.get_by_label("Je confirme : l'anonymisation est irréversible.")
    expect(confirm).to_be_visible()  # the page comes back with its menu open on the form
    expect(confirm).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#erreur-confirmation-anonymisation")).to_have_text(
        "Cochez la case pour confirmer : l'anonymisation ne peut pas être défaite."
    )
    expect(page.get_by_label("Raison de l'anonymisation")).to_have_value(
        "Demande écrite du porteur"
    )
    assert Project.objects.get(pk=project.pk).anonymised_at is None
    assert axe(page) == []

    confirm.check()
    click_and_wait(page.get_by_role("button", name="Anonymiser le dossier"))
    clicks += 2
    expect(page.get_by_text("Le dossier est anonymisé")).to_be_visible()
    assert Project.objects.get(pk=project.pk).anonymised_at is not None
    assert not Interaction.objects.filter(project=project).exclude(internal_notes="").exists()
    assert clicks == 5
    assert errors == []


def test_a_click_on_the_map_fills_the_coordinates_and_places_the_project(
    page, live_server, login, axe, errors, cheffe
):
    project = a_dossier(Status.LABELLED, cheffe)
    login(page, cheffe)
    page.set_viewport_size(WIDE)
    page.goto(f"{dossier_url(live_server, project)}#position-carte")
    latitude = page.get_by_label("Latitude", exact=True)
    longitude = page.get_by_label("Longitude", exact=True)
    expect(latitude).to_have_value("")
    carte = page.locator("#carte-position")
    expect(carte).to_be_visible()
    expect(carte.locator(".leaflet-marker-icon")).to_be_visible()
    assert axe(page) == []

    box = carte.bounding_box()
    carte.click(position={"x": box["width"] / 2 + 40, "y": box["height"] / 2 - 30})
    expect(latitude).not_to_have_value("")
    lat, lng = float(latitude.input_value()), float(longitude.input_value())
    assert 49.9 <= lat <= 51.2 and 1.3 <= lng <= 3.3
    assert len(latitude.input_value().split(".")[1]) == 5

    # Dragging the marker moves the coordinates too.
    marker = carte.locator(".leaflet-marker-icon")
    marker_box = marker.bounding_box()
    x, y = marker_box["x"] + marker_box["width"] / 2, marker_box["y"] + marker_box["height"] - 5
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 60, y + 20, steps=5)
    page.mouse.up()
    expect(longitude).not_to_have_value(f"{lng:.5f}")
    dragged = float(latitude.input_value()), float(longitude.input_value())
    assert dragged[1] < lng

    click_and_wait(page.get_by_role("button", name="Placer le projet"))
    expect(page.get_by_text("La position sur la carte est enregistrée.")).to_be_visible()
    project.refresh_from_db()
    assert (float(project.latitude), float(project.longitude)) == pytest.approx(dragged)
    # Typed coordinates move the marker: the fields stay the accessible way.
    expect(latitude).to_have_value(f"{dragged[0]:.5f}")
    assert errors == []
