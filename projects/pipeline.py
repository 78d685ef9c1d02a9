"""What the team's pipeline shows of a dossier that the apps above projects know.

The pipeline lists dossiers (projects), but a dossier's next action is a coaching reminder and
coaching sits above projects: projects may not import it. Each app above registers instead, from
its AppConfig.ready, a function that annotates the pipeline's queryset (coaching/pipeline.py adds
`next_action` and `next_action_due_at`), as the dossier page's sections do (projects/sections.py).
An annotation is one SQL subquery per row of the same query, so the page's query count stays the
same whatever the number of dossiers.
"""

from collections.abc import Callable

from django.db.models import QuerySet

ANNOTATIONS: dict[str, Callable[[QuerySet], QuerySet]] = {}


def register(name: str, annotate: Callable[[QuerySet], QuerySet]) -> None:
    """Add (or replace, when an app registers again) the annotation `name`."""
    ANNOTATIONS[name] = annotate


def annotate(projects: QuerySet) -> QuerySet:
    """The pipeline's queryset with every registered annotation, in the order of their names."""
    for name in sorted(ANNOTATIONS):
        projects = ANNOTATIONS[name](projects)
    return projects
