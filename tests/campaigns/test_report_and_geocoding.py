"""The funder's report and its exports; the geocoding task against a fake of the API."""

import io
import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from openpyxl import load_workbook

from campaigns.tasks import geocode_commune, geocode_missing_communes
from projects.models import Commune
from tests.campaigns.factories import CampaignFactory, LabelledProjectFactory
from tests.factories import commune

pytestmark = pytest.mark.django_db

PUBLIC = [
    "/projets/",
    "/carte/",
    "/chiffres/",
    "/donnees/",
    "/donnees/projets.csv",
    "/donnees/projets.json",
]
TEAM_ONLY = [
    "/accompagnement/bilan/",
    "/accompagnement/bilan/export.csv",
    "/accompagnement/bilan/export.xlsx",
]


@pytest.mark.parametrize("url", PUBLIC)
@pytest.mark.parametrize("role", ["anonyme", "porteur", "comite", "cheffe", "admin"])
def test_public_pages_answer_everyone(client, cast, url, role):
    if cast[role] is not None:
        client.force_login(cast[role])
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", TEAM_ONLY)
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonyme", 302),
        ("porteur", 403),
        ("autre_porteur", 403),
        ("comite", 403),
        ("cheffe", 200),
        ("admin", 200),
    ],
)
def test_the_report_is_for_the_team(client, cast, url, role, expected):
    if cast[role] is not None:
        client.force_login(cast[role])
    assert client.get(url).status_code == expected


@pytest.fixture
def report_data(partner_organisation):
    from datetime import date

    CampaignFactory(
        project__title="Indelab",
        project__partner=partner_organisation,
        project__category="digital",
        launched_on=date(2017, 9, 6),
        status="succeeded",
        final_amount=Decimal("5015"),
        final_contributors=90,
    )
    CampaignFactory(
        project__title="Garage solidaire",
        project__partner=None,
        project__category="inclusion",
        launched_on=date(2017, 5, 13),
        status="succeeded",
        final_amount=Decimal("1245"),
        final_contributors=44,
    )
    CampaignFactory(project__title="Hors période", launched_on=date(2018, 1, 1))


def test_the_report_covers_the_chosen_period_with_breakdowns(client, cheffe, report_data):
    client.force_login(cheffe)
    response = client.get("/accompagnement/bilan/", {"start": "2016-10-01", "end": "2017-09-30"})
    page = response.content.decode()
    assert response.context["figures"].launched == 2
    assert "6\xa0260\u00a0€" in page
    assert "Pas-de-Calais Actif" in page
    assert "Sans partenaire" in page
    assert "Numérique" in page and "Insertion et emploi" in page
    assert "Indelab" in page and "Hors période" not in page


def test_the_excel_export_opens_and_reads_back(client, cheffe, report_data):
    client.force_login(cheffe)
    response = client.get(
        "/accompagnement/bilan/export.xlsx", {"start": "2016-10-01", "end": "2017-09-30"}
    )
    assert response["Content-Disposition"].endswith('.xlsx"')
    workbook = load_workbook(io.BytesIO(response.getvalue()))
    assert workbook.sheetnames == ["Chiffres clés", "Par partenaire", "Par catégorie", "Campagnes"]
    figures = {
        row[0]: row[1]
        for row in workbook["Chiffres clés"].iter_rows(values_only=True)
        if row and row[0]
    }
    assert figures["Campagnes lancées"] == 2
    assert figures["Citoyens contributeurs"] == 134
    assert figures["Montant collecté (€)"] == 6260
    campaigns = list(workbook["Campagnes"].iter_rows(values_only=True))
    assert campaigns[0][0] == "Référence"
    assert {row[1] for row in campaigns[1:]} == {"Indelab", "Garage solidaire"}


def test_the_csv_export_lists_the_campaigns(client, cheffe, report_data):
    client.force_login(cheffe)
    text = (
        client.get("/accompagnement/bilan/export.csv", {"start": "2016-10-01", "end": "2017-09-30"})
        .getvalue()
        .decode("utf-8-sig")
    )
    lines = text.strip().splitlines()
    assert lines[0].startswith("Référence;Projet;Commune")
    assert len(lines) == 3


class FakeGeoAPI:
    """A local stand-in for geo.api.gouv.fr: answers 503 `failures` times, then the centre."""

    def __init__(self, failures=0):
        self.failures = failures
        self.requests = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server API
                fake.requests.append(self.path)
                if fake.failures:
                    fake.failures -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                body = json.dumps(
                    {"nom": "Lens", "centre": {"type": "Point", "coordinates": [2.8188, 50.4328]}}
                )
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def fake_api(settings):
    apis = []

    def start(failures=0):
        api = FakeGeoAPI(failures)
        settings.GEO_API_URL = api.url
        apis.append(api)
        return api

    yield start
    for api in apis:
        api.close()


def test_geocoding_places_the_commune(fake_api):
    api = fake_api()
    lens = commune("Lens")
    assert geocode_commune.apply(args=[lens.pk]).get() is True
    lens.refresh_from_db()
    assert (lens.latitude, lens.longitude) == (Decimal("50.43280"), Decimal("2.81880"))
    assert api.requests == [f"/communes/{lens.insee_code}?fields=centre&format=json"]


def test_geocoding_retries_after_a_failure(fake_api, monkeypatch):
    from propulsons.celery import app

    api = fake_api(failures=2)
    lens = commune("Lens")
    # Eagerly, Celery runs the retries at once (a worker would wait between them), provided
    # the retry exception is not propagated.
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    result = geocode_commune.apply(args=[lens.pk])
    assert result.get() is True
    assert len(api.requests) == 3
    lens.refresh_from_db()
    assert lens.latitude == Decimal("50.43280")


def test_a_located_commune_is_not_asked_again(fake_api):
    api = fake_api()
    Commune.objects.filter(name="Lens").update(latitude=Decimal("50.4"), longitude=Decimal("2.8"))
    assert geocode_commune.apply(args=[commune("Lens").pk]).get() is False
    assert api.requests == []


def test_the_hourly_task_queues_only_communes_of_labelled_projects(fake_api):
    fake_api()
    LabelledProjectFactory(commune=commune("Lens"))
    assert geocode_missing_communes.apply().get() == 1
    assert commune("Lens").latitude is not None
    assert commune("Arras").latitude is None
