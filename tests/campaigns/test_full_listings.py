"""Full listings (open data CSV/JSON, the funder's report exports, the map's markers): read in
chunks from plain values and streamed, so that memory stays flat and the CPU per row small;
no reverse() nor get_FOO_display per row; compressed; the map page's HTML bounded."""

import copy
import csv
import gzip
import io
import json
import statistics
import time
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.db.models import Model, QuerySet
from django.db.models.base import ModelState
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls.resolvers import URLResolver

from campaigns.models import Campaign
from projects.models import Commune, Project
from propulsons.public_cache import public_content_changed
from tests.campaigns.factories import CampaignFactory

pytestmark = pytest.mark.django_db

ROWS = 300
# The target is 40 µs of CPU per row at production; the bound leaves room for a loaded
# 2-core machine, the test client and SQLite (a row costs about 20 µs here unloaded): a row
# that built a model instance, called reverse() and get_FOO_display would cost several times
# more. The medians of a few runs keep a passing spike from failing the test.
CPU_PER_ROW_BOUND = 200e-6
REPORT = "/accompagnement/bilan/export.csv?start=2015-11-01"


def published(count: int) -> list[Project]:
    """`count` published projects with a running campaign each, written in bulk."""
    base = CampaignFactory(project__title="Projet 0000")
    template = base.project
    projects = []
    for index in range(1, count):
        project = copy.copy(template)
        project._state = ModelState()
        project.pk = None
        project.reference = f"P-2026-{index:05d}"
        project.slug = f"projet-{index:05d}"
        project.label_number = f"PS-2026-X{index:05d}"
        project.title = f"Projet {index:04d}"
        project.current_campaign = None
        projects.append(project)
    Project.objects.bulk_create(projects)
    campaigns = []
    for project in projects:
        campaign = copy.copy(base)
        campaign._state = ModelState()
        campaign.pk = None
        campaign.project = project
        campaigns.append(campaign)
    Campaign.objects.bulk_create(campaigns)
    for project, campaign in zip(projects, campaigns, strict=True):
        project.current_campaign = campaign
    Project.objects.bulk_update(projects, ["current_campaign"])
    Commune.objects.update(latitude=Decimal("50.43"), longitude=Decimal("2.83"))
    return [template, *projects]


@contextmanager
def per_row_work():
    """Counts the reverse() calls, get_FOO_display calls and model instances made inside."""
    counts = {"reverse": 0, "display": 0, "instances": 0}
    reverse_with_prefix = URLResolver._reverse_with_prefix
    get_display = Model._get_FIELD_display
    from_db = Model.from_db.__func__

    def counted_reverse(self, *args, **kwargs):
        counts["reverse"] += 1
        return reverse_with_prefix(self, *args, **kwargs)

    def counted_display(self, field):
        counts["display"] += 1
        return get_display(self, field)

    def counted_from_db(cls, *args, **kwargs):
        if cls in (Project, Campaign):
            counts["instances"] += 1
        return from_db(cls, *args, **kwargs)

    with (
        mock.patch.object(URLResolver, "_reverse_with_prefix", counted_reverse),
        mock.patch.object(Model, "_get_FIELD_display", counted_display),
        mock.patch.object(Model, "from_db", classmethod(counted_from_db)),
    ):
        yield counts


@pytest.fixture
def listing(client, cheffe):
    published(ROWS)
    client.force_login(cheffe)
    return client


@pytest.mark.parametrize(
    ("url", "rows_in"),
    [
        ("/donnees/projets.csv", lambda body: len(body.decode("utf-8-sig").splitlines()) - 1),
        ("/donnees/projets.json", lambda body: len(json.loads(body)["projets"])),
        (REPORT, lambda body: len(body.decode("utf-8-sig").splitlines()) - 1),
    ],
)
def test_full_listings_are_streamed_from_values_without_per_row_framework_work(
    listing, url, rows_in
):
    with CaptureQueriesContext(connection) as before_sending:
        response = listing.get(url)
    assert response.status_code == 200
    # Streamed: nothing of the listing is read before the response is sent...
    assert isinstance(response, StreamingHttpResponse)
    assert not [q for q in before_sending.captured_queries if "projects_project" in q["sql"]]
    # ...then it is read in chunks, as plain values, with the labels and addresses built once.
    with (
        mock.patch.object(QuerySet, "iterator", autospec=True, side_effect=QuerySet.iterator) as it,
        per_row_work() as work,
        CaptureQueriesContext(connection) as sending,
    ):
        body = response.getvalue()
    assert rows_in(body) == ROWS
    assert [call.kwargs.get("chunk_size") for call in it.call_args_list] == [500]
    # At most the schema's address and one pattern for the projects' pages, whatever the rows.
    assert work["reverse"] <= 2, work
    assert (work["display"], work["instances"]) == (0, 0), work
    assert len(sending.captured_queries) <= 2


@pytest.mark.parametrize(
    "url", ["/donnees/projets.csv", "/donnees/projets.json", REPORT, "/carte/points.json"]
)
def test_full_listings_cost_little_cpu_per_row(listing, url):
    def run() -> float:
        started = time.process_time()
        response = listing.get(url)
        response.getvalue()
        return time.process_time() - started

    run()  # warm: templates, translations, URL resolver
    per_row = statistics.median(run() for _ in range(5)) / ROWS
    print(f"{url}: {per_row * 1e6:.0f} µs of CPU per row")  # noqa: T201 (shown with -s)
    assert per_row < CPU_PER_ROW_BOUND, f"{per_row * 1e6:.0f} µs of CPU per row"


def test_the_spreadsheet_export_costs_little_cpu_per_row(listing):
    """The XLSX carries key figures, the funnel and breakdowns besides the campaigns: its cost
    per row is the difference with a period without any campaign. Built, it costs XlsxWriter's
    time per cell; once built, the same file is served from the cache (keyed by a digest of
    its values, campaigns.views.report) for a fraction of that."""
    from django.core.cache import cache

    def run(period: str, *, built: bool) -> float:
        if built:
            cache.clear()
        started = time.process_time()
        listing.get(f"/accompagnement/bilan/export.xlsx?{period}").getvalue()
        return time.process_time() - started

    def per_row(*, built: bool) -> float:
        every_campaign, none = "start=2015-11-01", "start=2015-11-01&end=2015-11-02"
        run(every_campaign, built=built), run(none, built=built)  # warm
        return (
            statistics.median(run(every_campaign, built=built) for _ in range(5))
            - statistics.median(run(none, built=built) for _ in range(5))
        ) / ROWS

    built, kept = per_row(built=True), per_row(built=False)
    print(f"XLSX: {built * 1e6:.0f} µs of CPU per row built, {kept * 1e6:.0f} kept")  # noqa: T201
    assert built < CPU_PER_ROW_BOUND, f"{built * 1e6:.0f} µs of CPU per row"
    assert kept < built / 2, f"{kept * 1e6:.0f} µs per row from the cache, {built * 1e6:.0f} built"


@pytest.mark.parametrize("url", ["/donnees/projets.csv", "/donnees/projets.json", REPORT])
def test_full_listings_are_compressed_for_clients_that_accept_it(listing, url):
    plain = listing.get(url).getvalue()
    response = listing.get(url, headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"

    def dated(body: bytes) -> list[bytes]:  # the JSON says when it was made
        return [line for line in body.splitlines() if b'"genere_le"' not in line]

    assert dated(gzip.decompress(response.getvalue())) == dated(plain)
    assert len(response.getvalue()) < len(plain) / 3


@pytest.mark.parametrize("url", ["/donnees/projets.csv", "/donnees/projets.json", REPORT])
def test_full_listings_reach_the_compressor_in_pieces_not_row_by_row(listing, url):
    # The gzip stream is flushed after every piece it is given: one flush per row made the
    # compression cost more CPU than the row itself, and compress a third as well.
    response = listing.get(url, headers={"accept-encoding": "gzip"})
    pieces = list(response.streaming_content)
    size = sum(len(piece) for piece in pieces)
    assert len(pieces) <= 2 + len(gzip.decompress(b"".join(pieces))) // (16 * 1024), (
        f"{len(pieces)} pieces for {size} bytes"
    )


def test_the_open_data_listing_keeps_its_values_and_labels(listing):
    text = listing.get("/donnees/projets.csv").getvalue().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert rows[0]["titre"] == "Projet 0000"
    assert {row["statut_campagne"] for row in rows} == {"En cours"}
    assert {row["url_page"] for row in rows[:2]} == {
        "http://testserver/projets/projet-00001/",
        f"http://testserver/projets/{Project.objects.get(title='Projet 0000').slug}/",
    }
    data = json.loads(listing.get("/donnees/projets.json").getvalue())
    assert data["projets"][0]["objectif_eur"] == 5000
    assert data["colonnes"]["titre"] == "Titre du projet"


def test_the_map_loads_its_markers_as_a_compact_cacheable_document(client):
    published(250)
    response = client.get("/carte/points.json")
    document = json.loads(response.content)
    assert len(document["points"]) == 250
    assert document["fields"][:3] == ["title", "commune", "url"]
    assert document["statuses"]["running"] == "Campagne en cours"
    # Revalidated each time (a change shows at once), a 304 without a body when unchanged.
    assert response["Cache-Control"] == "public, no-cache"
    again = client.get("/carte/points.json", headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304 and again.content == b""
    compressed = client.get("/carte/points.json", headers={"accept-encoding": "gzip"})
    assert compressed["Content-Encoding"] == "gzip"
    # The page carries no marker data and a table of 100 projects at a time.
    page = client.get("/carte/")
    html = page.content.decode()
    assert 'data-points-url="/carte/points.json"' in html
    assert "Projet 0199" not in html and "points-carte" not in html
    assert html.count("<tr><td>") == 100
    assert "250 projets labellisés" in html and "Page 1 sur 3" in html
    assert "Campagne en cours (250)" in html
    last = client.get("/carte/", {"page": 3}).content.decode()
    assert last.count("<tr><td>") == 50 and "Projet 0249" in last


def test_a_change_changes_the_map_documents_etag(client):
    (project,) = published(1)
    etag = client.get("/carte/points.json")["ETag"]
    Project.objects.filter(pk=project.pk).update(title="Atelier renommé")
    response = client.get("/carte/points.json", headers={"if-none-match": etag})
    assert response.status_code == 200 and "Atelier renommé" in response.content.decode()


def test_the_map_document_is_built_once_per_public_content_version(
    client, settings, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """Served from the cache until the public content changes (public_content_changed(),
    called by every service that changes what the public pages show)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "map-points-tests",
        }
    }
    settings.PUBLIC_PAGE_CACHE_SECONDS = 600
    # Enough projects for gzip to pay (a short answer is sent plain, see TextGZipMiddleware).
    project, *_others = published(20)
    first = client.get("/carte/points.json")
    with django_assert_num_queries(0):
        again = client.get("/carte/points.json")
        unchanged = client.get("/carte/points.json", headers={"if-none-match": first["ETag"]})
    assert again.content == first.content and again["ETag"] == first["ETag"]
    assert unchanged.status_code == 304 and unchanged["ETag"] == first["ETag"]
    assert unchanged["Cache-Control"] == "public, no-cache"
    # Compressed once with the document, not at each request (2 MB at scale 1 000).
    with mock.patch("django.middleware.gzip.compress_string") as compress_at_each_request:
        compressed = client.get("/carte/points.json", headers={"accept-encoding": "gzip"})
    compress_at_each_request.assert_not_called()
    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content) == first.content
    assert compressed["ETag"] == "W/" + first["ETag"]  # weak once compressed (RFC 9110)
    assert "Accept-Encoding" in compressed["Vary"] and "Accept-Encoding" in first["Vary"]
    Project.objects.filter(pk=project.pk).update(title="Atelier renommé")
    assert b"Atelier renomm" not in client.get("/carte/points.json").content
    with django_capture_on_commit_callbacks(execute=True):
        public_content_changed()
    response = client.get("/carte/points.json", headers={"if-none-match": first["ETag"]})
    assert response.status_code == 200 and "Atelier renommé" in response.content.decode()
    assert response["ETag"] != first["ETag"]
