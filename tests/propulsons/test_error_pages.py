"""With DEBUG off, the error pages are French pages in the site's layout."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


@pytest.fixture
def web(client):
    client.raise_request_exception = False
    return client


def assert_site_layout(page: str, settings) -> None:
    assert '<html lang="fr">' in page
    assert "Aller au contenu" in page
    assert settings.TEAM_EMAIL in page
    assert "Mentions légales et données personnelles" in page


def test_the_404_page_is_french_in_the_site_layout(web, settings):
    response = web.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page introuvable" in page
    assert "Not Found" not in page
    assert_site_layout(page, settings)


def test_the_404_page_keeps_the_logged_in_header(web, porteur):
    web.force_login(porteur)
    page = web.get("/cette-page-n-existe-pas/").content.decode()
    assert "Mon compte" in page
    assert "Se déconnecter" in page


def test_the_403_page_is_french(web, porteur, settings):
    web.force_login(porteur)
    response = web.get("/accompagnement/dossiers/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Accès refusé" in page
    assert "Forbidden" not in page
    assert_site_layout(page, settings)


def test_the_400_page_is_french(web, settings):
    response = web.get("/projets/?q=%00")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Requête invalide" in page
    assert "Bad Request" not in page
    assert_site_layout(page, settings)


def test_the_csrf_failure_page_is_french(porteur, settings):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(porteur)
    response = browser.post("/espace/effacement/", {"message": "Effacez tout."})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Le formulaire a expiré" in page
    assert "CSRF" not in page
    assert_site_layout(page, settings)


def test_the_500_page_renders_while_the_database_is_down(web, porteur, settings):
    # Logged in: rendering the page with the session would need the database too.
    web.force_login(porteur)
    down = OperationalError("the database does not answer")
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=down):
        response = web.get("/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Le site a rencontré une erreur" in page
    assert "Server Error" not in page
    assert_site_layout(page, settings)
