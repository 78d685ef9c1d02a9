"""Reads of the coaching data that more than one view, task or service needs."""

from datetime import date, datetime

from django.db.models import DateTimeField, F, OuterRef, QuerySet, Subquery

from accounts.models import User
from projects.models import ACTIVE_STATUSES, Commune, Project, Status, StatusChange
from propulsons.dates import local_day

from . import rules


def _status_reached_at(status: str) -> Subquery:
    """When the dossier last entered `status` (an annotation)."""
    return Subquery(
        StatusChange.objects.filter(project=OuterRef("pk"), to_status=status)
        .order_by("-created_at")
        .values("created_at")[:1],
        output_field=DateTimeField(),
    )


def with_campaign_dates(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Annotate each dossier with when its campaign started and ended, as recorded by its
    status history ("campagne en cours", "campagne terminée")."""
    return projects.annotate(
        campaign_started_at=_status_reached_at(Status.CAMPAIGN_RUNNING),
        campaign_ended_at=_status_reached_at(Status.CAMPAIGN_ENDED),
    )


def campaign_dates(project: Project) -> tuple[date | None, date | None]:
    dated = with_campaign_dates(Project.objects.filter(pk=project.pk)).values(
        "campaign_started_at", "campaign_ended_at"
    )[0]
    return _local_date(dated["campaign_started_at"]), _local_date(dated["campaign_ended_at"])


def _local_date(moment: datetime | None) -> date | None:
    return local_day(moment) if moment else None


# How many of her active dossiers the quick entry suggests (a <datalist>).
SUGGESTIONS = 100


def active_dossiers(user: User) -> list[Project]:
    """A cheffe's active dossiers, those waiting longest for news first, up to SUGGESTIONS:
    her dashboard's table (the first of them) and the quick entry's suggestions (all of
    them, by `suggested`). Beyond SUGGESTIONS active dossiers, the ones with the freshest
    news are left out of the suggestions: they are the least likely to need a call."""
    # The commune's name read per dossier shown (`commune_name`), not joined: for her few
    # dossiers the planner hashed the département's 890 communes, the query's main cost.
    commune_name = Commune.objects.filter(pk=OuterRef("commune_id")).values("name")[:1]
    return list(
        Project.objects.filter(coach=user, status__in=ACTIVE_STATUSES)
        .only("reference", "title", "status", "last_interaction_on", "status_changed_at")
        .annotate(commune_name=Subquery(commune_name))
        .order_by(F("last_interaction_on").asc(nulls_first=True), "title")[:SUGGESTIONS]
    )


def suggested(dossiers: list[Project]) -> list[Project]:
    """The quick entry's suggestions: the dossiers that moved last first."""
    return sorted(dossiers, key=lambda project: project.status_changed_at, reverse=True)


def dossier_coaching(project: Project, *, include_internal: bool) -> dict:
    """What a dossier page shows of its coaching: the first meeting and the exchanges.

    Internal notes and reminders only for those allowed to read them (the team; the committee
    while the dossier is before it); the porteur gets the shared notes only.
    """
    from .models import FirstMeeting, Interaction, Reminder

    meeting = (
        FirstMeeting.objects.filter(project=project)
        .select_related("target_platform")
        .prefetch_related("financing_lines", "rewards")
        .first()
    )
    interactions = Interaction.objects.filter(project=project).select_related("author")
    context = {"meeting": meeting, "include_internal": include_internal}
    if meeting is not None:
        lines = list(meeting.financing_lines.all())
        context["plan_lines"] = lines
        context["plan_total"], context["plan_share"] = _plan_totals(lines)
    if include_internal:
        context["interactions"] = interactions
        context["reminders"] = (
            Reminder.objects.pending().filter(project=project).select_related("recipient")
        )
    else:
        context["interactions"] = interactions.exclude(shared_note="")
    return context


def _plan_totals(lines):
    return rules.crowdfunding_share(
        [{"amount": line.amount, "source": line.source} for line in lines]
    )
