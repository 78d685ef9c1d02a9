"""The campaigns section of a dossier page (projects/sections.py), registered by the AppConfig."""

from projects import sections

from .forms import dossier_campaign_forms
from .selectors import dossier_campaigns


def campaigns_section(project, *, user, for_team: bool) -> dict:
    """The dossier's campaigns with their figures, and the forms its reader may use on them."""
    context = dossier_campaigns(project, for_team=for_team)
    context.update(dossier_campaign_forms(project, context["current_campaign"], for_team=for_team))
    return context


sections.register("campaigns", build=campaigns_section, order=30)
