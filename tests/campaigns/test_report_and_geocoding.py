"""The funder's report and its exports; the geocoding task against a fake of the API."""

import io
import json
import threading
import zipfile
from datetime import datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from accounts.models import Organisation
from campaigns.models import Campaign
from campaigns.tasks import geocode_commune, geocode_missing_communes
from campaigns.views.report import REPORT_COLUMNS
from projects.models import Commune, Project
from tests.campaigns.factories import CampaignFactory, LabelledProjectFactory
from tests.factories import ProjectFactory, commune

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


def test_the_excel_export_keeps_types_dates_and_layout(client, cheffe, report_data):
    client.force_login(cheffe)
    response = client.get(
        "/accompagnement/bilan/export.xlsx", {"start": "2016-10-01", "end": "2017-09-30"}
    )
    body = response.getvalue()
    # Written in constant memory: each row goes to a temporary file as it comes, its texts
    # inline, with no table of every text kept until the end.
    assert "xl/sharedStrings.xml" not in zipfile.ZipFile(io.BytesIO(body)).namelist()
    workbook = load_workbook(io.BytesIO(body))
    sheet = workbook["Campagnes"]
    header, garage, indelab = sheet.iter_rows(max_row=3)
    assert [cell.value for cell in header] == REPORT_COLUMNS
    assert all(cell.font.b for cell in header)
    assert sheet.column_dimensions["B"].width > 30  # the project's title
    garage = {column: cell for column, cell in zip(REPORT_COLUMNS, garage, strict=True)}
    assert garage["Projet"].value == "Garage solidaire"
    assert garage["Partenaire"].value is None
    assert garage["Catégorie"].value == "Insertion et emploi"
    assert garage["Plateforme"].value == "Ulule"
    assert garage["Statut"].value == "Réussie"
    # Dates are dates for the spreadsheet (sortable, filterable), shown as before.
    assert garage["Lancée le"].value == datetime(2017, 5, 13)
    assert garage["Lancée le"].number_format == "yyyy-mm-dd"
    # Amounts and counts are numbers.
    assert (garage["Objectif (€)"].value, garage["Collecté (€)"].value) == (5000, 1245)
    assert garage["Contributeurs"].value == 44
    assert not garage["Emplois créés"].font.b
    assert indelab[1].value == "Indelab" and indelab[3].value == "Pas-de-Calais Actif"
    figures = list(workbook["Chiffres clés"].iter_rows(values_only=True))
    assert figures[0] == ("Période", "du 01/10/2016 au 30/09/2017", None)
    assert figures[7] == ("Entonnoir", "Nombre", "% des prises de contact")
    partners = list(workbook["Par partenaire"].iter_rows(values_only=True))
    assert sorted(partners[1:]) == [
        ("Pas-de-Calais Actif", 0, 1, 5015, 90),  # contacts: created today
        ("Sans partenaire", 0, 1, 1245, 44),
    ]
    categories = list(workbook["Par catégorie"].iter_rows(values_only=True))
    assert sorted(categories[1:]) == [
        ("Insertion et emploi", 1, 1245, 44),
        ("Numérique", 1, 5015, 90),
    ]


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


PERIOD = {"start": "2016-10-01", "end": "2017-09-30"}


def spreadsheet(client, period=PERIOD) -> bytes:
    return client.get("/accompagnement/bilan/export.xlsx", period).getvalue()


def cells(content: bytes, sheet: str) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content))[sheet].iter_rows(values_only=True))


@pytest.fixture
def builds(monkeypatch):
    """The spreadsheets built (not served from the cache), from an empty cache."""
    from django.core.cache import cache

    from campaigns.views import report

    cache.clear()
    built = []
    write = report._write_report_xlsx

    def counted(*args, **kwargs):
        built.append(args)
        return write(*args, **kwargs)

    monkeypatch.setattr(report, "_write_report_xlsx", counted)
    yield built
    cache.clear()


def test_the_same_spreadsheet_is_built_once(client, cheffe, report_data, builds):
    client.force_login(cheffe)
    first = spreadsheet(client)
    assert spreadsheet(client) == first
    assert len(builds) == 1
    # Another period is another file.
    other = spreadsheet(client, {"start": "2017-10-01", "end": "2018-09-30"})
    assert len(builds) == 2
    assert {row[1] for row in cells(other, "Campagnes")[1:]} == {"Hors période"}


def _rename_project(campaign):
    Project.objects.filter(pk=campaign.project_id).update(title="Indelab rebaptisé")


def _collect_more(campaign):
    Campaign.objects.filter(pk=campaign.pk).update(final_amount=Decimal("6015"))


def _rename_partner(campaign):
    Organisation.objects.filter(pk=campaign.project.partner_id).update(name="Actif renommé")


def _new_contact(campaign):
    contact = ProjectFactory(partner=campaign.project.partner)
    in_the_period = datetime(2017, 1, 10, 10, tzinfo=ZoneInfo("Europe/Paris"))
    Project.objects.filter(pk=contact.pk).update(created_at=in_the_period)


@pytest.mark.parametrize(
    ("change", "sheet", "shown"),
    [
        (_rename_project, "Campagnes", lambda row: row[1] == "Indelab rebaptisé"),
        (_collect_more, "Chiffres clés", lambda row: row[:2] == ("Montant collecté (€)", 7260)),
        (_rename_partner, "Par partenaire", lambda row: row[0] == "Actif renommé"),
        # Its contacts: the dossiers created in the period.
        (
            _new_contact,
            "Par partenaire",
            lambda row: row == ("Pas-de-Calais Actif", 1, 1, 5015, 90),
        ),
    ],
)
def test_the_spreadsheet_is_built_again_when_a_value_it_holds_changes(
    client, cheffe, report_data, builds, change, sheet, shown
):
    """Changed behind the services' back (QuerySet.update, as a fix in SQL would be): the
    kept file is keyed by what it holds, so the next one shows the change."""
    client.force_login(cheffe)
    before = spreadsheet(client)
    change(Campaign.objects.select_related("project").get(project__title="Indelab"))
    after = spreadsheet(client)
    assert len(builds) == 2
    assert any(shown(row) for row in cells(after, sheet))
    assert not any(shown(row) for row in cells(before, sheet))


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
