"""The coaching section of a dossier page (projects/sections.py), registered by the AppConfig."""

from projects import sections

from .forms import PostponeForm
from .selectors import dossier_coaching


def coaching_section(project, *, user, for_team: bool) -> dict:
    """The first meeting and the exchanges (internal ones for the team only); the team's page
    also gets the empty form that postpones a reminder."""
    context = dossier_coaching(project, include_internal=for_team)
    if for_team:
        context["postpone_form"] = PostponeForm()
    return context


sections.register("coaching", build=coaching_section, order=10)
