"""Pages whose content has a fixed size read the rows they show through indexes: none of their
queries makes PostgreSQL scan a large table from end to end (EXPLAIN, at a generated scale).

PostgreSQL only: SQLite's planner and its EXPLAIN QUERY PLAN say nothing about what production
does. The data is generated (propulsons.datagen, some thousands of rows per large table) and
ANALYZEd so that the planner chooses as it would in production, then each page's SELECTs on
the large tables are EXPLAINed."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role, User
from campaigns.selectors import public_projects
from labelling.models import LabellingRequest
from projects.models import Project
from propulsons.datagen import generate

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="query plans are PostgreSQL's: run with DATABASE_URL=postgres://…",
    ),
]

BIG_TABLES = [
    "projects_project",
    "projects_statuschange",
    "campaigns_campaign",
    "campaigns_figuresnapshot",
    "coaching_reminder",
    "coaching_interaction",
    "coaching_firstmeeting",
    "labelling_labellingrequest",
    "labelling_vote",
]
SCALE = 40  # about 2 000 dossiers, 80 000 coaching exchanges, 800 campaigns

# The map is not here: it is a full listing (its legend counts every published project), as
# are the exports (tests/campaigns/test_full_listings.py).
PAGES = [
    ("anonyme", "/"),
    ("anonyme", "/projets/"),
    ("anonyme", "/projets/?page=2"),
    ("anonyme", "/projets/?q=atelier"),
    ("anonyme", "/projets/?category=food"),
    ("anonyme", "/projets/{slug}/"),
    ("anonyme", "/chiffres/"),
    ("anonyme", "/chiffres/?periode=12-mois"),
    ("porteur", "/espace/"),
    ("porteur", "/espace/dossiers/{reference}/"),
    ("cheffe", "/accompagnement/"),
    ("cheffe", "/accompagnement/dossiers/"),
    ("cheffe", "/accompagnement/dossiers/?status=coaching"),
    ("cheffe", "/accompagnement/dossiers/{reference}/"),
    ("member", "/comite/"),
    ("member", "/comite/?archives=2"),
    ("member", "/comite/seances/{session}/"),
    ("member", "/comite/demandes/{request}/"),
    ("cheffe", "/comite/"),
]


def seq_scans(sql: str, *, index_paths_only: bool) -> tuple[list[str], str]:
    """The large tables the plan of `sql` reads from end to end, and the plan. With
    `index_paths_only`, the planner is told to avoid sequential scans wherever an index can
    serve (enable_seqscan = off): a Seq Scan left in the plan means no index fits the query."""
    with connection.cursor() as cursor:
        if index_paths_only:
            cursor.execute("SET LOCAL enable_seqscan = off")
        try:
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")
    return [
        table
        for table in BIG_TABLES
        if re.search(rf"Seq Scan on {table}\b", plan) and rows_of(table) >= LARGE
    ], plan


# A table the generator leaves small (a few reminders) is rightly read whole: only a scan of a
# table of at least this many rows (ANALYZE's count) is a problem.
LARGE = 1000


def rows_of(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


@pytest.fixture
def generated(django_db_blocker):
    generate(scale=SCALE)
    with connection.cursor() as cursor:
        for table in BIG_TABLES:
            cursor.execute(f"ANALYZE {table}")
    project = (
        Project.objects.filter(owner__isnull=False, campaigns__isnull=False).order_by("pk").first()
    )
    # A cheffe who coaches a few dossiers among thousands (the generator gives them all to one).
    cheffe = User.objects.create(email="cheffe.plan@propulsons.org", role=Role.CHEFFE)
    Project.objects.filter(pk__in=Project.objects.order_by("pk")[:20].values("pk")).update(
        coach=cheffe
    )
    # A member of the committee, and the latest session's first request (every organisation
    # voted on every request: the member sees every session).
    member = User.objects.filter(email__startswith="membre.genere.").order_by("email").first()
    request = (
        LabellingRequest.objects.filter(session__isnull=False)
        .order_by("-session__held_at", "pk")
        .first()
    )
    return {
        "users": {"cheffe": cheffe, "porteur": project.owner, "member": member},
        "targets": {
            "slug": public_projects().order_by("pk").first().slug,
            "reference": project.reference,
            "session": request.session_id,
            "request": request.pk,
        },
    }


def page_queries(client, generated) -> dict[str, list[str]]:
    """Each page's SELECTs that read a large table."""
    found = {}
    for role, url in PAGES:
        client.logout()
        if role != "anonyme":
            client.force_login(generated["users"][role])
        address = url.format(**generated["targets"])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(address).status_code == 200, address
        found[address] = [
            query["sql"]
            for query in queries.captured_queries
            if query["sql"].lstrip().upper().startswith("SELECT")
            and any(f'"{table}"' in query["sql"] for table in BIG_TABLES)
        ]
    return found


# Counts over a whole table by nature, answered from an index (index-only scans once the table
# is vacuumed), which the second test checks: the pipeline's tabs count the dossiers per status;
# the public figures sum every campaign ever launched, all time and per year.
WHOLE_TABLE_COUNTS = [
    re.compile(
        r'^SELECT "projects_project"\."status" AS "status", COUNT\(\*\) '
        r'AS "n" FROM "projects_project" GROUP BY 1$'
    ),
    re.compile(
        r'FROM "campaigns_campaign" WHERE "campaigns_campaign"\."launched_on" IS NOT NULL'
        r"( GROUP BY 1 ORDER BY 1 ASC)?$"
    ),
]


def whole_table_count(sql: str) -> bool:
    return any(pattern.search(sql) for pattern in WHOLE_TABLE_COUNTS)


def scanned(queries: dict[str, list[str]], *, index_paths_only: bool, skip=None) -> str:
    report = []
    for address, sqls in queries.items():
        for sql in sqls:
            if skip is not None and skip(sql):
                continue
            tables, plan = seq_scans(sql, index_paths_only=index_paths_only)
            if tables:
                report.append(f"{address}: {', '.join(tables)}\n{sql}\n{plan}")
    return "\n\n".join(report)


def bounded(sql: str) -> bool:
    """A query for the rows a page shows: a page of them (a LIMIT of the statement, not the
    LIMIT 1 of an EXISTS inside it) or one dossier's."""
    return (
        re.search(r" LIMIT \d+( OFFSET \d+)?$", sql) is not None
        or re.search(r'"project_id" = \d+|"id" = \d+', sql) is not None
    )


def test_fixed_size_pages_read_their_rows_through_indexes(client, generated):
    """The rows a page shows (a page of the list, one dossier's rows) are found through an
    index, as the planner chooses with its statistics: no end-to-end scan of a large table.
    Counts and filter choices over a whole set (the published projects, the active dossiers)
    are left to the planner, which rightly scans a table whose rows it must nearly all read
    (it varies with the generated data); the test below checks they have an index to use."""
    queries = page_queries(client, generated)
    found = scanned(
        queries,
        index_paths_only=False,
        skip=lambda sql: whole_table_count(sql) or not bounded(sql),
    )
    assert not found, found


def test_every_query_of_a_fixed_size_page_has_an_index_to_use(client, generated):
    """Every query, the whole-table counts included, has an index to use: with sequential scans
    discouraged, none is left in a plan. (Inside the test's transaction nothing is vacuumed, so
    for a whole-table count the planner rightly prefers the table to an index whose rows it
    must all check; in production, autovacuum keeps the visibility map and the count becomes
    an index-only scan.)"""
    queries = page_queries(client, generated)
    found = scanned(queries, index_paths_only=True)
    assert not found, found
