"""The porteur's side of a campaign: consent to publication, and figures declarations (which
the team also posts, from the dossier page)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.services import ServiceRefused
from accounts.submitted_forms import submit_once
from projects.permissions import can_manage_projects

from .. import services
from ..forms import SnapshotForm
from ..models import Campaign, FigureSource
from ._common import back_to_dossier, form_errors, project_for


@require_POST
@login_required
def snapshot_create(request, pk: int):
    """New figures, by the team or by the porteur of the dossier."""
    campaign = get_object_or_404(Campaign.objects.select_related("project"), pk=pk)
    is_owner = campaign.project.owner_id == request.user.pk
    if not (is_owner or can_manage_projects(request.user)):
        raise Http404
    form = SnapshotForm(
        request.POST, porteur=not can_manage_projects(request.user), campaign=campaign
    )
    if form.is_valid():
        day = form.cleaned_data["taken_on"]
        taken_at = (
            timezone.now()
            if not day or day == timezone.localdate()
            else timezone.make_aware(
                timezone.datetime.combine(day, timezone.datetime.min.time()) + timedelta(hours=12)
            )
        )
        back = (
            campaign.project.get_absolute_url() + "#campagne"
            if is_owner
            else back_to_dossier(campaign.project).url
        )

        def declare() -> str:
            services.snapshot_add(
                campaign=campaign,
                actor=request.user,
                amount=form.cleaned_data["amount"],
                contributors=form.cleaned_data["contributors"],
                source=form.cleaned_data.get("source", FigureSource.PORTEUR),
                taken_at=taken_at,
            )
            messages.success(
                request,
                _("Les chiffres sont enregistrés.")
                if can_manage_projects(request.user)
                else _(
                    "Les chiffres sont enregistrés : ils paraîtront sur le site une fois "
                    "vérifiés par l'équipe."
                ),
            )
            return back

        try:
            return submit_once(request, declare, fallback=back)
        except ServiceRefused as error:
            messages.error(request, str(error))
    else:
        messages.error(request, form_errors(form))
    if is_owner:
        return redirect(campaign.project.get_absolute_url() + "#campagne")
    return back_to_dossier(campaign.project)


@require_POST
@login_required
def publication(request, reference: str):
    """The porteur agrees (or no longer agrees) to the public presentation of the project."""
    project = project_for(reference)
    if project.owner_id != request.user.pk:
        raise Http404
    agreed = request.POST.get("publish_agreed") == "on"
    services.project_set_publication(project=project, actor=request.user, agreed=agreed)
    messages.success(
        request,
        _("Votre projet pourra être présenté au public.")
        if agreed
        else _("Votre projet ne sera pas présenté au public."),
    )
    return redirect(project.get_absolute_url())
