"""count_all: several counts, one query, the same numbers as count()."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.models import Project, Status
from propulsons.counting import count_all
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_several_counts_are_read_in_one_query_and_equal_count():
    ProjectFactory.create_batch(3, status=Status.CONTACT)
    ProjectFactory.create_batch(2, status=Status.COACHING, title="Atelier")
    sets = {
        "contacts": Project.objects.filter(status=Status.CONTACT).order_by("-created_at"),
        "coaching": Project.objects.filter(status=Status.COACHING, title__startswith="At"),
        "none": Project.objects.filter(pk__in=[]),
        "all": Project.objects.all(),
    }
    with CaptureQueriesContext(connection) as queries:
        counts = count_all(**sets)
    assert len(queries.captured_queries) <= 1  # none at all when a set is known empty
    assert counts == {name: queryset.count() for name, queryset in sets.items()}
    assert counts == {"contacts": 3, "coaching": 2, "none": 0, "all": 5}
