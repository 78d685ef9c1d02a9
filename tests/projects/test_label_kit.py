"""The label kit: the porteur's space shows the label number, the dossier page offers the badge
(SVG, PNG) and a snippet, and /label/<number>/ confirms a label publicly (or says it is not
valid), never showing an anonymised dossier's data."""

import io
from datetime import date
from xml.etree import ElementTree

import pytest
from PIL import Image

from projects import label_kit, services
from projects.models import Project, Status
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def labelled(porteur):
    return ProjectFactory(
        owner=porteur,
        status=Status.CAMPAIGN_RUNNING,
        title="Café-librairie Les Mots Dits",
        structure_name="SARL Les Mots Dits",
        label_number="PS-2026-07",
        labelled_on=date(2026, 3, 12),
        publish_agreed=True,
    )


def test_the_space_shows_labelled_with_the_number(client, porteur, labelled):
    client.force_login(porteur)
    page = client.get("/espace/").content.decode()
    assert "label n° PS-2026-07" in page
    assert f"{labelled.get_absolute_url()}#kit-du-label" in page


def test_the_dossier_page_offers_the_kit_with_downloads_and_a_snippet(client, porteur, labelled):
    client.force_login(porteur)
    page = client.get(labelled.get_absolute_url()).content.decode()
    assert "Kit du label" in page
    assert 'href="/label/PS-2026-07/badge.svg?telecharger"' in page
    assert 'href="/label/PS-2026-07/badge.png?telecharger"' in page
    assert 'id="label-snippet"' in page
    # The snippet, escaped once in the textarea, links to the verification page.
    assert "&lt;a href=&quot;http" in page and "/label/PS-2026-07/&quot;" in page
    assert "js/label_kit.js" in page


def test_a_dossier_without_a_label_has_no_kit(client, porteur):
    project = ProjectFactory(owner=porteur, status=Status.COACHING)
    client.force_login(porteur)
    assert "Kit du label" not in client.get(project.get_absolute_url()).content.decode()
    assert "label n°" not in client.get("/espace/").content.decode()


def test_the_verification_page_confirms_the_label_and_the_project(
    client, labelled, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        response = client.get("/label/PS-2026-07/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ce label est valide." in page
    assert "Café-librairie Les Mots Dits" in page
    assert "SARL Les Mots Dits" in page
    assert labelled.commune.name in page
    assert "12 mars 2026" in page
    assert f'href="/projets/{labelled.slug}/"' in page
    assert "private" in response["Cache-Control"]
    # Never the porteur's contact details.
    assert labelled.contact_email not in page
    assert labelled.contact_phone not in page


def test_an_unpublished_project_has_no_link_to_a_public_page(client, labelled):
    Project.objects.filter(pk=labelled.pk).update(publish_agreed=False)
    page = client.get("/label/PS-2026-07/").content.decode()
    assert "Ce label est valide." in page
    assert f"/projets/{labelled.slug}/" not in page


@pytest.mark.parametrize("number", ["PS-2099-99", "inconnu", "%3Cscript%3E"])
def test_an_unknown_number_answers_a_clear_404(client, labelled, number):
    response = client.get(f"/label/{number}/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Ce label n&#x27;est pas valide" in page or "Ce label n'est pas valide" in page
    assert "<script>" not in page
    assert "no-cache" in response["Cache-Control"]


def test_a_withdrawn_label_is_no_longer_valid(client, labelled):
    services.project_set_label(project=labelled, number="", labelled_on=None)
    assert client.get("/label/PS-2026-07/").status_code == 404
    assert client.get("/label/PS-2026-07/badge.png").status_code == 404


def test_an_anonymised_dossier_keeps_its_label_without_personal_data(client, labelled, admin_user):
    services.project_anonymise(project=labelled, actor=admin_user, reason="test")
    response = client.get("/label/PS-2026-07/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ce label est valide." in page
    assert "Les Mots Dits" not in page
    assert "Dossier anonymisé" not in page
    assert "Voir la page du projet" not in page


def test_the_svg_badge_is_well_formed_with_the_number_and_year(client, labelled):
    response = client.get("/label/PS-2026-07/badge.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response["Content-Disposition"].startswith("inline;")
    assert "public" in response["Cache-Control"]
    assert response["Content-Security-Policy"] == "default-src 'none'"
    root = ElementTree.fromstring(response.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = " ".join(root.itertext())
    assert "PS-2026-07" in texts and "2026" in texts
    download = client.get("/label/PS-2026-07/badge.svg?telecharger")
    assert download["Content-Disposition"] == (
        'attachment; filename="label-propulsons-PS-2026-07.svg"'
    )


def test_the_svg_escapes_what_it_shows(labelled):
    labelled.label_number = 'PS-<&">'
    svg = label_kit.badge_svg(labelled)
    root = ElementTree.fromstring(svg.encode())
    assert 'PS-<&">' in " ".join(root.itertext())
    assert "<&" not in svg


def test_the_png_badge_is_a_valid_image(client, labelled):
    response = client.get("/label/PS-2026-07/badge.png?telecharger")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == (
        'attachment; filename="label-propulsons-PS-2026-07.png"'
    )
    image = Image.open(io.BytesIO(response.content))
    image.verify()
    assert image.format == "PNG"
    assert image.size == (label_kit.WIDTH * 2, label_kit.HEIGHT * 2)


def test_an_unknown_badge_format_is_404(client, labelled):
    assert client.get("/label/PS-2026-07/badge.gif").status_code == 404


def test_the_snippet_links_the_badge_to_the_verification_page(labelled, settings):
    snippet = label_kit.snippet(labelled)
    assert snippet.startswith(f'<a href="{settings.SITE_URL}/label/PS-2026-07/"')
    assert f'src="{settings.SITE_URL}/label/PS-2026-07/badge.png"' in snippet
    assert 'alt="Projet labellisé Propulsons! — label n° PS-2026-07"' in snippet


def test_the_badge_and_the_page_are_public_but_the_kit_is_the_owners(
    client, other_porteur, labelled
):
    assert client.get("/label/PS-2026-07/badge.svg").status_code == 200
    client.force_login(other_porteur)
    assert client.get(labelled.get_absolute_url()).status_code == 404


def _glyphless(font, text: str) -> list[str]:
    """The characters of `text` that `font` draws as its "missing glyph" box."""
    from PIL import ImageDraw

    def drawn(character: str) -> bytes:
        image = Image.new("L", (80, 80))
        ImageDraw.Draw(image).text((10, 10), character, font=font, fill=255)
        return image.tobytes()

    missing = drawn("\U0010ffff")
    return [c for c in set(text) if not c.isspace() and drawn(c) == missing]


def test_the_png_font_draws_every_letter_of_the_badge(labelled):
    if not label_kit._font_path("DejaVuSans.ttf"):
        pytest.skip("fonts-dejavu-core is not installed")
    texts = "".join(label_kit.badge_texts(labelled).values())
    assert "é" in texts
    assert _glyphless(label_kit._font(36), texts) == []
    assert _glyphless(label_kit._font(36, bold=True), texts) == []


def test_without_the_font_the_png_drops_the_accents_rather_than_showing_boxes(
    labelled, monkeypatch, tmp_path
):
    label_kit._font_path.cache_clear()
    monkeypatch.setattr(label_kit, "FONT_DIRECTORY", tmp_path)
    try:
        assert label_kit._without_accents("Projet labellisé — n° 7") == "Projet labellise  n° 7"
        image = Image.open(io.BytesIO(label_kit.badge_png(labelled)))
        assert image.format == "PNG"
    finally:
        label_kit._font_path.cache_clear()
