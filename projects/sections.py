"""The sections of a dossier page, filled by the apps above projects, and its next step.

The dossier page (the porteur's and the team's) shows more than the dossier: its coaching, its
label, its campaigns. Those apps sit above projects, so projects may not import them; each
registers instead the builder of its section's template context from its AppConfig.ready
(coaching/sections.py, labelling/sections.py, campaigns/sections.py), and the views merge them
with `dossier_sections`. Imports keep going down, as with projects/personal_data.py.

The team's page also heads with "Prochaine étape : …" and one primary button. Only the app
that owns a step knows it (the first meeting is coaching's, the label request labelling's, the
campaign's figures campaigns'), so a section may register a `next_step` hook too: it returns its
candidate for the dossier, or None, and `dossier_next_step` keeps the one of highest priority.
That is the one place where the next step is chosen.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Priorities of the candidates, so that the apps agree without knowing each other.
FALLBACK = 10  # always possible while the dossier is active (e.g. "Noter un échange")
PREPARE = 40  # something to complete before the step itself
STEP = 50  # the step the status calls for
URGENT = 60  # something late or waiting for the team (figures to check, a result to record)


@dataclass(frozen=True)
class NextStep:
    label: str
    url: str
    priority: int
    # "get": a link; "post": a button in a form with only the CSRF token (an action that
    # needs nothing more, e.g. "Demander la labellisation").
    method: str = "get"


@dataclass(frozen=True)
class Section:
    name: str
    # build(project, user=..., for_team=...) -> the section's template context.
    build: Callable[..., dict[str, Any]]
    order: int
    # next_step(project, context) -> NextStep | None, for the team's page; `context` is the
    # merged context of every section (what the builders read already: no query again).
    next_step: Callable[..., NextStep | None] | None = None


SECTIONS: dict[str, Section] = {}


def register(
    name: str,
    *,
    build: Callable[..., dict[str, Any]],
    order: int,
    next_step: Callable[..., NextStep | None] | None = None,
) -> Section:
    """Add (or replace, when an app registers again) the section `name`: `build(project,
    user=..., for_team=...)` returns its template context; `order` sets the merging order;
    `next_step(project, context)` returns the section's candidate for the next step, or None."""
    section = Section(name, build, order, next_step)
    SECTIONS[name] = section
    return section


def _in_order() -> list[Section]:
    return sorted(SECTIONS.values(), key=lambda section: (section.order, section.name))


def dossier_sections(project, *, user, for_team: bool) -> dict[str, Any]:
    """The template context of every registered section, merged in their order; `for_team`
    for the team's page (internal notes, the team's forms), False for the porteur's."""
    context: dict[str, Any] = {}
    for section in _in_order():
        context.update(section.build(project, user=user, for_team=for_team))
    return context


def dossier_next_step(project, context: dict[str, Any]) -> NextStep | None:
    """The team's next step on this dossier: the candidate of highest priority among the
    sections' (the first registered wins a tie); None when nothing is left to do."""
    best: NextStep | None = None
    for section in _in_order():
        if section.next_step is None:
            continue
        candidate = section.next_step(project, context)
        if candidate is not None and (best is None or candidate.priority > best.priority):
            best = candidate
    return best
