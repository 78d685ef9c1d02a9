"""The porteur's message round trip in a real Chromium: from their space, one click to the
message form; the cheffe sees the message on her dashboard with its unread count, opens the
dossier and replies; the porteur reads the reply. axe-core on every page touched."""

import pytest
from playwright.sync_api import expect

from coaching.models import CoachSettings
from projects.models import DossierMessage, Status
from tests.conftest import click_and_wait, logout
from tests.factories import ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _short_timeout(page):
    page.set_default_timeout(15_000)


def test_the_porteur_writes_the_cheffe_reads_on_her_dashboard_and_replies(
    page, live_server, login, axe, porteur, cheffe
):
    project = ProjectFactory(
        owner=porteur, contact_email=porteur.email, coach=cheffe, status=Status.COACHING
    )
    CoachSettings.objects.create(user=cheffe, daily_digest=False)
    page.set_viewport_size({"width": 1366, "height": 768})

    # The porteur: from their space, one click to the form.
    login(page, porteur)
    page.goto(f"{live_server.url}/espace/")
    assert axe(page) == []
    clicks = 0
    click_and_wait(page.get_by_role("link", name="Écrire à votre cheffe de projet"))
    clicks += 1
    assert clicks == 1
    assert page.url.endswith(f"/espace/dossiers/{project.reference}/#ecrire")
    body = page.get_by_label("Votre message")
    expect(body).to_be_visible()
    assert axe(page) == []
    # From the dossier page too, the card's link leads to the form on the same page.
    page.get_by_role("link", name="Écrire à votre cheffe de projet").click()
    expect(body).to_be_in_viewport()

    # An empty message: the error next to the field, the chosen object kept.
    page.get_by_label("Objet").select_option("press")
    click_and_wait(page.get_by_role("button", name="Envoyer"))
    expect(page.get_by_text("Écrivez votre message.")).to_be_visible()
    expect(page.get_by_label("Objet")).to_have_value("press")
    assert axe(page) == []
    page.get_by_label("Votre message").fill("La Voix du Nord veut parler du projet.")
    click_and_wait(page.get_by_role("button", name="Envoyer"))
    expect(page.get_by_text("Votre message est envoyé.")).to_be_visible()
    thread = page.locator("#messages")
    expect(thread.get_by_text("La Voix du Nord veut parler du projet.")).to_be_visible()
    expect(thread.get_by_text("Demande en attente de réponse.")).to_be_visible()
    assert DossierMessage.objects.get().kind == "press"
    logout(page)

    # The cheffe: the message at the top of her dashboard, with its count.
    login(page, cheffe)
    page.goto(f"{live_server.url}/accompagnement/")
    block = page.locator("#messages-porteurs")
    expect(block.get_by_text("1 non lu")).to_be_visible()
    expect(block.get_by_text("La Voix du Nord veut parler du projet.")).to_be_visible()
    assert axe(page) == []
    click_and_wait(block.get_by_role("link", name=project.title))
    thread = page.locator("#messages")
    expect(thread.get_by_text("La Voix du Nord veut parler du projet.")).to_be_visible()
    page.get_by_label("En réponse à la demande").select_option(index=1)
    page.get_by_label("Votre réponse au porteur").fill("Je vous appelle pour préparer l'entretien.")
    assert axe(page) == []
    click_and_wait(page.get_by_role("button", name="Envoyer"))
    expect(
        page.locator("#messages").get_by_text("Je vous appelle pour préparer l'entretien.")
    ).to_be_visible()
    expect(page.locator("#messages").get_by_text("Demande traitée le", exact=False)).to_be_visible()
    page.goto(f"{live_server.url}/accompagnement/")
    expect(
        page.locator("#messages-porteurs").get_by_text("Aucun message à lire ni demande à traiter.")
    ).to_be_visible()
    logout(page)

    # The porteur: the reply counted on their space, then read on the dossier.
    login(page, porteur)
    page.goto(f"{live_server.url}/espace/")
    expect(page.get_by_text("1 message non lu")).to_be_visible()
    click_and_wait(page.get_by_text("1 message non lu"))
    expect(
        page.locator("#messages").get_by_text("Je vous appelle pour préparer l'entretien.")
    ).to_be_visible()
    page.goto(f"{live_server.url}/espace/")
    expect(page.get_by_text("1 message non lu")).to_have_count(0)
