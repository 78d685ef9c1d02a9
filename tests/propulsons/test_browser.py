"""The foundation in a real Chromium: the home page, logging in as each role, axe-core."""

import pytest

from tests.conftest import click_and_wait, logout, open_account_menu
from tests.factories import CommitteeMemberFactory, OrganisationFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_a_visitor_reads_the_home_page_and_each_role_logs_in(page, live_server, login):
    page.goto(live_server.url)
    assert page.locator("h1").inner_text().startswith("Propulsons!")
    assert page.locator("main").get_by_role("link", name="Déposer un projet").is_visible()

    organisation = OrganisationFactory(slug="organisation-test")
    # Each role lands where its work is: the porteur's space, the committee, the dashboard.
    users = [
        (UserFactory(email="p@example.org"), "/espace/", "Mon espace"),
        (UserFactory(email="c@example.org", role="cheffe"), "/accompagnement/", "tableau de bord"),
        (
            CommitteeMemberFactory(email="m@example.org", organisation=organisation),
            "/comite/",
            "Comité de labellisation",
        ),
        (UserFactory(email="a@example.org", role="admin"), "/accompagnement/", "tableau de bord"),
    ]
    for user, landing, heading in users:
        login(page, user)
        assert page.url == f"{live_server.url}{landing}"
        assert heading in page.locator("h1").inner_text()
        # "Administration" sits in the account menu, for the team only.
        open_account_menu(page)
        has_admin_link = page.get_by_role("link", name="Administration").count() > 0
        assert has_admin_link == user.is_team
        logout(page)
        page.wait_for_url(f"{live_server.url}/")


def test_the_skip_link_is_the_first_stop_of_the_keyboard(page, live_server):
    page.goto(live_server.url)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Aller au contenu"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"


PUBLIC_PAGES = [
    "/",
    "/mentions-legales/",
    "/compte/connexion/",
    "/compte/mot-de-passe/oubli/",
    "/compte/mot-de-passe/oubli/envoye/",
    "/compte/mot-de-passe/nouveau/MQ/jeton-invalide/",
]
ACCOUNT_PAGES = ["/compte/", "/compte/mot-de-passe/", "/compte/mot-de-passe/modifie/"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_have_no_accessibility_violation(page, live_server, axe, path):
    page.goto(f"{live_server.url}{path}")
    assert axe(page) == []


def test_pages_with_errors_and_account_pages_have_no_accessibility_violation(
    page, live_server, axe, login
):
    page.goto(f"{live_server.url}/compte/connexion/")
    click_and_wait(page.get_by_role("button", name="Se connecter"))
    assert axe(page) == []

    user = UserFactory(email="axe@example.org")
    login(page, user)
    for path in ACCOUNT_PAGES:
        page.goto(f"{live_server.url}{path}")
        assert axe(page) == [], path
    page.goto(f"{live_server.url}/compte/mot-de-passe/")
    click_and_wait(page.get_by_role("button", name="Enregistrer le nouveau mot de passe"))
    assert axe(page) == []
    # The page is also readable on a phone.
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server.url)
    assert axe(page) == []
