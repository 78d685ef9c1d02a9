"""The team's management of a dossier's campaign: prepare, launch, finish and follow it up,
review the figures a porteur declared, place the project on the map."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.services import ServiceRefused
from accounts.submitted_forms import submit_once

from .. import services
from ..forms import CampaignForm, FinishForm, FollowUpForm, MapPlacementForm
from ..models import Campaign, CampaignStatus, FigureSnapshot
from ..prefill import campaign_prefill
from ._common import back_to_dossier, form_errors, project_for, require_team


@require_http_methods(["GET", "POST"])
@login_required
def campaign_edit(request, reference: str):
    """Prepare the campaign of a labelled dossier, or edit it while it is not finished."""
    require_team(request)
    project = project_for(reference)
    campaign = (
        project.campaigns.exclude(status=CampaignStatus.CANCELLED, launched_on__isnull=True)
        .order_by("-id")
        .first()
    )
    if campaign is not None and campaign.is_finished:
        campaign = None
    # A new campaign starts from the intake and the first meeting's report; an existing one
    # from itself alone.
    prefill = campaign_prefill(project, today=timezone.localdate()) if campaign is None else None
    form = CampaignForm(
        request.POST or None,
        instance=campaign,
        initial=prefill.initial if prefill else None,
        duration_days=prefill.duration_days if prefill else None,
    )
    if request.method == "POST" and form.is_valid():
        back = back_to_dossier(project).url

        def save() -> str:
            if campaign is None:
                services.campaign_create(project=project, actor=request.user, **form.cleaned_data)
            else:
                services.campaign_update(campaign=campaign, actor=request.user, **form.cleaned_data)
            messages.success(request, _("La campagne est enregistrée."))
            return back

        try:
            return submit_once(request, save, fallback=back)
        except ServiceRefused as error:
            messages.error(request, str(error))
    return render(
        request,
        "campaigns/campaign_form.html",
        {
            "project": project,
            "form": form,
            "campaign": campaign,
            "prefilled": bool(prefill and prefill.initial),
        },
    )


@require_POST
@login_required
def campaign_action(request, pk: int, action: str):
    require_team(request)
    campaign = get_object_or_404(Campaign.objects.select_related("project"), pk=pk)
    try:
        if action == "lancer":
            services.campaign_start(campaign=campaign, actor=request.user)
            messages.success(request, _("La campagne est lancée."))
        elif action == "terminer":
            form = FinishForm(request.POST, campaign=campaign)
            if not form.is_valid():
                raise services.CampaignError(form_errors(form))
            services.campaign_finish(
                campaign=campaign,
                actor=request.user,
                outcome=form.cleaned_data["outcome"],
                final_amount=form.cleaned_data["final_amount"],
                final_contributors=form.cleaned_data["final_contributors"],
                on=form.cleaned_data["finished_on"],
                jobs_created=form.cleaned_data["jobs_created"],
                jobs_kept=form.cleaned_data["jobs_kept"],
            )
            messages.success(request, _("Le résultat final est enregistré."))
        elif action == "suivi":
            form = FollowUpForm(request.POST, instance=campaign)
            if not form.is_valid():
                raise services.CampaignError(form_errors(form))
            carried = request.POST.get("project_carried_out")
            services.campaign_record_follow_up(
                campaign=campaign,
                actor=request.user,
                rewards_delivered=form.cleaned_data["rewards_delivered"],
                rewards_delivered_on=form.cleaned_data["rewards_delivered_on"],
                project_carried_out={"true": True, "false": False}.get(carried),
                jobs_created=form.cleaned_data["jobs_created"],
                jobs_kept=form.cleaned_data["jobs_kept"],
            )
            messages.success(request, _("Le suivi est enregistré."))
        elif action == "abandonner":
            services.campaign_cancel_preparation(campaign=campaign, actor=request.user)
            messages.success(request, _("La campagne en préparation est abandonnée."))
        else:
            raise Http404
    except ServiceRefused as error:
        # Also a TransitionError: the dossier is not where the campaign expects it (e.g. a
        # campaign prepared while another one runs).
        messages.error(request, str(error))
    return back_to_dossier(campaign.project)


REVIEW_DECISIONS = {"accepter": True, "refuser": False}


@require_POST
@login_required
def snapshot_review(request, pk: int, decision: str):
    """The team accepts or rejects figures a porteur declared."""
    require_team(request)
    if decision not in REVIEW_DECISIONS:
        raise Http404
    snapshot = get_object_or_404(FigureSnapshot.objects.select_related("campaign__project"), pk=pk)
    accept = REVIEW_DECISIONS[decision]
    try:
        services.snapshot_review(snapshot=snapshot, actor=request.user, accept=accept)
        messages.success(
            request,
            _("Les chiffres déclarés sont acceptés : ils comptent désormais sur le site.")
            if accept
            else _("Les chiffres déclarés sont refusés : ils ne paraîtront pas sur le site."),
        )
    except services.CampaignError as error:
        messages.error(request, str(error))
    return back_to_dossier(snapshot.campaign.project)


@require_POST
@login_required
def place_on_map(request, reference: str):
    require_team(request)
    project = project_for(reference)
    form = MapPlacementForm(request.POST)
    if form.is_valid():
        services.project_place_on_map(
            project=project,
            actor=request.user,
            latitude=form.cleaned_data["latitude"],
            longitude=form.cleaned_data["longitude"],
        )
        messages.success(request, _("La position sur la carte est enregistrée."))
    else:
        messages.error(request, " ".join(" ".join(e) for e in form.errors.values()))
    return back_to_dossier(project)
