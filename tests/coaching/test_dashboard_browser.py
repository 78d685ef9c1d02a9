"""The dashboard as the cheffe's to-do, in a real Chromium, clicks and page loads counted.

- Take a new contact: one click, and its callback reminder exists and shows.
- Log the call that answers an overdue reminder: at most three interactions (open "Noter
  l'échange", type a note, save), one page load, and the reminder is closed.
axe-core checks the dashboard with and without an inline form open; at 390 px nothing
scrolls sideways.

Time is never frozen here (the live server runs in other threads): dates are relative to today.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coaching import services
from coaching.models import Interaction, Reminder
from projects.models import Project, Status
from tests.coaching.factories import ReminderFactory
from tests.conftest import click_and_wait
from tests.factories import ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _short_timeout(page):
    page.set_default_timeout(10_000)


def due_today():
    return services.due_moment(timezone.localdate())


class Journey:
    """Counts what the user does (clicks, typing) and the pages the browser loads."""

    def __init__(self, page):
        self.page = page
        self.interactions = 0
        self.loads = 0
        page.on("load", lambda _page: self._loaded())

    def _loaded(self):
        self.loads += 1

    def click(self, target):
        self.interactions += 1
        target.click()

    def click_and_wait(self, target):
        self.interactions += 1
        click_and_wait(target)

    def type(self, text: str):
        self.interactions += 1
        self.page.keyboard.type(text)


def field(scope, label: str):
    """The form control with exactly this label (crispy adds "*" to required fields)."""
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_new_contact_is_taken_in_one_click_with_its_callback(
    page, live_server, login, axe, cheffe
):
    project = ProjectFactory(title="Café des possibles", contact_phone="0321000001")
    # Six days ago: whatever today is, its 2 working days are over, so the callback is today.
    Project.objects.filter(pk=project.pk).update(created_at=timezone.now() - timedelta(days=6))
    login(page, cheffe)
    page.goto(f"{live_server.url}/accompagnement/")
    contacts = page.locator("#nouveaux-contacts")
    expect(contacts).to_contain_text("Café des possibles")
    expect(contacts).to_contain_text("déposé il y a 6 jours")
    expect(contacts.get_by_role("link", name="Appeler le 0321000001")).to_have_attribute(
        "href", "tel:0321000001"
    )
    assert axe(page) == []

    journey = Journey(page)
    journey.click_and_wait(contacts.get_by_role("button", name=re.compile("Je prends ce dossier")))
    assert (journey.interactions, journey.loads) == (1, 1)

    expect(page.get_by_text("Le dossier « Café des possibles » vous est confié")).to_be_visible()
    project.refresh_from_db()
    assert project.coach == cheffe
    reminder = Reminder.objects.get(project=project, kind="new_contact", done_at__isnull=True)
    assert reminder.recipient == cheffe and reminder.due_at == due_today()
    card = page.locator(f"#rappel-{reminder.pk}")
    expect(card).to_contain_text("Café des possibles")
    expect(card).to_contain_text("Aujourd'hui")
    expect(contacts).to_contain_text("Aucun nouveau contact en attente.")
    assert axe(page) == []


def test_a_call_answering_an_overdue_reminder_is_logged_in_three_interactions_and_one_load(
    page, live_server, login, axe, cheffe
):
    project = ProjectFactory(coach=cheffe, status=Status.COACHING, title="Ressourcerie")
    reminder = ReminderFactory(
        recipient=cheffe,
        project=project,
        message="Rappeler la banque",
        due_at=due_today() - timedelta(days=2),
    )
    ReminderFactory(recipient=cheffe, project=project, message="Relire le budget")
    login(page, cheffe)
    page.goto(f"{live_server.url}/accompagnement/")
    card = page.locator(f"#rappel-{reminder.pk}")
    expect(card).to_contain_text("En retard")
    expect(card.get_by_role("link", name=re.compile("^Appeler le"))).to_have_attribute(
        "href", "tel:+33321000000"
    )

    journey = Journey(page)
    journey.click(card.locator("summary", has_text="Noter l'échange"))
    notes = field(card, "Notes internes")
    expect(notes).to_be_focused()
    # Prefilled from the reminder: a phone call, today, 15 minutes.
    expect(field(card, "Type d'échange")).to_have_value("phone")
    expect(field(card, "Date")).to_have_value(f"{timezone.localdate():%Y-%m-%d}")
    expect(field(card, "Durée (minutes)")).to_have_value("15")
    assert axe(page) == []  # the inline form open
    journey.type("La banque accorde le prêt.")
    journey.click_and_wait(card.get_by_role("button", name="Enregistrer et clore le rappel"))
    assert (journey.interactions, journey.loads) == (3, 1)

    expect(page.get_by_text("« Rappeler la banque » est clos.")).to_be_visible()
    expect(page.locator(f"#rappel-{reminder.pk}")).to_have_count(0)
    expect(page.locator("ul.reminders > li")).to_have_count(1)
    reminder.refresh_from_db()
    assert reminder.done_at is not None
    interaction = Interaction.objects.get(project=project)
    assert (interaction.kind, interaction.author, interaction.duration_minutes) == (
        "phone",
        cheffe,
        15,
    )
    assert interaction.internal_notes == "La banque accorde le prêt."
    assert axe(page) == []


def test_plus_one_day_is_one_click_and_the_phone_dashboard_never_scrolls_sideways(
    page, live_server, login, axe, cheffe
):
    project = ProjectFactory(coach=cheffe, status=Status.COACHING, title="Atelier vélo solidaire")
    reminder = ReminderFactory(
        recipient=cheffe,
        project=project,
        message="Envoyer le modèle de page de campagne au porteur",
        due_at=due_today() - timedelta(days=1),
    )
    ProjectFactory(title="Une épicerie coopérative au centre-bourg")
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, cheffe)
    page.goto(f"{live_server.url}/accompagnement/")
    card = page.locator(f"#rappel-{reminder.pk}")
    assert no_horizontal_scroll(page)
    card.locator("summary", has_text="Noter l'échange").click()
    expect(field(card, "Notes internes")).to_be_visible()
    card.locator("summary", has_text="Autre date").click()
    expect(card.get_by_label("Reporter au")).to_be_visible()
    assert no_horizontal_scroll(page)
    assert axe(page) == []

    journey = Journey(page)
    journey.click_and_wait(card.get_by_role("button", name=re.compile(r"^\+1 jour")))
    assert (journey.interactions, journey.loads) == (1, 1)
    tomorrow = timezone.localdate() + timedelta(days=1)
    expect(page.get_by_text(f"Rappel reporté au {tomorrow:%d/%m/%Y}.")).to_be_visible()
    reminder.refresh_from_db()
    assert reminder.due_at == services.due_moment(tomorrow) and reminder.done_at is None
    assert no_horizontal_scroll(page)
