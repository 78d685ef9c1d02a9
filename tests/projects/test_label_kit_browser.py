"""The label kit in a real Chromium: a labelled porteur downloads the badge, copies the snippet
and opens the verification page; axe-core checks the kit, the space, the pending dossiers and
the verification page, at a desktop and a phone width (no sideways scroll)."""

import io
import os
from datetime import date
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image

from accounts.models import User
from projects.models import Status
from tests.conftest import click_and_wait
from tests.factories import ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Screenshots to look at by hand: LABEL_KIT_SCREENSHOTS=/some/folder.
SCREENSHOTS = os.environ.get("LABEL_KIT_SCREENSHOTS")


@pytest.fixture(autouse=True)
def _short_timeout(page):
    page.set_default_timeout(10_000)


def _no_sideways_scroll(page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url}: {overflow}px of sideways scroll"


def _shoot(page, name: str, element=None) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        path = f"{SCREENSHOTS}/{name}.png"
        if element is not None:
            element.screenshot(path=path)
        else:
            page.screenshot(path=path, full_page=True)


def test_a_labelled_porteur_downloads_the_badge_copies_the_snippet_and_verifies(
    page, context, live_server, login, axe, porteur
):
    project = ProjectFactory(
        owner=porteur,
        status=Status.CAMPAIGN_RUNNING,
        title="Café-librairie Les Mots Dits",
        structure_name="SARL Les Mots Dits",
        label_number="PS-2026-07",
        labelled_on=date(2026, 3, 12),
        publish_agreed=True,
    )
    User.objects.filter(pk=porteur.pk).update(email_verified_at=timezone.now())
    ProjectFactory(owner=None, contact_email=porteur.email, title="Un dossier à rattacher")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    login(page, porteur)

    page.goto(f"{live_server.url}/espace/")
    assert page.get_by_text("Labellisé — label n° PS-2026-07").is_visible()
    assert page.get_by_role("button", name="Rattacher ce dossier à mon compte").is_visible()
    assert axe(page) == []
    _shoot(page, "space-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    _no_sideways_scroll(page)
    _shoot(page, "space-390")
    page.set_viewport_size({"width": 1366, "height": 768})

    click_and_wait(page.get_by_role("link", name="Kit du label"))
    kit = page.locator("#kit-du-label")
    kit.scroll_into_view_if_needed()
    assert axe(page) == []

    with page.expect_download() as svg_download:
        kit.get_by_role("link", name="Télécharger le badge (SVG)").click()
    assert svg_download.value.suggested_filename == "label-propulsons-PS-2026-07.svg"
    assert "PS-2026-07" in Path(svg_download.value.path()).read_text()
    with page.expect_download() as png_download:
        kit.get_by_role("link", name="Télécharger le badge (PNG)").click()
    assert png_download.value.suggested_filename == "label-propulsons-PS-2026-07.png"
    assert Image.open(io.BytesIO(Path(png_download.value.path()).read_bytes())).format == "PNG"

    kit.get_by_role("button", name="Copier le code").click()
    kit.get_by_text("Code copié.").wait_for()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert (
        copied == kit.get_by_label("Code HTML à coller sur la page de votre campagne").input_value()
    )
    assert "/label/PS-2026-07/" in copied and "/label/PS-2026-07/badge.png" in copied

    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        _no_sideways_scroll(page)
        _shoot(page, f"kit-{width}", kit)

    click_and_wait(kit.get_by_role("link", name="Voir la page de vérification"))
    assert page.url == f"{live_server.url}/label/PS-2026-07/"
    assert page.get_by_text("Ce label est valide.").is_visible()
    assert page.get_by_text("Café-librairie Les Mots Dits").is_visible()
    assert axe(page) == []
    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        _no_sideways_scroll(page)
        _shoot(page, f"verification-{width}")
    assert page.get_by_role("link", name="Voir la page du projet").get_attribute("href") == (
        f"/projets/{project.slug}/"
    )


def test_the_invalid_label_page_is_accessible(page, live_server, axe):
    page.goto(f"{live_server.url}/label/PS-1999-01/")
    assert page.get_by_role("heading", name="Ce label n'est pas valide").is_visible()
    assert axe(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    _no_sideways_scroll(page)
    _shoot(page, "invalid-390")
