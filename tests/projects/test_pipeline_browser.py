"""The team's pipeline in a real Chromium: what it shows at 1366 px, stacked at 390 px without
sideways scrolling, its filters, and axe-core."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from projects.models import Status
from tests.coaching.factories import ReminderFactory
from tests.conftest import click_and_wait
from tests.factories import ProjectFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _short_timeout(page):
    page.set_default_timeout(10_000)


@pytest.fixture
def dossiers(cheffe):
    mine = ProjectFactory(
        title="Épicerie solidaire du Boulonnais au très long titre",
        status=Status.COACHING,
        coach=cheffe,
        last_interaction_on=timezone.localdate() - timedelta(days=3),
    )
    due = datetime.combine(timezone.localdate() + timedelta(days=2), datetime.min.time(), UTC)
    ReminderFactory(project=mine, recipient=cheffe, message="Relire le plan", due_at=due)
    ProjectFactory(title="Atelier vélo", status=Status.CONTACT, coach=None)
    ProjectFactory(title="Boulangerie close", status=Status.CLOSED, coach=cheffe)
    return mine


def test_the_pipeline_shows_the_active_dossiers_and_filters_in_one_click(
    page, live_server, login, axe, cheffe, dossiers
):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, cheffe)
    page.goto(f"{live_server.url}/accompagnement/dossiers/")
    table = page.get_by_role("table")
    expect(table.locator("tbody tr")).to_have_count(2)
    row = table.locator("tbody tr", has_text="Épicerie solidaire")
    expect(row).to_contain_text("Gaëlle Mercier")
    expect(row).to_contain_text("Relire le plan")
    expect(row.get_by_role("link", name=dossiers.title)).to_be_visible()
    expect(table).not_to_contain_text("Boulangerie close")
    # The rarer filters are folded away: the table starts on the first screen.
    expect(table.locator("tbody tr").first).to_be_in_viewport()
    assert axe(page) == []

    click_and_wait(page.get_by_role("link", name="Mes dossiers"))
    expect(table.locator("tbody tr")).to_have_count(1)
    click_and_wait(page.get_by_role("link", name="Tous les statuts"))
    # "Mes dossiers" holds: her two dossiers, the closed one too.
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table).to_contain_text("Boulangerie close")
    assert axe(page) == []

    click_and_wait(row.get_by_role("link", name=dossiers.title))
    expect(page).to_have_url(f"{live_server.url}/accompagnement/dossiers/{dossiers.reference}/")


def test_the_pipeline_reads_as_cards_at_390_px_without_sideways_scrolling(
    page, live_server, login, axe, cheffe, dossiers
):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, cheffe)
    page.goto(f"{live_server.url}/accompagnement/dossiers/?status=tous")
    expect(page.get_by_role("table").locator("tbody tr")).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    row = page.get_by_role("table").locator("tbody tr", has_text="Épicerie solidaire")
    box = row.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert axe(page) == []
