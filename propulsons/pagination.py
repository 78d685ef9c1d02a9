"""A paginator whose total is known apart from the list it pages."""

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property


class CountedPaginator(Paginator):
    """Pages `object_list`, its total read from `counted`: a number the view already has (the
    pipeline sums its counts per status), or a queryset of the same rows without the page's
    annotations and their joins (the catalogue's published projects), whose count PostgreSQL
    answers from an index instead of through every join of the listed rows."""

    def __init__(self, object_list, per_page, *, counted: int | QuerySet, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.counted = counted

    @cached_property
    def count(self) -> int:
        return self.counted if isinstance(self.counted, int) else self.counted.count()
