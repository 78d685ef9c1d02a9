"""The label section of a dossier page (projects/sections.py), registered by the AppConfig."""

from projects import sections

from .selectors import dossier_labelling


def labelling_section(project, *, user, for_team: bool) -> dict:
    """The checklist, the requests (team) and the decisions with their motivation."""
    return dossier_labelling(project, for_team=for_team)


sections.register("labelling", build=labelling_section, order=20)
