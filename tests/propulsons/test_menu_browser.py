"""The main menu in a real Chromium, for every role: at most seven entries on one line from
1200 px up, a collapsed menu that works at 390 px without sideways scrolling, dropdowns usable
with the keyboard, and no axe-core violation."""

import pytest
from playwright.sync_api import expect

from tests.conftest import click_and_wait, logout, open_account_menu
from tests.factories import CommitteeMemberFactory, OrganisationFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

# The top-level entries of the menu (the brand, the home link, is not one of them).
TOP_LEVEL = "#menu-principal > .navbar-nav > .nav-item"


@pytest.fixture(autouse=True)
def _short_timeout(page):
    page.set_default_timeout(10_000)


@pytest.fixture
def people(db):
    organisation = OrganisationFactory(slug="organisation-menu", is_committee_member=True)
    return {
        "anonyme": None,
        "porteur": UserFactory(email="porteur.menu@example.org", first_name="Paul"),
        "comite": CommitteeMemberFactory(
            email="membre.menu@example.org", first_name="Mona", organisation=organisation
        ),
        "cheffe": UserFactory(
            email="cheffe.menu@propulsons.org", role="cheffe", first_name="Gaëlle"
        ),
        "admin": UserFactory(email="admin.menu@propulsons.org", role="admin", first_name="Ada"),
    }


# What each role finds at the top level, in this order.
EXPECTED = {
    "anonyme": ["Accueil", "Projets", "Carte", "Chiffres", "Déposer un projet", "Se connecter"],
    "porteur": [
        "Mon espace",
        "Accueil",
        "Projets",
        "Carte",
        "Chiffres",
        "Déposer un projet",
        "Paul",
    ],
    "comite": ["Comité", "Accueil", "Projets", "Carte", "Chiffres", "Mona"],
    "cheffe": ["Tableau de bord", "Dossiers", "Comité", "Bilan", "Site public", "Gaëlle"],
    "admin": ["Tableau de bord", "Dossiers", "Comité", "Bilan", "Site public", "Ada"],
}


def top_level(page) -> list[dict]:
    return page.evaluate(
        f"""[...document.querySelectorAll({TOP_LEVEL!r})].map(item => ({{
            text: item.querySelector('.nav-link').childNodes[0].textContent.trim(),
            top: item.offsetTop,
        }}))"""
    )


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("role", list(EXPECTED))
def test_the_menu_holds_on_one_line_from_1200_px_with_at_most_seven_entries(
    page, live_server, login, axe, people, role
):
    if people[role] is not None:
        login(page, people[role])
    for width, height in [(1200, 800), (1366, 768)]:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/")
        items = top_level(page)
        assert [item["text"] for item in items] == EXPECTED[role]
        assert len(items) <= 7
        # One line: every top-level entry at the same height.
        assert len({item["top"] for item in items}) == 1, (width, items)
        assert no_sideways_scroll(page)
    assert axe(page) == []


def test_the_team_reaches_the_public_pages_and_its_account_through_the_dropdowns(
    page, live_server, login, axe, people
):
    login(page, people["cheffe"])
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/accompagnement/dossiers/")
    public = page.get_by_role("button", name="Site public")
    expect(public).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("link", name="Carte", exact=True)).to_be_hidden()
    # The keyboard: focus the toggle, Enter opens it, the arrows move through its entries.
    public.focus()
    page.keyboard.press("Enter")
    expect(public).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("link", name="Accueil", exact=True)).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("link", name="Carte", exact=True)).to_be_focused()
    assert axe(page) == []
    page.keyboard.press("Escape")
    expect(public).to_have_attribute("aria-expanded", "false")
    expect(public).to_be_focused()

    open_account_menu(page)
    expect(page.get_by_role("link", name="Administration")).to_be_visible()
    expect(page.get_by_role("link", name="Mon compte")).to_be_visible()
    assert axe(page) == []
    click_and_wait(page.get_by_role("link", name="Mon compte"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")
    logout(page)
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()


@pytest.mark.parametrize("role", ["anonyme", "porteur", "comite", "cheffe"])
def test_the_collapsed_menu_works_at_390_px_without_sideways_scrolling(
    page, live_server, login, axe, people, role
):
    page.set_viewport_size({"width": 390, "height": 844})
    if people[role] is not None:
        login(page, people[role])
    page.goto(f"{live_server.url}/")
    first = EXPECTED[role][0]
    toggler = page.get_by_role("button", name="Ouvrir le menu")
    expect(toggler).to_be_visible()
    expect(page.get_by_role("link", name=first, exact=True).first).to_be_hidden()
    toggler.click()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#menu-principal.show")).to_be_visible()
    assert no_sideways_scroll(page)
    assert axe(page) == []
    if role == "cheffe":
        page.get_by_role("button", name="Site public").click()
        menu = page.locator("#menu-principal")
        click_and_wait(menu.get_by_role("link", name="Chiffres", exact=True))
        expect(page).to_have_url(f"{live_server.url}/chiffres/")
    else:
        click_and_wait(page.locator("#menu-principal").get_by_role("link", name=first).first)
    assert no_sideways_scroll(page)
    if people[role] is not None:
        logout(page)
        expect(page).to_have_url(f"{live_server.url}/")
