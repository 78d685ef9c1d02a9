"""HTML and JSON answers are gzip-compressed when the client accepts it (propulsons.middleware.
TextGZipMiddleware): never twice, never a binary file, never a tiny answer, and always with
`Vary: Accept-Encoding` so a shared cache keeps the two versions apart."""

import gzip

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from propulsons.middleware import TextGZipMiddleware
from tests.campaigns.factories import CampaignFactory

pytestmark = pytest.mark.django_db

GZIP = {"accept-encoding": "gzip, deflate, br"}


@pytest.fixture
def catalogue():
    CampaignFactory(project__title="Atelier vélo de Lens")
    return "/projets/"


def test_a_page_is_compressed_when_the_client_accepts_gzip(client, catalogue):
    plain = client.get(catalogue)
    response = client.get(catalogue, headers=GZIP)
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert int(response["Content-Length"]) == len(response.content) < len(plain.content) / 3
    assert gzip.decompress(response.content).decode() == plain.content.decode()


def test_a_page_is_sent_plain_to_a_client_that_does_not_accept_gzip(client, catalogue):
    response = client.get(catalogue)
    assert not response.has_header("Content-Encoding")
    # A shared cache must not hand this plain copy to a client that asked for gzip, nor the
    # reverse.
    assert "Accept-Encoding" in response["Vary"]
    assert "Atelier vélo de Lens" in response.content.decode()


def test_a_logged_in_page_and_a_json_document_are_compressed(client, cheffe):
    client.force_login(cheffe)
    page = client.get("/accompagnement/", headers=GZIP)
    assert page["Content-Encoding"] == "gzip"
    assert "Mon tableau de bord" in gzip.decompress(page.content).decode()
    schema = client.get("/donnees/schema.json", headers=GZIP)
    assert schema["Content-Type"].startswith("application/json")
    assert schema["Content-Encoding"] == "gzip"


def test_an_export_compressed_by_its_view_is_not_compressed_twice(client, cheffe, catalogue):
    client.force_login(cheffe)
    for url in ("/donnees/projets.csv", "/accompagnement/bilan/export.csv?start=2015-11-01"):
        response = client.get(url, headers=GZIP)
        assert response["Content-Encoding"] == "gzip"
        body = gzip.decompress(response.getvalue())
        assert body.startswith("\ufeff".encode()), url  # the CSV itself, not a second gzip


def test_binary_and_tiny_answers_are_left_alone():
    request = RequestFactory().get("/", headers=GZIP)
    middleware = TextGZipMiddleware(lambda request: None)
    image = HttpResponse(b"\xff\xd8" * 5000, content_type="image/jpeg")
    assert not middleware.process_response(request, image).has_header("Content-Encoding")
    tiny = HttpResponse(b'{"ok":true}', content_type="application/json")
    assert not middleware.process_response(request, tiny).has_header("Content-Encoding")
    html = HttpResponse(b"<p>Propulsons!</p>" * 50, content_type="text/html; charset=utf-8")
    assert middleware.process_response(request, html)["Content-Encoding"] == "gzip"


def test_static_files_never_reach_the_gzip_middleware(settings):
    """whitenoise answers a static file above the gzip middleware, with its own pre-compressed
    copy (.gz or .br, made by collectstatic): never compressed again at each request. The
    middleware sits above every other that reads or writes the body."""
    order = settings.MIDDLEWARE
    gzip_at = order.index("propulsons.middleware.TextGZipMiddleware")
    assert order.index("whitenoise.middleware.WhiteNoiseMiddleware") == gzip_at - 1
    assert order.index("django.middleware.security.SecurityMiddleware") < gzip_at
