"""Search boxes: a query of thousands of words becomes a bounded number of SQL conditions."""

import re
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from propulsons.search import MAX_WORD_LENGTH, MAX_WORDS, search_terms
from tests.campaigns.factories import CampaignFactory
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

HUGE_QUERY = " ".join(f"mot{i}" for i in range(2000))


def _like_conditions(queries) -> int:
    return max(len(re.findall(r"\bLIKE\b", q["sql"], flags=re.IGNORECASE)) for q in queries)


def test_search_terms_keep_a_bounded_number_of_bounded_words():
    terms = search_terms(HUGE_QUERY)
    assert terms.shortened and len(terms.words) == MAX_WORDS
    assert terms.words[0] == "mot0"
    long_word = search_terms("x" * 500)
    assert long_word.shortened and long_word.words == ("x" * MAX_WORD_LENGTH,)
    assert search_terms("vélo VÉLO vélo lens") == search_terms("vélo lens")
    assert not search_terms("vélo lens").shortened
    assert not search_terms("   ")


def test_a_huge_catalogue_search_answers_quickly_with_bounded_sql(client):
    CampaignFactory(project__title="Atelier vélo de Lens")
    started = time.monotonic()
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/projets/", {"q": HUGE_QUERY})
    assert response.status_code == 200
    assert time.monotonic() - started < 10
    # Four fields per word, at most MAX_WORDS words.
    assert _like_conditions(captured.captured_queries) <= 4 * MAX_WORDS
    assert max(len(q["sql"]) for q in captured.captured_queries) < 10_000
    page = response.content.decode()
    assert "Votre recherche a été raccourcie" in page
    assert 'id="recherche-raccourcie"' in page


def test_a_short_catalogue_search_still_finds_and_says_nothing(client):
    CampaignFactory(project__title="Atelier vélo de Lens")
    response = client.get("/projets/", {"q": "Atelier Lens"})
    assert [p.title for p in response.context["page"]] == ["Atelier vélo de Lens"]
    assert "Votre recherche a été raccourcie" not in response.content.decode()


def test_a_huge_pipeline_search_answers_with_bounded_sql(client, cheffe):
    ProjectFactory(title="Alpha")
    client.force_login(cheffe)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/accompagnement/dossiers/", {"q": HUGE_QUERY})
    assert response.status_code == 200
    assert _like_conditions(captured.captured_queries) <= 6 * MAX_WORDS
    assert max(len(q["sql"]) for q in captured.captured_queries) < 10_000
    assert "Votre recherche a été raccourcie" in response.content.decode()
    response = client.get("/accompagnement/dossiers/", {"q": "alpha " + "A " * 20})
    assert [p.title for p in response.context["page"]] == ["Alpha"]


def test_the_pipeline_commune_filter_is_bounded(client, cheffe):
    client.force_login(cheffe)
    response = client.get("/accompagnement/dossiers/", {"commune": "x" * 5000})
    assert response.status_code == 200
    assert "100 caractères" in response.content.decode()


def test_a_huge_admin_search_is_bounded_too(client, admin_user):
    client.force_login(admin_user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/admin/coaching/reminder/", {"q": HUGE_QUERY})
    assert response.status_code == 200
    # Three fields per word, at most MAX_WORDS words.
    assert _like_conditions(captured.captured_queries) <= 3 * MAX_WORDS
