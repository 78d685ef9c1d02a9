"""The figures page keeps its figures in the cache per public content version: a change made
through any service that moves them shows on the next request, on /chiffres/ (the figures
since the start) as on a period's page, whether the page comes from its cached copy or is
rendered afresh (a query string no copy has) from the cached figures; a rendered page makes no
query; the team's report never reads that cache.

The suite runs with the cache off; the `page_cache` fixture turns it on (tests/conftest.py).
"""

import itertools
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import campaigns.services
import projects.services
from campaigns.models import Platform
from projects.models import Status
from tests.campaigns.factories import CampaignFactory, LabelledProjectFactory, SnapshotFactory
from tests.factories import ProjectFactory, commune, intake_details

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
# The last twelve months: the period's figures count what happens today.
PERIOD = f"/chiffres/?start={TODAY - timedelta(days=365)}&end={TODAY}"

CELL = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>")


def shown(html: str) -> dict:
    """What a figures page says: the key figures since the start and for the period (label →
    value), every table row (its first cell → the others) and the jobs' sentences."""
    text = html.replace("\u00a0", " ").replace("\u202f", " ")
    pairs = re.findall(r'<dt class="fw-normal">([^<]+)</dt><dd[^>]*>([^<]+)</dd>', text)
    rows = {}
    for row in re.findall(r"<tr>(<th scope=\"row\".*?)</tr>", text):
        label, *cells = (re.sub(r"<[^>]+>", "", cell).strip() for cell in CELL.findall(row))
        rows[label] = cells
    return {
        "since_start": dict(pairs[:5]),
        "period": dict(pairs[5:]),
        "rows": rows,
        "jobs": re.findall(r"Emplois déclarés à la fin des campagnes : ([^.]+)\.", text),
    }


@pytest.fixture
def figures(client, page_cache):
    return _reader(client)


def _reader(client):
    """Read the figures page as visitors get it: /chiffres/ and the period's page, each from
    its copy (cached when the content has not changed) and rendered afresh under a query
    string read for the first time; the two must say the same."""
    visits = itertools.count()

    def read() -> dict:
        pages = {}
        for name, url in (("all", "/chiffres/"), ("period", PERIOD)):
            copy = client.get(url)
            fresh = client.get(f"{url}{'&' if '?' in url else '?'}visite={next(visits)}")
            assert copy.status_code == fresh.status_code == 200
            assert "X-Public-Cache" not in fresh.headers
            pages[name] = shown(copy.content.decode())
            assert shown(fresh.content.decode()) == pages[name], url
        # The figures since the start are the same on every period's page.
        assert pages["period"]["since_start"] == pages["all"]["since_start"]
        return pages["period"]

    read()  # the copies and the cached figures are there before the change
    return read


@pytest.fixture
def change(django_capture_on_commit_callbacks):
    """Run a service as a request does: its transaction commits (raising the version)."""

    def run(callback):
        with django_capture_on_commit_callbacks(execute=True):
            return callback()

    return run


def _prepare(project, cheffe):
    return campaigns.services.campaign_create(
        project=project,
        actor=cheffe,
        platform=Platform.objects.get(slug="ulule"),
        financing_type="donation_rewards",
        collection_model="keep_it_all",
        goal=Decimal("5000"),
    )


@pytest.fixture
def running(cheffe, change):
    """A campaign launched today in Lens through the services, with nothing collected yet."""
    project = LabelledProjectFactory(commune=commune("Lens"))
    campaign = change(lambda: _prepare(project, cheffe))
    return change(lambda: campaigns.services.campaign_start(campaign=campaign, actor=cheffe))


def test_a_campaign_launched_then_finished_counts_at_once(client, page_cache, change, cheffe):
    project = LabelledProjectFactory(commune=commune("Lens"))
    figures = _reader(client)
    before = figures()
    assert before["since_start"]["campagnes lancées"] == "0"
    prepared = change(lambda: _prepare(project, cheffe))
    assert figures() == before  # prepared is not launched
    campaign = change(lambda: campaigns.services.campaign_start(campaign=prepared, actor=cheffe))
    launched = figures()
    for block in ("since_start", "period"):
        assert launched[block]["campagnes lancées"] == "1", block
    assert launched["rows"]["Campagnes lancées"][0] == "1"  # the funnel
    assert launched["rows"]["Lens"] == ["1", "1", "0 €"]  # contacts, launched, collected
    change(
        lambda: campaigns.services.campaign_finish(
            campaign=campaign,
            actor=cheffe,
            outcome="succeeded",
            final_amount=Decimal("7654"),
            final_contributors=99,
        )
    )
    finished = figures()
    for block in ("since_start", "period"):
        assert finished[block]["collectés"] == "7 654 €", block
        assert finished[block]["citoyens contributeurs"] == "99", block
        assert finished[block]["de campagnes réussies"] == "100 %", block
    assert finished["rows"]["Campagnes réussies"][0] == "1"
    assert finished["rows"][str(TODAY.year)] == ["1", "1", "100 %", "7 654 €"]
    change(
        lambda: campaigns.services.campaign_record_follow_up(
            campaign=campaign,
            actor=cheffe,
            rewards_delivered="all",
            rewards_delivered_on=None,
            project_carried_out=True,
            jobs_created=12,
            jobs_kept=3,
        )
    )
    assert figures()["jobs"] == ["12 créés par 1 projet, 3 maintenus"] * 2


def test_the_teams_figures_and_an_accepted_declaration_count_at_once(
    figures, change, running, cheffe
):
    change(
        lambda: campaigns.services.snapshot_add(
            campaign=running, actor=cheffe, amount=Decimal("4321"), contributors=77, source="x"
        )
    )
    entered = figures()
    for block in ("since_start", "period"):
        assert entered[block]["collectés"] == "4 321 €", block
        assert entered[block]["citoyens contributeurs"] == "77", block
    assert entered["rows"]["Lens"][2] == "4 321 €"
    # The porteur's declaration waits for the team's check.
    declaration = change(
        lambda: campaigns.services.snapshot_add(
            campaign=running,
            actor=running.project.owner,
            amount=Decimal("4500"),
            contributors=80,
            source="x",
        )
    )
    assert figures() == entered
    change(
        lambda: campaigns.services.snapshot_review(snapshot=declaration, actor=cheffe, accept=True)
    )
    accepted = figures()
    for block in ("since_start", "period"):
        assert accepted[block]["collectés"] == "4 500 €", block


def test_each_step_of_the_funnel_counts_at_once(figures, change, cheffe):
    steps = [
        "Prises de contact",
        "Premiers rendez-vous",
        "Demandes de labellisation",
        "Projets labellisés",
    ]
    assert all(figures()["rows"][step][0] == "0" for step in steps)
    project = change(
        lambda: projects.services.project_submit(details=intake_details(), notify=False)
    )
    contact = figures()
    assert contact["rows"]["Prises de contact"][0] == "1"
    assert contact["rows"]["Lens"][0] == "1"  # a dossier received in the arrondissement
    for service, step in (
        (projects.services.project_record_first_meeting, "Premiers rendez-vous"),
        (projects.services.project_start_coaching, None),
        (projects.services.project_request_labelling, "Demandes de labellisation"),
        (projects.services.project_put_before_committee, None),
    ):
        change(lambda service=service: service(project=project, actor=cheffe))
        if step:
            assert figures()["rows"][step][0] == "1", step
    change(
        lambda: projects.services.project_record_committee_outcome(
            project=project, outcome=Status.LABELLED, actor=cheffe
        )
    )
    assert figures()["rows"]["Projets labellisés"][0] == "1"


def test_a_dossier_moved_to_another_commune_moves_to_its_arrondissement(figures, change, porteur):
    project = change(
        lambda: projects.services.project_submit(details=intake_details(), notify=False)
    )
    assert figures()["rows"]["Lens"][0] == "1"
    change(
        lambda: projects.services.project_update_details(
            project=project, details={"commune": commune("Berck")}, actor=porteur
        )
    )
    moved = figures()["rows"]
    assert "Lens" not in moved
    assert moved[commune("Berck").arrondissement_name][0] == "1"


# --- What a rendered page costs -------------------------------------------------------------


def _some_figures():
    for _ in range(5):
        SnapshotFactory(campaign=CampaignFactory(launched_on=TODAY - timedelta(days=30)))
    ProjectFactory()


def test_a_rendered_figures_page_reads_its_figures_from_the_cache_without_a_query(
    client, page_cache, django_assert_num_queries, django_assert_max_num_queries
):
    _some_figures()
    first = client.get("/chiffres/?visite=1")
    with django_assert_num_queries(0):
        again = client.get("/chiffres/?visite=2")
    assert "X-Public-Cache" not in again.headers  # rendered, not the page's copy
    assert shown(again.content.decode()) == shown(first.content.decode())
    assert shown(again.content.decode())["since_start"]["campagnes lancées"] == "5"
    # A period not seen yet reads its own figures only (the key figures, the funnel's two
    # queries, the arrondissements' two), not those since the start again.
    with django_assert_max_num_queries(5):
        period = client.get(PERIOD)
    assert shown(period.content.decode())["period"]["campagnes lancées"] == "5"
    with django_assert_num_queries(0):
        client.get(f"{PERIOD}&visite=3")


def test_the_teams_report_reads_the_database_not_the_public_cache(client, page_cache, cheffe):
    """The report shows the same key figures and funnel, to the team: they never come from
    the public cache, whose version the services raise, so a row written otherwise (here by a
    factory; in life a fix in the database) shows there at once."""
    client.get(PERIOD)
    client.get(f"{PERIOD}&visite=1")
    _some_figures()
    # The public page keeps its figures until the public content version moves.
    public = shown(client.get(f"{PERIOD}&visite=2").content.decode())
    assert public["period"]["campagnes lancées"] == "0"
    client.force_login(cheffe)
    report = client.get(reverse("campaigns:report"), {"start": TODAY - timedelta(days=365)})
    assert report.status_code == 200
    assert shown(report.content.decode())["rows"]["Campagnes lancées"][0] == "5"  # the funnel


def test_the_home_pages_key_figures_are_read_once_per_content_version(
    client, page_cache, change, running, cheffe
):
    """Logged in, the home page is rendered at each visit (never a cached copy): its key
    figures, a sum over every campaign, come from the cache until a service changes them."""
    client.force_login(cheffe)

    def launched() -> tuple[str, list[str]]:
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/").content.decode()
        sums = [q["sql"] for q in queries.captured_queries if 'AS "launched"' in q["sql"]]
        return shown(html)["since_start"]["campagnes lancées"], sums

    assert launched()[0] == "1"
    assert launched() == ("1", [])  # read from the cache
    other = LabelledProjectFactory(commune=commune("Lens"))
    prepared = change(lambda: _prepare(other, cheffe))
    change(lambda: campaigns.services.campaign_start(campaign=prepared, actor=cheffe))
    count, sums = launched()
    assert count == "2" and len(sums) == 1
