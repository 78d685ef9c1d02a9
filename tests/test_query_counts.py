"""Every page's SQL queries: at most 15, and the same number when the data grows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from campaigns.selectors import public_projects
from labelling.models import CommitteeSession, LabellingRequest
from projects.models import Project
from propulsons.datagen import generate

pytestmark = pytest.mark.django_db

MAX_QUERIES = 15

PAGES = [
    ("anonyme", "/"),
    ("anonyme", "/projets/"),
    ("anonyme", "/projets/{slug}/"),
    ("anonyme", "/carte/"),
    ("anonyme", "/chiffres/"),
    ("anonyme", "/chiffres/?start=2016-10-01&end=2017-09-30"),
    ("anonyme", "/donnees/"),
    ("anonyme", "/donnees/projets.json"),
    ("anonyme", "/donnees/projets.csv"),
    ("anonyme", "/donnees/schema.json"),
    ("porteur", "/espace/"),
    ("porteur", "/espace/dossiers/{reference}/"),
    ("cheffe", "/accompagnement/"),
    ("cheffe", "/accompagnement/dossiers/"),
    ("cheffe", "/accompagnement/dossiers/?status=coaching&sort=title"),
    ("cheffe", "/accompagnement/dossiers/{reference}/"),
    ("cheffe", "/accompagnement/bilan/"),
    ("cheffe", "/accompagnement/bilan/export.xlsx"),
    ("cheffe", "/accompagnement/e-mails-en-echec/"),
    ("cheffe", "/comite/"),
    ("cheffe", "/comite/seances/{session}/"),
    ("cheffe", "/comite/seances/{session}/proces-verbal/"),
    ("cheffe", "/comite/demandes/{request}/"),
    ("comite", "/comite/"),
    ("comite", "/comite/seances/{session}/"),
    ("comite", "/comite/demandes/{request}/"),
]


def count_queries(client, users, targets):
    counts = {}
    for role, url in PAGES:
        client.logout()
        if role != "anonyme":
            client.force_login(users[role])
        address = url.format(**targets)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(address)
            if response.streaming:  # a streamed export reads its rows as it is sent
                response.getvalue()
        assert response.status_code == 200, address
        counts[(role, url)] = len(queries.captured_queries)
    return counts


def test_page_queries_do_not_grow_with_the_data(client):
    generate(scale=0.6)
    users = {
        "cheffe": User.objects.get(email="cheffe.generee@propulsons.org"),
        "comite": User.objects.filter(email__startswith="membre.genere.").first(),
    }
    # The same porteur, session and request before and after the data grows.
    project = (
        Project.objects.filter(owner__isnull=False, campaigns__isnull=False).order_by("pk").first()
    )
    users["porteur"] = project.owner
    targets = {
        "slug": public_projects().order_by("pk").first().slug,
        "reference": project.reference,
        "session": CommitteeSession.objects.filter(requests__isnull=False).first().pk,
        "request": LabellingRequest.objects.first().pk,
    }
    small = count_queries(client, users, targets)
    generate(scale=2)
    large = count_queries(client, users, targets)
    too_many = {page: n for page, n in large.items() if n > MAX_QUERIES}
    assert too_many == {}, too_many
    grown = {page: (small[page], large[page]) for page in small if small[page] != large[page]}
    assert grown == {}, grown


def test_a_dossier_page_reads_its_campaigns_once(client, cheffe):
    """The campaigns' section reads the dossier's campaigns and their figures; the next step
    (figures waiting for the team) is told from them, not from a second read."""
    from campaigns.models import FigureReview
    from tests.campaigns.factories import SnapshotFactory

    snapshot = SnapshotFactory(review=FigureReview.PENDING, campaign__project__coach=cheffe)
    project = snapshot.campaign.project
    for user, url in (
        (cheffe, f"/accompagnement/dossiers/{project.reference}/"),
        (project.owner, f"/espace/dossiers/{project.reference}/"),
    ):
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        reads = [q for q in queries.captured_queries if 'FROM "campaigns_campaign"' in q["sql"]]
        assert len(reads) == 1, [q["sql"][:120] for q in reads]
        assert len(queries.captured_queries) <= MAX_QUERIES
        if user == project.owner:
            assert (
                "attendent la vérification de votre cheffe de projet" in response.content.decode()
            )


# The public pages as rendered after a change (the page cache off, as in the suite) and the
# porteur's space: their own numbers, so that a query added to one of them shows here.
PINNED = {
    # key figures, running campaigns, successes with a cover, the others, the organisations
    ("anonyme", "/"): 5,
    # communes with published projects, the total, the page's projects, the platforms (with
    # the page cache on, the first, second and fourth are read once per content version)
    ("anonyme", "/projets/"): 4,
    # the project, its curve, its rewards, its news
    ("anonyme", "/projets/{slug}/"): 4,
    # session, user, the dossiers (with those awaiting a claim and the unread messages), their
    # status changes, the facts of their next step (their campaigns, once labelled)
    ("porteur", "/espace/"): 5,
}


def test_the_public_pages_and_the_porteurs_space_keep_their_number_of_queries(
    client, django_assert_max_num_queries
):
    generate(scale=0.6)
    project = (
        Project.objects.filter(owner__isnull=False, campaigns__isnull=False).order_by("pk").first()
    )
    slug = public_projects().order_by("pk").first().slug
    for (role, url), most in PINNED.items():
        client.logout()
        if role == "porteur":
            client.force_login(project.owner)
        with django_assert_max_num_queries(most):
            assert client.get(url.format(slug=slug)).status_code == 200, url
