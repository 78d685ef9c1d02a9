"""The team's pipeline: the active dossiers by default, "mes dossiers", and per dossier its
title (the link), commune, status, cheffe, last exchange and next action."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects.models import ACTIVE_STATUSES, Status
from tests.coaching.factories import ReminderFactory
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/accompagnement/dossiers/"


def rows(response) -> list[str]:
    """The text of each row of the table, whitespace collapsed."""
    html = response.content.decode()
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in body.split("<tr>")[1:]]


def titles(response) -> set[str]:
    return {project.title for project in response.context["page"]}


@pytest.fixture
def dossiers(cheffe):
    other = UserFactory(
        email="autre.cheffe@propulsons.org", role="cheffe", first_name="Inès", last_name="Leroy"
    )
    return {
        "mine": ProjectFactory(title="Épicerie solidaire", status=Status.COACHING, coach=cheffe),
        "hers": ProjectFactory(title="Atelier vélo", status=Status.CONTACT, coach=other),
        "nobody": ProjectFactory(title="Café associatif", status=Status.LABELLED, coach=None),
        "closed": ProjectFactory(title="Boulangerie close", status=Status.CLOSED, coach=cheffe),
        "abandoned": ProjectFactory(title="Jardin abandonné", status=Status.ABANDONED),
        "reoriented": ProjectFactory(title="Ferme réorientée", status=Status.REORIENTED),
    }


def test_the_pipeline_lists_the_active_dossiers_by_default(client, cheffe, dossiers):
    client.force_login(cheffe)
    response = client.get(URL)
    assert titles(response) == {"Épicerie solidaire", "Atelier vélo", "Café associatif"}
    page = response.content.decode()
    assert "3 dossiers actifs sur 6 dossiers" in page
    assert "Boulangerie close" not in page


def test_the_other_dossiers_show_on_demand_and_the_counts_stay_right(client, cheffe, dossiers):
    client.force_login(cheffe)
    inactive = client.get(URL, {"status": "inactifs"})
    assert titles(inactive) == {"Boulangerie close", "Jardin abandonné", "Ferme réorientée"}
    everything = client.get(URL, {"status": "tous"})
    assert len(titles(everything)) == 6
    one = client.get(URL, {"status": "abandoned"})
    assert titles(one) == {"Jardin abandonné"}
    # Whatever is shown, each status keeps its count, and the buttons say the totals.
    for response in (client.get(URL), inactive, everything, one):
        counts = {status.value: n for status, n in response.context["status_counts"]}
        assert counts[Status.COACHING] == counts[Status.CLOSED] == counts[Status.ABANDONED] == 1
        assert sum(counts.values()) == 6
        page = " ".join(response.content.decode().split())
        assert re.search(r"Dossiers actifs <span[^>]*>3</span>", page)
        assert re.search(r"Terminés ou arrêtés <span[^>]*>3</span>", page)
        assert re.search(r"Tous les statuts <span[^>]*>6</span>", page)
        assert "quel que soit le statut affiché" in page


def test_mes_dossiers_shows_only_the_cheffes_own(client, cheffe, dossiers):
    client.force_login(cheffe)
    response = client.get(URL, {"mine": "on"})
    assert titles(response) == {"Épicerie solidaire"}
    response = client.get(URL, {"mine": "on", "status": "tous"})
    assert titles(response) == {"Épicerie solidaire", "Boulangerie close"}
    # The counts follow "mes dossiers" too; the toggle link goes back to everyone's.
    counts = {status.value: n for status, n in response.context["status_counts"]}
    assert sum(counts.values()) == 2
    assert "Voir tous les dossiers" in response.content.decode()
    assert "Mes dossiers" in client.get(URL).content.decode()


def test_the_dashboards_unassigned_link_lists_the_dossiers_nobody_took(client, cheffe, dossiers):
    client.force_login(cheffe)
    dashboard = client.get("/accompagnement/").content.decode()
    link = re.search(r'href="([^"]*unassigned=on)">1 dossier actif sans cheffe', dashboard)
    assert link, "the dashboard links its count to the filtered pipeline"
    response = client.get(link.group(1).replace("&amp;", "&"))
    # "Atelier vélo" is hers, "Jardin abandonné" is not active: only the café is nobody's.
    assert titles(response) == {"Café associatif"}
    assert response.context["filters"].cleaned_data["unassigned"] is True


def test_each_row_shows_title_link_commune_status_cheffe_last_exchange_and_next_action(
    client, cheffe, dossiers
):
    mine = dossiers["mine"]
    mine.last_interaction_on = date(2026, 11, 20)
    mine.save(update_fields=["last_interaction_on"])
    today = timezone.localdate()
    soon = datetime.combine(today + timedelta(days=3), datetime.min.time(), tzinfo=UTC)
    later = soon + timedelta(days=10)
    overdue = datetime.combine(today - timedelta(days=2), datetime.min.time(), tzinfo=UTC)
    ReminderFactory(project=mine, message="Envoyer le plan de financement", due_at=later)
    ReminderFactory(project=mine, message="Appeler pour les contreparties", due_at=soon)
    # Done reminders and the committee's vote reminders are not the dossier's next action.
    ReminderFactory(project=mine, message="Déjà fait", due_at=overdue, done_at=timezone.now())
    ReminderFactory(project=mine, kind="committee_vote", message="Voter avant le …", due_at=overdue)
    ReminderFactory(project=dossiers["hers"], message="Rappeler le porteur", due_at=overdue)

    client.force_login(cheffe)
    response = client.get(URL, {"sort": "title"})
    html = response.content.decode()
    link = f'href="/accompagnement/dossiers/{mine.reference}/">Épicerie solidaire</a>'
    assert link in html
    row = next(r for r in rows(response) if r.startswith("Épicerie solidaire"))
    assert mine.reference in row
    assert mine.commune.name in row
    assert "En accompagnement" in row
    assert "Gaëlle Mercier" in row
    assert "20/11/2026" in row
    assert f"Appeler pour les contreparties le {soon:%d/%m/%Y}" in row
    assert "Envoyer le plan" not in row and "Voter" not in row and "Déjà fait" not in row
    late = next(r for r in rows(response) if r.startswith("Atelier vélo"))
    assert "Inès Leroy" in late
    assert f"Rappeler le porteur le {overdue:%d/%m/%Y} — en retard" in late
    nobody = next(r for r in rows(response) if r.startswith("Café associatif"))
    assert "Aucune" in nobody and nobody.endswith("— —")


def test_the_pipeline_query_count_does_not_grow_with_the_dossiers(
    client, cheffe, django_assert_max_num_queries
):
    def add(n):
        for project in ProjectFactory.create_batch(n, status=Status.COACHING, coach=cheffe):
            ReminderFactory(project=project, recipient=cheffe)
            ReminderFactory(project=project, recipient=cheffe, message="Deuxième")

    client.force_login(cheffe)
    add(2)
    with django_assert_max_num_queries(9) as small:
        client.get(URL, {"mine": "on"})
    add(30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(URL, {"mine": "on"})
    assert len(response.context["page"]) == 25
    assert all(project.next_action == "Rappeler le porteur" for project in response.context["page"])


def test_the_active_statuses_are_the_models(client, cheffe):
    """The default scope is the model's ACTIVE_STATUSES, every status counted once."""
    for status in Status:
        ProjectFactory(status=status)
    client.force_login(cheffe)
    response = client.get(URL)
    assert {project.status for project in response.context["page"]} == set(ACTIVE_STATUSES)
    assert len(response.context["active_counts"]) + len(response.context["inactive_counts"]) == len(
        Status
    )


@pytest.mark.parametrize(
    "query",
    [{}, {"status": "inactifs"}, {"status": "tous"}, {"status": "coaching", "q": "Atelier"}],
)
def test_the_pipeline_counts_the_dossiers_once(client, cheffe, query):
    """Narrowed by a filter, one grouped count (by status, COUNT(*): the status index alone
    answers it); otherwise the counts the database keeps (projects/status_counts.py), no count
    at all. The page's total is the sum of the statuses shown, not a second count."""
    for status in Status:
        ProjectFactory.create_batch(2, status=status, title=f"Atelier {status}")
    ProjectFactory(status=Status.COACHING, title="Épicerie")
    client.force_login(cheffe)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, query)
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    kept = [q["sql"] for q in queries.captured_queries if "projects_statuscount" in q["sql"]]
    if "q" in query:
        assert len(counts) == 1 and "COUNT(*)" in counts[0] and not kept, counts
    else:
        assert not counts and len(kept) == 1, counts
    expected = {
        "": 2 * len(ACTIVE_STATUSES) + 1,
        "inactifs": 2 * (len(Status) - len(ACTIVE_STATUSES)),
        "tous": 2 * len(Status) + 1,
        "coaching": 2,
    }[query.get("status", "")]
    assert response.context["page"].paginator.count == expected


def test_the_partners_offered_are_read_once_per_content_version(
    client, cheffe, page_cache, django_capture_on_commit_callbacks
):
    """The partner filter's choices come from the cache until an organisation changes (the
    admin raises the public content version); the partner chosen is still checked."""
    from propulsons.public_cache import public_content_changed
    from tests.factories import OrganisationFactory

    first = OrganisationFactory(name="Initiative Artois")
    client.force_login(cheffe)

    def partners() -> tuple[list[str], int]:
        with CaptureQueriesContext(connection) as queries:
            html = client.get(URL).content.decode()
        select = html.split('name="partner"', 1)[1].split("</select>", 1)[0]
        reads = [q for q in queries.captured_queries if "accounts_organisation" in q["sql"]]
        return re.findall(r"<option[^>]*>([^<]*)</option>", select), len(reads)

    names, reads = partners()
    assert names[0] == "Tous les partenaires" and "Initiative Artois" in names and reads == 1
    assert partners() == (names, 0)
    with django_capture_on_commit_callbacks(execute=True):
        OrganisationFactory(name="France Active Pas-de-Calais")
        public_content_changed()
    names, reads = partners()
    assert "France Active Pas-de-Calais" in names and reads == 1
    chosen = client.get(URL, {"partner": first.pk, "status": "tous"})
    assert chosen.context["filters"].is_valid()
