"""Campaigns: creation, start, declared figures, end and follow-up; and the map's locations.

Starting and ending a campaign move the dossier through projects.services.
"""

from datetime import date, datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import ServiceRefused
from projects import personal_data
from projects import services as project_services
from projects.models import Commune, Project, Status
from projects.personal_data import BLANK

from .models import OPEN_CAMPAIGN_STATUSES, Campaign, CampaignStatus, FigureSnapshot, Platform


class CampaignError(ServiceRefused):
    """A campaign action the rules do not allow; its message is for the user."""


@transaction.atomic
def campaign_create(
    *,
    project: Project,
    actor: User,
    platform: Platform,
    financing_type: str,
    collection_model: str,
    goal: Decimal,
    url: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> Campaign:
    if project.status != Status.LABELLED:
        raise CampaignError(_("Seul un projet labellisé peut préparer une campagne."))
    already = _("Une campagne est déjà en préparation pour ce projet.")
    if project.campaigns.filter(status__in=OPEN_CAMPAIGN_STATUSES).exists():
        raise CampaignError(already)
    try:
        # The check above reads; the constraint decides when two requests create at once.
        with transaction.atomic():
            campaign = Campaign.objects.create(
                project=project,
                platform=platform,
                financing_type=financing_type,
                collection_model=collection_model,
                goal=goal,
                url=url,
                starts_on=starts_on,
                ends_on=ends_on,
            )
    except IntegrityError as error:
        raise CampaignError(already) from error
    # The public pages follow the latest campaign prepared.
    Project.objects.filter(pk=project.pk).update(current_campaign=campaign)
    project.current_campaign = campaign
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, actor: User, **fields) -> Campaign:
    if campaign.is_finished:
        raise CampaignError(_("La campagne est terminée : ses informations ne changent plus."))
    for name, value in fields.items():
        setattr(campaign, name, value)
    campaign.save(update_fields=list(fields))
    return campaign


@transaction.atomic
def campaign_start(*, campaign: Campaign, actor: User, on: date | None = None) -> Campaign:
    """The campaign goes live: it now counts as launched, and the dossier is "en cours"."""
    on = on or timezone.localdate()
    # The actual start replaces the planned one.
    updated = Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.PREPARING).update(
        status=CampaignStatus.RUNNING, launched_on=on, starts_on=on
    )
    if not updated:
        raise CampaignError(_("Cette campagne n'est pas en préparation."))
    campaign.refresh_from_db()
    project_services.project_start_campaign(
        project=campaign.project, actor=actor, note=str(campaign.platform)
    )
    return campaign


@transaction.atomic
def snapshot_add(
    *,
    campaign: Campaign,
    actor: User,
    amount: Decimal,
    contributors: int,
    source: str,
    taken_at: datetime | None = None,
) -> FigureSnapshot:
    if campaign.launched_on is None:
        raise CampaignError(_("La campagne n'est pas encore lancée."))
    taken_at = taken_at or timezone.now()
    if taken_at > timezone.now() + timezone.timedelta(minutes=5):
        raise CampaignError(_("Un relevé ne peut pas être daté dans le futur."))
    snapshot = FigureSnapshot.objects.create(
        campaign=campaign,
        taken_at=taken_at,
        amount=amount,
        contributors=contributors,
        source=source,
        entered_by=actor,
    )
    # The campaign keeps its latest figures; an older snapshot entered late changes nothing.
    Campaign.objects.filter(pk=campaign.pk).filter(
        Q(declared_at__isnull=True) | Q(declared_at__lte=taken_at)
    ).update(declared_amount=amount, declared_contributors=contributors, declared_at=taken_at)
    return snapshot


@transaction.atomic
def campaign_finish(
    *,
    campaign: Campaign,
    actor: User,
    outcome: str,
    final_amount: Decimal,
    final_contributors: int,
    on: date | None = None,
) -> Campaign:
    """Record the final result (réussie, échouée or annulée); the dossier's campaign ends."""
    if outcome not in (CampaignStatus.SUCCEEDED, CampaignStatus.FAILED, CampaignStatus.CANCELLED):
        raise CampaignError(_("Issue de campagne inconnue."))
    on = on or timezone.localdate()
    if campaign.starts_on and on < campaign.starts_on:
        raise CampaignError(_("Une campagne ne peut pas se terminer avant d'avoir commencé."))
    updated = Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.RUNNING).update(
        status=outcome,
        finished_on=on,
        ends_on=on if campaign.ends_on is None or campaign.ends_on > on else campaign.ends_on,
        final_amount=final_amount,
        final_contributors=final_contributors,
    )
    if not updated:
        raise CampaignError(_("Seule une campagne en cours peut se terminer."))
    campaign.refresh_from_db()
    project_services.project_end_campaign(
        project=campaign.project, actor=actor, note=campaign.get_status_display()
    )
    return campaign


@transaction.atomic
def campaign_cancel_preparation(*, campaign: Campaign, actor: User) -> Campaign:
    """A campaign dropped before it went live: it never counts as launched."""
    updated = Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.PREPARING).update(
        status=CampaignStatus.CANCELLED
    )
    if not updated:
        raise CampaignError(_("Seule une campagne en préparation peut être abandonnée ainsi."))
    campaign.refresh_from_db()
    # The public pages go back to the previous campaign that went live, if any.
    previous = (
        Campaign.objects.filter(project=campaign.project_id, launched_on__isnull=False)
        .order_by("-launched_on", "-id")
        .first()
    )
    Project.objects.filter(pk=campaign.project_id).update(current_campaign=previous)
    return campaign


@transaction.atomic
def campaign_record_follow_up(
    *,
    campaign: Campaign,
    actor: User,
    rewards_delivered: str,
    rewards_delivered_on: date | None,
    project_carried_out: bool | None,
) -> Campaign:
    if not campaign.is_finished:
        raise CampaignError(_("Le suivi se renseigne une fois la campagne terminée."))
    campaign.rewards_delivered = rewards_delivered
    campaign.rewards_delivered_on = rewards_delivered_on
    campaign.project_carried_out = project_carried_out
    campaign.save(
        update_fields=["rewards_delivered", "rewards_delivered_on", "project_carried_out"]
    )
    return campaign


@transaction.atomic
def project_place_on_map(
    *, project: Project, actor: User, latitude: Decimal | None, longitude: Decimal | None
) -> None:
    """The cheffe places (or, with empty values, un-places) the project's marker by hand."""
    project.latitude, project.longitude = latitude, longitude
    project.save(update_fields=["latitude", "longitude", "updated_at"])


@transaction.atomic
def project_set_publication(*, project: Project, actor: User, agreed: bool) -> None:
    project.publish_agreed = agreed
    project.save(update_fields=["publish_agreed", "updated_at"])


def commune_set_location(*, commune: Commune, latitude: Decimal, longitude: Decimal) -> None:
    Commune.objects.filter(pk=commune.pk).update(latitude=latitude, longitude=longitude)


def campaign_refresh_declared(*, campaign: Campaign) -> None:
    """Recompute the campaign's latest declared figures from its snapshots (imports, demo)."""
    latest = campaign.snapshots.order_by("-taken_at", "-id").first()
    Campaign.objects.filter(pk=campaign.pk).update(
        declared_amount=latest.amount if latest else None,
        declared_contributors=latest.contributors if latest else None,
        declared_at=latest.taken_at if latest else None,
    )


# --- Personal data ------------------------------------------------------------------------

# A campaign's address names the project (and often its porteur); its figures stay.
personal_data.register(
    Campaign,
    dossier="project",
    personal={"url": BLANK},
    keep={
        "financing_type": "a code; the figures",
        "collection_model": "a code; the figures",
        "status": "a code; the figures",
        "rewards_delivered": "a code",
    },
)
personal_data.register(
    FigureSnapshot, dossier="campaign__project", keep={"source": "a code; the figures"}
)
personal_data.register(
    Platform,
    dossier=None,
    keep={"name": "reference data", "slug": "reference data", "website": "reference data"},
)
