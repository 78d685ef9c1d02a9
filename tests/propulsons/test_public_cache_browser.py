"""The public page cache in a real Chromium, with real commits: a visitor who logs in sees
their own menu on a page cached for anonymous visitors, and a consent withdrawn disappears
from the catalogue on the next visit."""

import pytest
from playwright.sync_api import expect

from campaigns import services
from tests.campaigns.factories import CampaignFactory
from tests.conftest import logout, open_account_menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _page_cache_on(page_cache, page):
    """The page cache on (tests/conftest.py), for the live server too (the same process)."""
    page.set_default_timeout(10_000)


def test_a_cached_catalogue_never_shows_one_visitor_to_another(
    page, live_server, login, porteur, axe
):
    campaign = CampaignFactory(project__title="Atelier vélo de Lens", project__owner=porteur)
    catalogue = f"{live_server.url}/projets/"
    for _ in range(2):  # the second visit is served from the cache
        response = page.goto(catalogue)
        expect(page.get_by_role("link", name="Atelier vélo de Lens")).to_be_visible()
        expect(page.get_by_role("link", name="Se connecter")).to_be_visible()
    assert response.headers.get("x-public-cache") == "hit"
    assert axe(page) == []

    login(page, porteur)
    page.goto(catalogue)
    open_account_menu(page)
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    expect(page.get_by_role("link", name="Se connecter")).to_have_count(0)

    logout(page)
    page.goto(catalogue)
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)

    # A real commit: the next anonymous visit no longer lists the project.
    services.project_set_publication(project=campaign.project, actor=porteur, agreed=False)
    page.goto(catalogue)
    expect(page.get_by_role("link", name="Atelier vélo de Lens")).to_have_count(0)
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()
