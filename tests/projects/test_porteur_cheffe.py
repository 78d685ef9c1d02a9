"""The porteur reaches their cheffe de projet from their space and from each dossier: her name,
her phone as a tel: link, her email; the team's address until a cheffe is named."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def gaelle():
    return UserFactory(
        email="gaelle.mercier@propulsons.org",
        role="cheffe",
        first_name="Gaëlle",
        last_name="Mercier",
        phone="03 21 00 00 01",
    )


def test_the_space_and_the_dossier_name_the_cheffe_with_her_phone_and_email(
    client, porteur, gaelle
):
    project = ProjectFactory(owner=porteur, coach=gaelle)
    client.force_login(porteur)
    for url in ("/espace/", f"/espace/dossiers/{project.reference}/"):
        page = client.get(url).content.decode()
        assert "Votre cheffe de projet\u00a0:</strong> Gaëlle Mercier" in page, url
        assert '<a href="tel:0321000001">03 21 00 00 01</a>' in page, url
        assert '<a href="mailto:gaelle.mercier@propulsons.org">' in page, url


def test_without_a_cheffe_yet_the_porteur_gets_the_teams_address(client, porteur):
    project = ProjectFactory(owner=porteur, coach=None)
    client.force_login(porteur)
    page = client.get(f"/espace/dossiers/{project.reference}/").content.decode()
    assert "Votre cheffe de projet vous sera présentée très vite" in page
    assert f'<a href="mailto:{settings.TEAM_EMAIL}">' in page


def test_the_space_lists_its_dossiers_cheffes_in_a_constant_number_of_queries(
    client, porteur, gaelle, django_assert_max_num_queries
):
    ProjectFactory(owner=porteur, coach=gaelle)
    client.force_login(porteur)
    with django_assert_max_num_queries(20) as few:
        client.get("/espace/")
    for _ in range(5):
        ProjectFactory(owner=porteur, coach=UserFactory(role="cheffe"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/espace/")


def test_the_space_tab_title_is_plain_text(client, porteur):
    client.force_login(porteur)
    page = client.get("/espace/").content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert title.strip() == "Mon espace — Propulsons!"


def test_no_template_puts_markup_in_the_tab_title():
    """The class of the /espace/ defect: a {% block title %} left open swallowed a section."""
    templates = Path(settings.BASE_DIR, "templates").rglob("*.html")
    for path in templates:
        for title in re.findall(r"{% block title %}(.*?){% endblock", path.read_text(), re.S):
            assert "<" not in title, f"{path}: markup in the title block: {title[:80]!r}"
