"""The project page and the home page in a real Chromium, on the demo data: the video loads
from its host only after the click, the copy button, the contribute button in the first
screen of a phone, the home page's weight, axe-core; and the porteur's presentation form.

Screenshots at 1366×768 and 390×844 go to $SCREENSHOTS_DIR (default /tmp/propulsons-shots).
"""

import gzip
import io
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image
from playwright.sync_api import expect

from campaigns import services
from campaigns.demo import LIVE
from projects.models import Project
from tests.campaigns.factories import CampaignFactory
from tests.conftest import click_and_wait
from tests.factories import commune

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("SCREENSHOTS_DIR", "/tmp/propulsons-shots"))
VIDEO_HOSTS = re.compile(r"youtube|youtu\.be|vimeo|ytimg|googlevideo|doubleclick")
HOME_BUDGET = 150 * 1024
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())
    return Project.objects.get(title=LIVE)


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_the_video_loads_only_after_the_click_and_the_link_copies(
    demo, new_context, live_server, axe
):
    context = new_context(viewport=DESKTOP)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    # No network in tests: the player's address answers an empty page once asked for.
    page.route(VIDEO_HOSTS, lambda route: route.fulfill(body="<p>lecteur</p>"))
    page.goto(f"{live_server.url}/projets/{demo.slug}/")
    page.wait_for_load_state("networkidle")
    assert not [url for url in requested if VIDEO_HOSTS.search(url)]
    assert page.locator("iframe").count() == 0
    assert axe(page) == []
    shoot(page, "projet-1366")

    with page.expect_request(re.compile(r"youtube-nocookie\.com/embed/")):
        page.get_by_role("button", name="Voir la vidéo").click()
    frame = page.locator("iframe")
    expect(frame).to_have_count(1)
    assert frame.get_attribute("src").startswith("https://www.youtube-nocookie.com/embed/")
    assert frame.get_attribute("title") == f"Vidéo du projet {LIVE}"

    page.get_by_role("button", name="Copier le lien").click()
    expect(page.get_by_text("Lien copié.")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.endswith(f"/projets/{demo.slug}/")


def test_the_contribute_button_is_in_the_first_screen_of_a_phone(
    demo, new_context, live_server, axe
):
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    page.goto(f"{live_server.url}/projets/{demo.slug}/")
    button = page.get_by_role("link", name=re.compile(r"^Contribuer sur"))
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], box
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, "projet-390")
    assert axe(page) == []
    # A long title and summary do not push it down either.
    Project.objects.filter(pk=demo.pk).update(
        title="Un titre de projet bien plus long que les autres, sur trois lignes au moins",
        summary="Un résumé de deux phrases qui prend de la place. " * 3,
    )
    page.reload()
    box = page.get_by_role("link", name=re.compile(r"^Contribuer sur")).bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], box


def _transferred(response) -> int:
    """What production transfers for this response: static text compressed (whitenoise serves
    the .gz it made at collectstatic), images and pages as they are."""
    try:
        body = response.body()
    except Exception:  # a redirect or an aborted request has no body
        return 0
    content_type = response.headers.get("content-type", "")
    if "/static/" in response.url and re.search(r"css|javascript|svg|json", content_type):
        return len(gzip.compress(body, compresslevel=9))
    return len(body)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_the_home_page_weighs_at_most_150_kb_with_its_images(
    demo, new_context, live_server, axe, viewport
):
    page = new_context(viewport=viewport).new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(f"{live_server.url}/")
    # Lazy images below the fold count too once the visitor scrolls down.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    page.wait_for_load_state("networkidle")
    images = [response for response in responses if "/couverture/" in response.url]
    assert images, "the demo's covers are on the home page"
    # The cards ask for a small variant, never the 1600 px one.
    assert not [response.url for response in images if response.url.endswith("-1600.webp")]
    total = sum(_transferred(response) for response in responses)
    print(f"home page at {viewport['width']} px: {total} bytes")
    assert total <= HOME_BUDGET, f"{total} bytes: " + ", ".join(
        f"{response.url.rsplit('/', 1)[-1]}={_transferred(response)}" for response in responses
    )
    # The first card's image is eager; the ones below the fold are lazy.
    assert page.locator("img[loading=lazy]").count() >= 2
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, f"accueil-{viewport['width']}")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert axe(page) == []


def _png() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (1000, 560), (200, 80, 40)).save(output, "PNG")
    return output.getvalue()


def test_the_porteur_adds_a_cover_and_news_and_the_description_is_required(
    page, live_server, login, porteur, axe, tmp_path
):
    project = CampaignFactory(project__owner=porteur, project__title="Atelier vélo").project
    login(page, porteur)
    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    click_and_wait(page.get_by_role("link", name="Image, vidéo et nouvelles"))
    image = tmp_path / "couverture.png"
    image.write_bytes(_png())
    page.get_by_label("Image de couverture").set_input_files(str(image))
    click_and_wait(page.get_by_role("button", name="Enregistrer"))
    # The error sits next to the field it is about.
    error = page.locator("#id_cover_alt + .invalid-feedback, #error_1_id_cover_alt")
    expect(error.first).to_contain_text("Décrivez l'image")
    assert axe(page) == []
    page.get_by_label("Image de couverture").set_input_files(str(image))
    page.get_by_label("Description de l'image").fill("Des vélos en réparation")
    click_and_wait(page.get_by_role("button", name="Enregistrer"))
    expect(page.get_by_text("La présentation du projet est enregistrée.")).to_be_visible()
    expect(page.get_by_role("img", name="Des vélos en réparation")).to_be_visible()
    news = page.get_by_role("textbox", name=re.compile(r"^Nouvelle"))
    news.fill("Les premiers vélos sont réparés !")
    click_and_wait(page.get_by_role("button", name="Publier la nouvelle"))
    assert axe(page) == []
    page.goto(f"{live_server.url}/projets/{project.slug}/")
    expect(page.get_by_role("img", name="Des vélos en réparation")).to_be_visible()
    expect(page.get_by_text("Les premiers vélos sont réparés !")).to_be_visible()
    # The browser picks a variant from srcset (the image is 1000 px wide: 480 and 960 made).
    chosen = page.get_by_role("img", name="Des vélos en réparation").evaluate(
        "image => image.currentSrc"
    )
    assert re.search(r"-(480|960)\.webp$", chosen), chosen


def test_a_map_popup_shows_the_project_cover(page, live_server, porteur):
    lens = commune("Lens")
    type(lens).objects.filter(pk=lens.pk).update(
        latitude=Decimal("50.43200"), longitude=Decimal("2.83300")
    )
    project = CampaignFactory(project__owner=porteur, project__commune=lens).project
    services.presentation_update(
        project=project,
        actor=porteur,
        cover=SimpleUploadedFile("couverture.png", _png()),
        cover_alt="Des vélos",
        video_url="",
    )
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    page.goto(f"{live_server.url}/carte/")
    page.locator(".leaflet-marker-icon .map-marker-running").click()
    image = page.locator(".leaflet-popup img")
    expect(image).to_be_visible()
    assert image.get_attribute("src").endswith("-480.webp")
    assert image.evaluate("image => image.naturalWidth") == 480
    expect(page.locator(".leaflet-popup").get_by_role("link", name=project.title)).to_be_visible()
