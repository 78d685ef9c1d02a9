"""Several counts in one round trip to the database."""

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet


def count_all(**querysets: QuerySet) -> dict[str, int]:
    """The number of rows of each queryset, read with one statement:
    SELECT (SELECT COUNT(*) FROM (…) AS c0), (SELECT COUNT(*) FROM (…) AS c1), …

    For a page that shows several counts of small, indexed sets (the dashboard's badges): each
    count is fast, and the round trip of one query per count was most of their cost."""
    counts = dict.fromkeys(querysets, 0)
    parts, params, names = [], [], []
    using = None
    for name, queryset in querysets.items():
        try:
            sql, query_params = queryset.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # a filter Django knows matches nothing (pk__in=[])
            continue
        using = using or queryset.db
        # The SQL Django compiled for the queryset, its values kept as parameters.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS c{len(parts)})")  # noqa: S608
        params.extend(query_params)
        names.append(name)
    if parts:
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(parts), params)
            counts.update(zip(names, cursor.fetchone(), strict=True))
    return counts
