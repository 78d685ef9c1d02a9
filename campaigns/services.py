"""Campaigns: creation, start, declared figures, end and follow-up; and the map's locations.

Starting and ending a campaign move the dossier through projects.services.
"""

from datetime import date, datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import ServiceRefused
from projects import personal_data
from projects import services as project_services
from projects.models import Commune, Project, Status
from projects.permissions import can_manage_projects
from projects.personal_data import BLANK, WITH_ROW
from propulsons.dates import out_of_range
from propulsons.public_cache import public_content_changed

from .models import (
    OPEN_CAMPAIGN_STATUSES,
    Campaign,
    CampaignStatus,
    FigureReview,
    FigureSnapshot,
    Platform,
    Presentation,
    ProjectNews,
)


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
    if problem := out_of_range(starts_on, ends_on):
        raise CampaignError(problem)
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
    public_content_changed()
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, actor: User, **fields) -> Campaign:
    if campaign.is_finished:
        raise CampaignError(_("La campagne est terminée : ses informations ne changent plus."))
    if problem := out_of_range(*(fields.get(name) for name in ("starts_on", "ends_on"))):
        raise CampaignError(problem)
    for name, value in fields.items():
        setattr(campaign, name, value)
    campaign.save(update_fields=list(fields))
    public_content_changed()
    return campaign


@transaction.atomic
def campaign_start(*, campaign: Campaign, actor: User, on: date | None = None) -> Campaign:
    """The campaign goes live: it now counts as launched, and the dossier is "en cours"."""
    on = on or timezone.localdate()
    if problem := out_of_range(on):
        raise CampaignError(problem)
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
    public_content_changed()
    return campaign


# What a campaign's figures may say: a local campaign collects far less than this, and a
# figure beyond it is a typing slip (or worse) that would go straight to the public figures.
FIGURES_MAX_AMOUNT = Decimal("1000000")
FIGURES_MAX_GOAL_MULTIPLE = 10
FIGURES_MAX_CONTRIBUTORS = 100_000


def figures_problems(*, campaign: Campaign, amount: Decimal, contributors: int) -> dict[str, str]:
    """Why figures cannot be right, by field (empty when they can): shared by the forms, which
    show each message next to its field, and by the services, which refuse the same."""
    problems: dict[str, str] = {}
    if amount > FIGURES_MAX_AMOUNT:
        problems["amount"] = _("Vérifiez le montant : au plus %(max)s €.") % {
            "max": number_format(FIGURES_MAX_AMOUNT, 0, force_grouping=True)
        }
    elif campaign.goal and amount > campaign.goal * FIGURES_MAX_GOAL_MULTIPLE:
        problems["amount"] = _(
            "Vérifiez le montant : il dépasse %(multiple)s fois l'objectif (%(goal)s €)."
        ) % {
            "multiple": FIGURES_MAX_GOAL_MULTIPLE,
            "goal": number_format(campaign.goal, 0, force_grouping=True),
        }
    if contributors > FIGURES_MAX_CONTRIBUTORS:
        problems["contributors"] = _("Vérifiez le nombre de contributeurs : au plus %(max)s.") % {
            "max": number_format(FIGURES_MAX_CONTRIBUTORS, 0, force_grouping=True)
        }
    elif contributors > amount:
        problems["contributors"] = _(
            "Vérifiez le nombre de contributeurs : chacun apporte au moins 1 €, ils ne peuvent "
            "pas être plus nombreux que les euros collectés."
        )
    return problems


def _keep_latest_accepted(snapshot: FigureSnapshot) -> None:
    # The campaign keeps its latest accepted figures; an older snapshot changes nothing.
    Campaign.objects.filter(pk=snapshot.campaign_id).filter(
        Q(declared_at__isnull=True) | Q(declared_at__lte=snapshot.taken_at)
    ).update(
        declared_amount=snapshot.amount,
        declared_contributors=snapshot.contributors,
        declared_at=snapshot.taken_at,
    )


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
    """New figures. The team's count at once; a porteur's wait for the team's check."""
    if campaign.launched_on is None:
        raise CampaignError(_("La campagne n'est pas encore lancée."))
    taken_at = taken_at or timezone.now()
    if taken_at > timezone.now() + timezone.timedelta(minutes=5):
        raise CampaignError(_("Un relevé ne peut pas être daté dans le futur."))
    if problem := out_of_range(taken_at):
        raise CampaignError(problem)
    problems = figures_problems(campaign=campaign, amount=amount, contributors=contributors)
    if problems:
        raise CampaignError(" ".join(problems.values()))
    by_team = can_manage_projects(actor)
    snapshot = FigureSnapshot.objects.create(
        campaign=campaign,
        taken_at=taken_at,
        amount=amount,
        contributors=contributors,
        source=source,
        entered_by=actor,
        review=FigureReview.ACCEPTED if by_team else FigureReview.PENDING,
        reviewed_by=actor if by_team else None,
        reviewed_at=timezone.now() if by_team else None,
    )
    if by_team:
        _keep_latest_accepted(snapshot)
        public_content_changed()
    return snapshot


@transaction.atomic
def snapshot_review(*, snapshot: FigureSnapshot, actor: User, accept: bool) -> FigureSnapshot:
    """The team accepts (the figures become public) or rejects a porteur's declaration."""
    if not can_manage_projects(actor):
        raise CampaignError(_("Seule l'équipe vérifie les chiffres déclarés."))
    # Only a pending declaration changes: a double click or two cheffes cannot both decide.
    updated = FigureSnapshot.objects.filter(pk=snapshot.pk, review=FigureReview.PENDING).update(
        review=FigureReview.ACCEPTED if accept else FigureReview.REJECTED,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
    )
    if not updated:
        raise CampaignError(_("Ces chiffres ont déjà été vérifiés."))
    snapshot.refresh_from_db()
    if accept:
        _keep_latest_accepted(snapshot)
        public_content_changed()
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
    jobs_created: int | None = None,
    jobs_kept: int | None = None,
) -> Campaign:
    """Record the final result (réussie, échouée or interrompue) and, when known, the jobs the
    project created and kept; the dossier's campaign ends."""
    if outcome not in (CampaignStatus.SUCCEEDED, CampaignStatus.FAILED, CampaignStatus.CANCELLED):
        raise CampaignError(_("Issue de campagne inconnue."))
    problems = figures_problems(
        campaign=campaign, amount=final_amount, contributors=final_contributors
    )
    if problems:
        raise CampaignError(" ".join(problems.values()))
    on = on or timezone.localdate()
    if problem := out_of_range(on):
        raise CampaignError(problem)
    if campaign.starts_on and on < campaign.starts_on:
        raise CampaignError(_("Une campagne ne peut pas se terminer avant d'avoir commencé."))
    updated = Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.RUNNING).update(
        status=outcome,
        finished_on=on,
        ends_on=on if campaign.ends_on is None or campaign.ends_on > on else campaign.ends_on,
        final_amount=final_amount,
        final_contributors=final_contributors,
        jobs_created=jobs_created,
        jobs_kept=jobs_kept,
    )
    if not updated:
        raise CampaignError(_("Seule une campagne en cours peut se terminer."))
    campaign.refresh_from_db()
    project_services.project_end_campaign(
        project=campaign.project, actor=actor, note=campaign.get_status_display()
    )
    public_content_changed()
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
    public_content_changed()
    return campaign


@transaction.atomic
def campaign_record_follow_up(
    *,
    campaign: Campaign,
    actor: User,
    rewards_delivered: str,
    rewards_delivered_on: date | None,
    project_carried_out: bool | None,
    jobs_created: int | None = None,
    jobs_kept: int | None = None,
) -> Campaign:
    if not campaign.is_finished:
        raise CampaignError(_("Le suivi se renseigne une fois la campagne terminée."))
    if problem := out_of_range(rewards_delivered_on):
        raise CampaignError(problem)
    campaign.rewards_delivered = rewards_delivered
    campaign.rewards_delivered_on = rewards_delivered_on
    campaign.project_carried_out = project_carried_out
    campaign.jobs_created = jobs_created
    campaign.jobs_kept = jobs_kept
    campaign.save(
        update_fields=[
            "rewards_delivered",
            "rewards_delivered_on",
            "project_carried_out",
            "jobs_created",
            "jobs_kept",
        ]
    )
    public_content_changed()
    return campaign


@transaction.atomic
def project_place_on_map(
    *, project: Project, actor: User, latitude: Decimal | None, longitude: Decimal | None
) -> None:
    """The cheffe places (or, with empty values, un-places) the project's marker by hand."""
    project.latitude, project.longitude = latitude, longitude
    project.save(update_fields=["latitude", "longitude", "updated_at"])
    public_content_changed()


@transaction.atomic
def project_set_publication(*, project: Project, actor: User, agreed: bool) -> None:
    project.publish_agreed = agreed
    project.save(update_fields=["publish_agreed", "updated_at"])
    public_content_changed()


def commune_set_location(*, commune: Commune, latitude: Decimal, longitude: Decimal) -> None:
    Commune.objects.filter(pk=commune.pk).update(latitude=latitude, longitude=longitude)
    public_content_changed()


def campaign_refresh_declared(*, campaign: Campaign) -> None:
    """Recompute the campaign's latest accepted figures from its snapshots (imports, demo)."""
    latest = (
        campaign.snapshots.filter(review=FigureReview.ACCEPTED).order_by("-taken_at", "-id").first()
    )
    Campaign.objects.filter(pk=campaign.pk).update(
        declared_amount=latest.amount if latest else None,
        declared_contributors=latest.contributors if latest else None,
        declared_at=latest.taken_at if latest else None,
    )
    public_content_changed()


# --- The public page: cover, video, news --------------------------------------------------


def presentation_update(
    *,
    project: Project,
    actor: User,
    cover=None,
    cover_alt: str,
    video_url: str,
    remove_cover: bool = False,
) -> Presentation:
    """Set the public page's cover (a new upload replaces the old one, whose files go once the
    change has committed), its text alternative and the video's address."""
    from . import covers

    new_stem, new_widths = covers.make_variants(cover, project_id=project.pk) if cover else ("", [])
    try:
        with transaction.atomic():
            presentation, _created = Presentation.objects.select_for_update().get_or_create(
                project=project
            )
            old_stem, old_widths = presentation.cover_stem, presentation.cover_widths
            if cover or remove_cover:
                presentation.cover_stem, presentation.cover_widths = new_stem, new_widths
            presentation.cover_alt = cover_alt if presentation.cover_stem else ""
            presentation.video_url = video_url
            presentation.save()
            if (cover or remove_cover) and old_stem:
                transaction.on_commit(lambda: covers.remove_variants(old_stem, old_widths))
    except BaseException:
        covers.remove_variants(new_stem, new_widths)
        raise
    public_content_changed()
    return presentation


@transaction.atomic
def news_add(*, project: Project, actor: User, published_on: date, text: str) -> ProjectNews:
    news = ProjectNews.objects.create(
        project=project, author=actor, published_on=published_on, text=text.strip()
    )
    public_content_changed()
    return news


@transaction.atomic
def news_delete(*, news: ProjectNews, actor: User) -> None:
    ProjectNews.objects.filter(pk=news.pk).delete()
    public_content_changed()


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
    FigureSnapshot,
    dossier="campaign__project",
    keep={"source": "a code; the figures", "review": "a code: the team's check of the figures"},
)
personal_data.register(
    Platform,
    dossier=None,
    keep={"name": "reference data", "slug": "reference data", "website": "reference data"},
)
# The porteur's own words and pictures about the project: gone with the dossier's rows.
personal_data.register(
    Presentation,
    dossier="project",
    delete_rows=True,
    personal={
        "cover_stem": WITH_ROW,
        "cover_widths": WITH_ROW,
        "cover_alt": WITH_ROW,
        "video_url": WITH_ROW,
    },
)
personal_data.register(
    ProjectNews,
    dossier="project",
    delete_rows=True,
    personal={"published_on": WITH_ROW, "text": WITH_ROW, "author": WITH_ROW},
)
