"""Asking for the label: by the porteur from their space, or by the cheffe."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.services import ServiceRefused
from projects.models import Project

from .. import services
from ..permissions import can_manage_committee


@require_POST
@login_required
def raise_request(request, reference: str):
    """The porteur (from their space) or the cheffe asks for the label."""
    project = get_object_or_404(Project, reference=reference)
    is_owner = project.owner_id == request.user.pk
    if not (is_owner or can_manage_committee(request.user)):
        raise Http404
    try:
        services.request_raise(project=project, actor=request.user)
        messages.success(
            request,
            _(
                "La demande de labellisation est enregistrée : la cheffe de projet la "
                "présentera au comité."
            ),
        )
    except ServiceRefused as error:
        messages.error(request, str(error))
    if is_owner:
        return redirect(project.get_absolute_url())
    return redirect("projects:team_project", reference=reference)
