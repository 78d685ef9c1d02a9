"""The Atom feed of labelled campaigns as they go live."""

import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

import pytest

from tests.campaigns.factories import CampaignFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(client) -> list[ET.Element]:
    response = client.get("/projets/campagnes.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content).findall(f"{ATOM}entry")


def test_the_feed_lists_launched_public_campaigns_newest_first(client):
    older = CampaignFactory(project__title="Atelier vélo de Lens", launched_on=date(2026, 10, 1))
    newer = CampaignFactory(
        project__title="Ferme de Berck",
        launched_on=date(2026, 11, 15),
        goal=Decimal("12500"),
        ends_on=date(2026, 12, 20),
    )
    CampaignFactory(project__title="Pas encore lancée", launched_on=None, status="preparing")
    CampaignFactory(project__title="Projet non publié", project__publish_agreed=False)

    found = entries(client)

    titles = [entry.findtext(f"{ATOM}title") for entry in found]
    assert titles == ["Ferme de Berck, sur Ulule", "Atelier vélo de Lens, sur Ulule"]
    summary = found[0].findtext(f"{ATOM}summary")
    assert "Objectif\u00a0: 12\u00a0500\u00a0€" in summary and "20 décembre 2026" in summary
    link = found[0].find(f"{ATOM}link").get("href")
    assert link == f"http://testserver/projets/{newer.project.slug}/"
    assert found[0].findtext(f"{ATOM}id") == f"propulsons:campagne:{newer.pk}"
    assert found[1].findtext(f"{ATOM}id") == f"propulsons:campagne:{older.pk}"
    assert found[0].findtext(f"{ATOM}published").startswith("2026-11-15T00:00:00+01:00")


def test_the_catalogue_links_the_feed(client):
    page = client.get("/projets/").content.decode()
    assert 'type="application/atom+xml"' in page
    assert 'href="/projets/campagnes.atom"' in page


def test_the_feed_uses_a_constant_number_of_queries(client, django_assert_max_num_queries):
    for number in range(5):
        CampaignFactory(project__title=f"Projet {number}")
    with django_assert_max_num_queries(2):
        assert len(entries(client)) == 5
