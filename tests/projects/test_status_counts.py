"""The number of dossiers per status is kept by the database (projects/status_counts.py): it
stays equal to a count of the dossiers after every kind of write, and the pipeline shows it."""

import re

import pytest
from django.db import connection

import projects.services
from projects import status_counts
from projects.models import Project, Status, StatusCount
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def kept() -> dict[str, int]:
    return {status: n for status, n in StatusCount.objects.values_list("status", "n") if n}


def counted() -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in Project.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def test_every_kind_of_write_keeps_the_counts_exact(cheffe):
    # Created one by one, and in bulk (no save(), no signal: the triggers count them all).
    first = ProjectFactory(status=Status.CONTACT)
    Project.objects.bulk_create(
        [
            ProjectFactory.build(
                status=Status.COACHING,
                commune=first.commune,
                owner=first.owner,
                reference=f"P-TEST-{index}",
            )
            for index in range(3)
        ]
    )
    assert kept() == counted() == {"contact": 1, "coaching": 3}
    # A transition through a service, and an UPDATE of several rows at once.
    projects.services.project_abandon(project=first, actor=cheffe, reason="Plus de nouvelles")
    assert kept() == counted() == {"abandoned": 1, "coaching": 3}
    Project.objects.filter(status=Status.COACHING).update(status=Status.LABELLED)
    assert kept() == counted() == {"abandoned": 1, "labelled": 3}
    # An UPDATE that leaves the status as it was, or touches other columns only.
    Project.objects.filter(status=Status.LABELLED).update(status=Status.LABELLED, title="Même")
    assert kept() == counted()
    # Deleted.
    Project.objects.filter(pk=first.pk).delete()
    assert kept() == counted() == {"labelled": 3}


def test_after_a_migration_the_counts_are_recomputed_and_the_triggers_back(cheffe):
    ProjectFactory.create_batch(2, status=Status.CONTACT)
    # What a migration rebuilding the table on SQLite does (and a count gone wrong).
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in ("insert", "delete", "update"):
                cursor.execute(f"DROP TRIGGER projects_status_count_{name}")
        else:
            cursor.execute("DROP TRIGGER projects_status_count ON projects_project")
    StatusCount.objects.update(n=99)
    status_counts.install_after_migrate(sender=None, using="default")
    assert kept() == counted() == {"contact": 2}
    ProjectFactory(status=Status.CONTACT)
    assert kept() == {"contact": 3}


def test_the_pipeline_shows_the_kept_counts(client, cheffe):
    ProjectFactory.create_batch(2, status=Status.COACHING)
    ProjectFactory(status=Status.CLOSED)
    client.force_login(cheffe)
    page = " ".join(client.get("/accompagnement/dossiers/").content.decode().split())
    assert re.search(r"Dossiers actifs <span[^>]*>2</span>", page)
    assert re.search(r"Terminés ou arrêtés <span[^>]*>1</span>", page)
    assert re.search(r"Tous les statuts <span[^>]*>3</span>", page)
