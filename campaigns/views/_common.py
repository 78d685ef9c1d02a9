"""Helpers shared by the campaigns app's views."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from projects.models import Project
from projects.permissions import can_manage_projects


def require_team(request) -> None:
    if not can_manage_projects(request.user):
        raise PermissionDenied


# Spreadsheets run a cell that starts with one of these as a formula (CSV/formula injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A value safe to open in a spreadsheet: text that would start a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def project_for(reference: str) -> Project:
    return get_object_or_404(Project.objects.select_related("commune"), reference=reference)


def back_to_dossier(project: Project):
    return redirect(reverse("projects:team_project", args=[project.reference]) + "#campagne")


def form_errors(form) -> str:
    """A form posted from the dossier page answers with a message: each error with its field."""
    return " ".join(
        f"{form.fields[name].label} : {' '.join(errors)}"
        if name in form.fields
        else " ".join(errors)
        for name, errors in form.errors.items()
    )
