"""Helpers shared by the projects app's views."""

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.submitted_forms import submit_once

from .. import services
from ..forms import DocumentForm
from ..models import Commune, Document, Project
from ..permissions import can_manage_projects, can_view_project

logger = logging.getLogger(__name__)


def communes():
    return Commune.objects.only("name", "postal_codes").order_by("name")


def require_team(request) -> None:
    if not can_manage_projects(request.user):
        raise PermissionDenied


def project_for(request, reference: str) -> Project:
    """The dossier if this user may see it; a 404 otherwise, so that nobody can probe."""
    project = get_object_or_404(
        Project.objects.select_related("commune", "partner", "owner", "coach"), reference=reference
    )
    if not can_view_project(request.user, project):
        raise Http404
    return project


def _add_document(request, project: Project, form: DocumentForm) -> Document | None:
    cleaned = form.cleaned_data
    try:
        document = services.document_add(
            project=project,
            actor=request.user,
            kind=cleaned["kind"],
            upload=cleaned.get("upload"),
            url=cleaned.get("url", ""),
            original_name=cleaned.get("original_name", ""),
            content_type=cleaned.get("content_type", ""),
        )
    except OSError:
        # A full disk or a storage fault: nothing was kept (no file, no row); the porteur may
        # simply try again.
        logger.exception("upload to dossier %s failed", project.reference)
        form.add_error(
            "upload",
            _("Le fichier n'a pas pu être enregistré. Réessayez dans quelques minutes."),
        )
        return None
    messages.success(request, _("« %(name)s » est ajouté au dossier.") % {"name": document})
    return document


class _DocumentNotSaved(Exception):
    """The upload failed (its error is on the form): the form key must not be used up."""


def add_document_once(request, project: Project, form: DocumentForm, back: str):
    """Redirect once the document is added (or was, by the same form sent twice); None when
    the upload failed, so that the page shows the form with its error."""

    def add() -> str:
        if _add_document(request, project, form) is None:
            raise _DocumentNotSaved
        return back

    try:
        return submit_once(request, add, fallback=back)
    except _DocumentNotSaved:
        return None
