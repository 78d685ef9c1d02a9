"""The campaigns section of a dossier page (projects/sections.py), registered by the AppConfig."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from projects import next_steps, sections
from projects.models import Status

from .forms import dossier_campaign_forms
from .models import Campaign, CampaignStatus, FigureReview
from .selectors import dossier_campaigns


def campaigns_section(project, *, user, for_team: bool) -> dict:
    """The dossier's campaigns with their figures, and the forms its reader may use on them."""
    context = dossier_campaigns(project, for_team=for_team)
    context.update(dossier_campaign_forms(project, context["current_campaign"], for_team=for_team))
    return context


def campaigns_next_step(project, context: dict) -> sections.NextStep | None:
    """Labelled: prepare the campaign, then launch it; running: check the figures a porteur
    declared, keep the figures up to date, record the result once it ended; ended: its
    follow-up. The figures' steps point at their form on the dossier page itself."""
    campaign = context.get("current_campaign")
    page = reverse("projects:team_project", args=[project.reference])
    if project.status == Status.LABELLED:
        if campaign is None or campaign.is_finished:
            return sections.NextStep(
                _("Préparer la campagne"),
                reverse("campaigns:campaign_edit", args=[project.reference]),
                sections.STEP,
            )
        if campaign.status == CampaignStatus.PREPARING:
            return sections.NextStep(
                _("Lancer la campagne"),
                reverse("campaigns:campaign_action", args=[campaign.pk, "lancer"]),
                sections.STEP,
                method="post",
            )
    if campaign is None:
        return None
    if campaign.status == CampaignStatus.RUNNING:
        pending = [item for item in campaign.snapshots.all() if item.review == FigureReview.PENDING]
        if pending:
            return sections.NextStep(
                _("Vérifier les chiffres déclarés"),
                f"{page}#chiffres-{pending[0].pk}",
                sections.URGENT,
            )
        if campaign.ends_on and campaign.ends_on < timezone.localdate():
            return sections.NextStep(
                _("Enregistrer le résultat final"), f"{page}#resultat-final", sections.URGENT
            )
        return sections.NextStep(
            _("Mettre à jour les chiffres"), f"{page}#nouveaux-chiffres", sections.STEP
        )
    if project.status == Status.CAMPAIGN_ENDED and context.get("follow_up_form") is not None:
        return sections.NextStep(_("Enregistrer le suivi"), f"{page}#suivi-campagne", sections.STEP)
    return None


sections.register("campaigns", build=campaigns_section, order=30, next_step=campaigns_next_step)


def campaigns_facts(projects: list) -> dict[int, dict]:
    """For the next step (projects/next_steps.py): each labelled dossier's current campaign
    (its latest, as on the dossier page), its dates, figures waiting, result and follow-up.
    A dossier page has read its campaigns and their figures already (selectors.
    dossier_campaigns keeps them on the project): they are not read twice."""
    labelled = [
        p
        for p in projects
        if p.status in (Status.LABELLED, Status.CAMPAIGN_RUNNING, Status.CAMPAIGN_ENDED)
    ]
    facts: dict[int, dict] = {}
    unread = []
    for project in labelled:
        loaded = getattr(project, "loaded_campaigns", None)
        if loaded is None:
            unread.append(project.pk)
        elif loaded:
            current = loaded[0]  # the latest, as the page shows it
            pending = any(s.review == FigureReview.PENDING for s in current.snapshots.all())
            facts[project.pk] = _campaign_facts(current, pending)
    if not unread:
        return facts
    campaigns = (
        Campaign.objects.filter(project_id__in=unread)
        .annotate(pending=Count("snapshots", filter=Q(snapshots__review=FigureReview.PENDING)))
        .order_by("project_id", "-id")
    )
    for campaign in campaigns:
        if campaign.project_id in facts:
            continue  # an older campaign
        facts[campaign.project_id] = _campaign_facts(campaign, campaign.pending > 0)
    return facts


def _campaign_facts(campaign: Campaign, figures_pending: bool) -> dict:
    return {
        "campaign_status": campaign.status,
        "campaign_starts_on": campaign.starts_on,
        "campaign_ends_on": campaign.ends_on,
        "campaign_finished": campaign.is_finished,
        "figures_pending": figures_pending,
        "follow_up_done": bool(campaign.rewards_delivered)
        and campaign.project_carried_out is not None,
    }


next_steps.register_facts("campaigns", campaigns_facts)
