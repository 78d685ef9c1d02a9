"""The public catalogue, project page, map and open data: what shows, what never shows."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.campaigns.factories import CampaignFactory, LabelledProjectFactory, SnapshotFactory
from tests.factories import ProjectFactory, commune

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue_data():
    running = CampaignFactory(
        project__title="Atelier vélo de Lens",
        project__commune=commune("Lens"),
        project__category="mobility",
        ends_on=timezone.localdate() + timedelta(days=20),
    )
    SnapshotFactory(
        campaign=running,
        amount=Decimal("2500"),
        contributors=40,
        taken_at=datetime(2026, 11, 20, tzinfo=UTC),
    )
    last_stretch = CampaignFactory(
        project__title="Ferme de Berck",
        project__commune=commune("Berck"),
        project__category="food",
        ends_on=timezone.localdate() + timedelta(days=3),
    )
    succeeded = CampaignFactory(
        project__title="Fablab d'Arras",
        project__commune=commune("Arras"),
        project__category="digital",
        status="succeeded",
        final_amount=Decimal("7000"),
        final_contributors=120,
        platform=__import__("campaigns.models", fromlist=["Platform"]).Platform.objects.get(
            slug="helloasso"
        ),
    )
    upcoming = LabelledProjectFactory(
        title="Épicerie de Calais", commune=commune("Calais"), category="food"
    )
    hidden = LabelledProjectFactory(title="Projet non publié", publish_agreed=False)
    not_labelled = ProjectFactory(title="Dossier en accompagnement", publish_agreed=True)
    return locals()


def titles(response):
    return [project.title for project in response.context["page"]]


def test_the_catalogue_shows_published_labelled_projects_only(client, catalogue_data):
    response = client.get("/projets/")
    assert set(titles(response)) == {
        "Atelier vélo de Lens",
        "Ferme de Berck",
        "Fablab d'Arras",
        "Épicerie de Calais",
    }
    page = response.content.decode()
    assert "Projet non publié" not in page and "Dossier en accompagnement" not in page
    for private in ("contact_email", "@example.org", "+3332", "SIRET"):
        assert private not in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "en-cours"}, {"Atelier vélo de Lens", "Ferme de Berck"}),
        ({"status": "derniere-ligne-droite"}, {"Ferme de Berck"}),
        ({"status": "reussie"}, {"Fablab d'Arras"}),
        ({"status": "a-venir"}, {"Épicerie de Calais"}),
        ({"category": "food"}, {"Ferme de Berck", "Épicerie de Calais"}),
        ({"q": "vélo"}, {"Atelier vélo de Lens"}),
        ({"platform": "helloasso"}, {"Fablab d'Arras"}),
        ({"arrondissement": "627"}, {"Atelier vélo de Lens"}),
    ],
)
def test_catalogue_filters(client, catalogue_data, query, expected):
    assert set(titles(client.get("/projets/", query))) == expected


def test_catalogue_filters_by_commune_and_sorts(client, catalogue_data):
    assert titles(client.get("/projets/", {"commune": "berck"})) == ["Ferme de Berck"]
    ordered = titles(client.get("/projets/", {"sort": "collected"}))
    assert ordered[:2] == ["Fablab d'Arras", "Atelier vélo de Lens"]


def test_the_catalogue_paginates_with_a_constant_number_of_queries(
    client, django_assert_max_num_queries
):
    for index in range(30):
        campaign = CampaignFactory(project__title=f"Projet {index:02d}")
        SnapshotFactory(campaign=campaign)
    with django_assert_max_num_queries(8):
        response = client.get("/projets/")
    assert len(response.context["page"]) == 12
    assert "Page 1 sur 3" in response.content.decode()
    with django_assert_max_num_queries(8):
        assert client.get("/carte/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/").status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get("/donnees/projets.json").status_code == 200


def test_the_catalogue_search_finds_each_word_in_the_texts_or_the_commune(client, catalogue_data):
    """Every word must be found, in the title, the summary, the structure's name or the
    commune's name (the communes matched apart, so that PostgreSQL combines the texts'
    trigram indexes with the commune index)."""
    LabelledProjectFactory(
        title="Recyclerie", commune=commune("Lens"), structure_name="Atelier partagé"
    )
    assert set(titles(client.get("/projets/", {"q": "berck"}))) == {"Ferme de Berck"}
    assert set(titles(client.get("/projets/", {"q": "ATELIER lens"}))) == {
        "Atelier vélo de Lens",
        "Recyclerie",
    }
    assert set(titles(client.get("/projets/", {"q": "partagé lens"}))) == {"Recyclerie"}
    assert titles(client.get("/projets/", {"q": "vélo arras"})) == []


def test_the_catalogue_counts_and_lists_its_communes_without_the_campaign_joins(
    client, catalogue_data
):
    """The page's total and its filter choices are whole-set reads: written on the published
    projects alone, PostgreSQL answers them from the catalogue's partial indexes (an index-only
    scan) instead of a scan of every dossier through the campaign and platform joins, which
    the page's own rows need but a count does not."""
    for query in ({}, {"category": "food"}, {"q": "vélo"}, {"status": "en-cours"}):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/projets/", query)
        assert response.status_code == 200
        whole_set = [
            q["sql"]
            for q in queries.captured_queries
            if "COUNT(" in q["sql"] or 'FROM "projects_commune"' in q["sql"]
        ]
        assert len(whole_set) == 2, whole_set  # the total, and the communes with projects
        for sql in whole_set:
            assert "campaigns_platform" not in sql, sql
            # Only a filter on the campaign's state reads the campaign.
            assert ("campaigns_campaign" in sql) == ("status" in query and "COUNT(" in sql), sql


def test_the_project_page_shows_progress_as_text(client, catalogue_data):
    project = catalogue_data["running"].project
    page = client.get(f"/projets/{project.slug}/").content.decode()
    assert "2\xa0500\u00a0€" in page and "5\xa0000\u00a0€" in page
    assert "50\u00a0%" in page
    assert "40 contributeurs" in page
    assert "jours restants" in page
    assert "Contribuer sur Ulule" in page
    assert "Chiffres mis à jour le 20 novembre 2026" in page
    assert project.contact_email not in page


def test_unpublished_or_unlabelled_project_pages_are_404(client, catalogue_data):
    assert client.get(f"/projets/{catalogue_data['hidden'].slug}/").status_code == 404
    assert client.get(f"/projets/{catalogue_data['not_labelled'].slug}/").status_code == 404


def test_the_map_lists_every_project_and_places_those_located(client, catalogue_data):
    from projects.models import Commune

    Commune.objects.filter(name="Lens").update(
        latitude=Decimal("50.4322"), longitude=Decimal("2.8333")
    )
    response = client.get("/carte/")
    page = response.content.decode()
    document = json.loads(client.get("/carte/points.json").content)
    points = [dict(zip(document["fields"], values, strict=True)) for values in document["points"]]
    for point in points:
        point["status_label"] = document["statuses"][point["status"]]
    assert [p["title"] for p in points] == ["Atelier vélo de Lens"]
    assert points[0]["url"] == f"/projets/{catalogue_data['running'].project.slug}/"
    assert 'data-points-url="/carte/points.json"' in page
    assert "pas encore sur la carte" in page and "Fablab d&#x27;Arras" in page
    # The table says each campaign's state, not an internal "on the map" column.
    assert "Sur la carte" not in page
    assert points[0]["status"] == "running" and points[0]["status_label"] == "Campagne en cours"
    assert points[0]["amount"] == "2\u00a0500\u00a0€ collectés sur 5\u00a0000\u00a0€"
    assert "<script>" not in page.replace("<script src=", "")  # no inline script


def test_open_data_csv_and_json_have_documented_columns_and_no_private_field(
    client, catalogue_data
):
    response = client.get("/donnees/projets.csv")
    text = response.getvalue().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert {row["titre"] for row in rows} == {
        "Atelier vélo de Lens",
        "Ferme de Berck",
        "Fablab d'Arras",
        "Épicerie de Calais",
    }
    data = json.loads(client.get("/donnees/projets.json").getvalue())
    assert "Licence Ouverte" in data["licence"]
    assert set(data["colonnes"]) == set(rows[0])
    fablab = next(p for p in data["projets"] if p["titre"] == "Fablab d'Arras")
    # Numbers are JSON numbers, not strings.
    assert (fablab["collecte_eur"], fablab["contributeurs"], fablab["plateforme"]) == (
        7000,
        120,
        "HelloAsso",
    )
    for private in ("@", "+33", "contact", "telephone", "siret"):
        assert private not in json.dumps(data["projets"]).lower().replace("contributeurs", "")
    page = client.get("/donnees/").content.decode()
    assert "collecte_eur" in page and "Licence Ouverte" in page


def test_the_home_page_shows_key_figures_running_campaigns_and_success_stories(
    client, catalogue_data
):
    page = client.get("/").content.decode()
    assert "campagnes lancées" in page
    assert "Les campagnes en cours" in page and "Atelier vélo de Lens" in page
    assert "Ils ont réussi leur campagne" in page and "Fablab d&#x27;Arras" in page


def test_open_data_uses_french_labels_typed_values_and_publishes_its_table_schema(
    client, catalogue_data
):
    schema = json.loads(client.get("/donnees/schema.json").content)
    fields = {field["name"]: field for field in schema["fields"]}
    assert schema["primaryKey"] == "reference" and schema["missingValues"] == [""]
    assert schema["licenses"][0]["name"] == "etalab-2.0"
    assert (fields["collecte_eur"]["type"], fields["contributeurs"]["type"]) == (
        "number",
        "integer",
    )
    assert fields["date_label"]["type"] == "date"
    assert "Don avec contreparties" in fields["type_financement"]["constraints"]["enum"]

    data = json.loads(client.get("/donnees/projets.json").getvalue())
    assert data["schema"] == "http://testserver/donnees/schema.json"
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/donnees/projets.csv").getvalue().decode("utf-8-sig")),
            delimiter=";",
        )
    )
    assert list(rows[0]) == list(fields)  # same columns, same order as the schema
    for row in data["projets"]:
        assert set(row) == set(fields)
        for name, value in row.items():
            field = fields[name]
            if value is None:
                assert not field["constraints"]["required"], name
                continue
            expected = {"number": (int, float), "integer": int}.get(field["type"], str)
            assert isinstance(value, expected) and not isinstance(value, bool), (name, value)
            if "enum" in field["constraints"]:
                # French labels, never the codes stored in the database (donation_rewards…).
                assert value in field["constraints"]["enum"], (name, value)
    for row in rows:
        for name, value in row.items():
            if value and "enum" in fields[name]["constraints"]:
                assert value in fields[name]["constraints"]["enum"], (name, value)
            if value and fields[name]["type"] == "number":
                float(value)  # a decimal point, parseable


def test_open_data_page_describes_each_column_and_links_the_schema(client, catalogue_data):
    page = client.get("/donnees/").content.decode()
    assert "/donnees/schema.json" in page
    assert "nombre entier" in page and "Don avec contreparties" in page
