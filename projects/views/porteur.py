"""The porteur's space: their dossiers, a dossier's page, editing it (also by the team),
claiming one submitted without an account, and downloading its documents (by anyone who may
see the dossier)."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.services import ServiceRefused, user_mark_email_verified

from .. import services, uploads
from ..forms import DocumentForm, ProjectDetailsForm
from ..messaging import unread_by_porteur_count
from ..models import Document, Project
from ..next_steps import dossier_facts, porteur_next_step
from ..permissions import can_add_document, can_edit_project, can_manage_projects, can_view_project
from ..sections import dossier_sections
from ._common import add_document_once, communes, project_for

logger = logging.getLogger(__name__)


@require_safe
@login_required
def porteur_space(request):
    # The porteur's dossiers and those submitted with this account's address but not attached
    # yet (projects/views/claims.py), in one query, with their unread messages counted.
    rows = list(
        (Project.objects.owned_by(request.user) | Project.objects.awaiting_claim_by(request.user))
        .select_related("commune", "coach")
        .annotate(porteur_unread_count=unread_by_porteur_count())
        .prefetch_related("status_changes")
        .order_by("-created_at")
    )
    projects = [row for row in rows if row.owner_id == request.user.pk]
    pending_claims = [row for row in rows if row.owner_id is None]
    # Each dossier's next step, from facts read for all of them at once.
    facts = dossier_facts(projects)
    for project in projects:
        project.porteur_step = porteur_next_step(project, facts[project.pk])
    return render(
        request,
        "projects/porteur_space.html",
        {"projects": projects, "pending_claims": pending_claims},
    )


@require_http_methods(["GET", "POST"])
@login_required
def porteur_project(request, reference: str):
    project = project_for(request, reference)
    if project.owner_id != request.user.pk:
        # Staff and committee members read dossiers in their own pages.
        if can_manage_projects(request.user):
            return redirect("projects:team_project", reference=reference)
        raise Http404
    document_form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_add_document(request.user, project):
            raise PermissionDenied
        if document_form.is_valid():
            back = project.get_absolute_url() + "#documents"
            if response := add_document_once(request, project, document_form, back):
                return response
    return render(
        request,
        "projects/porteur_project.html",
        {
            # Coaching, label, campaigns: the sections the apps above register.
            **dossier_sections(project, user=request.user, for_team=False),
            "project": project,
            "porteur_step": porteur_next_step(project, dossier_facts([project])[project.pk]),
            "history": project.status_changes.all(),
            "documents": project.documents.all(),
            "document_form": document_form,
            "can_edit": can_edit_project(request.user, project),
            "can_add_document": can_add_document(request.user, project),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def project_edit(request, reference: str):
    project = project_for(request, reference)
    if not can_edit_project(request.user, project):
        if project.owner_id == request.user.pk or can_manage_projects(request.user):
            messages.error(
                request,
                _("Le dossier est devant le comité ou au-delà : il ne peut plus être modifié."),
            )
            return redirect(project.get_absolute_url())
        raise Http404
    form = ProjectDetailsForm(request.POST or None, instance=project)
    form.fields["contact_email"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update_details(
                project=project, details=form.details(), actor=request.user
            )
        except ServiceRefused as error:
            # The dossier went before the committee since the form was opened.
            messages.error(request, str(error))
            return redirect(project.get_absolute_url())
        messages.success(request, _("Les informations du projet sont enregistrées."))
        if project.owner_id == request.user.pk:
            return redirect(project.get_absolute_url())
        return redirect("projects:team_project", reference=reference)
    return render(
        request,
        "projects/project_edit.html",
        {"form": form, "project": project, "communes": communes(), "share": form.share_text()},
    )


@require_http_methods(["GET", "POST"])
@login_required
def claim(request, token: str):
    """Attach a dossier submitted with this account's address, once its owner confirms."""
    try:
        project_id = services.claim_token_read(token)
    except signing.BadSignature:
        return render(request, "projects/claim.html", {"invalid": True}, status=400)
    project = get_object_or_404(Project, pk=project_id)
    if project.contact_email.lower() != request.user.email.lower():
        raise Http404
    if request.method == "POST":
        try:
            services.project_claim(project=project, user=request.user)
        except ServiceRefused as error:
            messages.error(request, str(error))
            return redirect("projects:porteur_space")
        # The link was mailed to this address: the account's address is proved.
        user_mark_email_verified(user=request.user)
        messages.success(
            request,
            _("Le dossier %(ref)s est rattaché à votre compte.") % {"ref": project.reference},
        )
        return redirect(project.get_absolute_url())
    return render(request, "projects/claim.html", {"project": project})


@require_safe
@login_required
def document_download(request, pk: int):
    """Private files leave only through here, to those who may see the dossier."""
    document = get_object_or_404(Document.objects.select_related("project"), pk=pk)
    if not can_view_project(request.user, document.project) or document.is_link:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        # The row is committed: a file still under its temporary name was left by a process
        # stopped before renaming it, and the rename is finished here.
        name = document.file.name
        if not uploads.finish_move(name + uploads.TEMPORARY_SUFFIX, name):
            # A row without its file: `manage.py private_files` lists them.
            logger.error("document %s: its file %s is missing", document.pk, name)
            raise Http404 from None
        handle = document.file.open("rb")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.served_name,
        content_type=document.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
