"""The sections of a dossier page, filled by the apps above projects.

The dossier page (the porteur's and the team's) shows more than the dossier: its coaching, its
label, its campaigns. Those apps sit above projects, so projects may not import them; each
registers instead the builder of its section's template context from its AppConfig.ready
(coaching/sections.py, labelling/sections.py, campaigns/sections.py), and the views merge them
with `dossier_sections`. Imports keep going down, as with projects/personal_data.py.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Section:
    name: str
    # build(project, user=..., for_team=...) -> the section's template context.
    build: Callable[..., dict[str, Any]]
    order: int


SECTIONS: dict[str, Section] = {}


def register(name: str, *, build: Callable[..., dict[str, Any]], order: int) -> Section:
    """Add (or replace, when an app registers again) the section `name`: `build(project,
    user=..., for_team=...)` returns its template context; `order` sets the merging order."""
    section = Section(name, build, order)
    SECTIONS[name] = section
    return section


def dossier_sections(project, *, user, for_team: bool) -> dict[str, Any]:
    """The template context of every registered section, merged in their order; `for_team`
    for the team's page (internal notes, the team's forms), False for the porteur's."""
    context: dict[str, Any] = {}
    for section in sorted(SECTIONS.values(), key=lambda section: (section.order, section.name)):
        context.update(section.build(project, user=user, for_team=for_team))
    return context
