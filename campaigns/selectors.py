"""The key figures, the funnel and the public catalogue: every figure is a SQL aggregate.

What counts (also written on the figures page):
- a campaign is *launched* once it went live on its platform; an interrupted (cancelled) or
  failed campaign still counts as launched;
- its *amount* and *contributors* are the final result once it ended, else its latest declared
  figures; a failed all-or-nothing campaign collected nothing (contributors were refunded);
- the success rate is succeeded / ended (succeeded, failed or interrupted);
- a period counts the campaigns launched in it, and the funnel's steps by the date each dossier
  reached the step.
"""

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy

from projects.models import Project, Status, StatusChange
from propulsons import public_cache

from .models import Campaign, CampaignStatus, CollectionModel, FigureReview, FigureSnapshot

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=12, decimal_places=2))


def day_start(day: date) -> datetime:
    """Midnight at the start of `day`, Paris time."""
    return timezone.make_aware(datetime.combine(day, time.min))


def figures_start() -> date:
    return date.fromisoformat(settings.FIGURES_START)


def with_figures(campaigns: QuerySet[Campaign]) -> QuerySet[Campaign]:
    """Annotate each campaign with what it counts for: `collected` and `backers` (the final
    result, else the latest declared figures; nothing for a failed all-or-nothing one)."""
    refunded = Q(status=CampaignStatus.FAILED, collection_model=CollectionModel.ALL_OR_NOTHING)
    return campaigns.annotate(
        collected=Case(
            When(refunded, then=ZERO),
            default=Coalesce("final_amount", "declared_amount", ZERO),
            output_field=DecimalField(max_digits=12, decimal_places=2),
        ),
        backers=Case(
            When(refunded, then=Value(0)),
            default=Coalesce("final_contributors", "declared_contributors", Value(0)),
            output_field=IntegerField(),
        ),
    )


@dataclass
class KeyFigures:
    launched: int
    contributors: int
    collected: Decimal
    succeeded: int
    ended: int
    # As the porteurs report them with the final result or in the follow-up.
    jobs_created: int = 0
    jobs_kept: int = 0
    projects_creating_jobs: int = 0

    @property
    def success_rate(self) -> int | None:
        return round(100 * self.succeeded / self.ended) if self.ended else None

    @property
    def average_contribution(self) -> Decimal | None:
        if not self.contributors:
            return None
        return (self.collected / self.contributors).quantize(Decimal("1"))


def key_figures(start: date | None = None, end: date | None = None) -> KeyFigures:
    """Campaigns launched in [start, end] (every campaign when no bounds), in one query."""
    campaigns = Campaign.objects.launched()
    if start:
        campaigns = campaigns.filter(launched_on__gte=start)
    if end:
        campaigns = campaigns.filter(launched_on__lte=end)
    ended = [CampaignStatus.SUCCEEDED, CampaignStatus.FAILED, CampaignStatus.CANCELLED]
    totals = with_figures(campaigns).aggregate(
        launched=Count("id"),
        contributors=Coalesce(Sum("backers"), Value(0)),
        # (an aggregate may not share its name with the annotation it sums)
        total_collected=Coalesce(Sum("collected"), ZERO),
        succeeded=Count("id", filter=Q(status=CampaignStatus.SUCCEEDED)),
        ended=Count("id", filter=Q(status__in=ended)),
        total_jobs_created=Coalesce(Sum("jobs_created"), Value(0)),
        total_jobs_kept=Coalesce(Sum("jobs_kept"), Value(0)),
        projects_creating_jobs=Count("project", distinct=True, filter=Q(jobs_created__gt=0)),
    )
    for name in ("collected", "jobs_created", "jobs_kept"):
        totals[name] = totals.pop(f"total_{name}")
    return KeyFigures(**totals)


@dataclass
class FunnelStep:
    label: str
    count: int
    percent_of_first: int | None = None


FUNNEL_STEPS = [
    (Status.CONTACT, "Prises de contact"),
    (Status.FIRST_MEETING_DONE, "Premiers rendez-vous"),
    (Status.LABELLING_REQUESTED, "Demandes de labellisation"),
    (Status.LABELLED, "Projets labellisés"),
]


def funnel(start: date, end: date) -> list[FunnelStep]:
    """From contacts to successful campaigns, each step counted by when it happened."""
    # A range of instants (not a date extracted per row), so the status index serves it.
    window = Q(created_at__gte=day_start(start), created_at__lt=day_start(end + timedelta(days=1)))
    # The steps' statuses in the WHERE too: the (to_status, created_at) index then reads only
    # the changes counted, not every change of the period.
    counted = [status for status, _ in FUNNEL_STEPS]
    by_status = StatusChange.objects.filter(window, to_status__in=counted).aggregate(
        **{
            status.value: Count("project", distinct=True, filter=Q(to_status=status))
            for status, _ in FUNNEL_STEPS
        }
    )
    launched = Q(launched_on__gte=start, launched_on__lte=end)
    succeeded = Q(status=CampaignStatus.SUCCEEDED, finished_on__gte=start, finished_on__lte=end)
    # Only the period's campaigns are read (the indexes on launched_on and on status and
    # finished_on), then each counted where it belongs.
    campaigns = Campaign.objects.filter(launched | succeeded).aggregate(
        launched=Count("id", filter=launched),
        succeeded=Count("id", filter=succeeded),
    )
    steps = [FunnelStep(label, by_status[status.value]) for status, label in FUNNEL_STEPS]
    steps.append(FunnelStep("Campagnes lancées", campaigns["launched"]))
    steps.append(FunnelStep("Campagnes réussies", campaigns["succeeded"]))
    first = steps[0].count
    for step in steps:
        step.percent_of_first = round(100 * step.count / first) if first else None
    return steps


# --- The public catalogue -------------------------------------------------------------------


class PublicStatus:
    UPCOMING = "a-venir"
    RUNNING = "en-cours"
    LAST_STRETCH = "derniere-ligne-droite"
    SUCCEEDED = "reussie"

    CHOICES = [
        (UPCOMING, "À venir"),
        (RUNNING, "En cours"),
        (LAST_STRETCH, "Dernière ligne droite"),
        (SUCCEEDED, "Réussie"),
    ]


LAST_STRETCH_DAYS = 7


def public_projects(projects: QuerySet[Project] | None = None) -> QuerySet[Project]:
    """Labelled projects whose porteur agreed to publication (or those of `projects`, a
    queryset of published ones: the catalogue's filtered set), with their current campaign's
    figures as annotations: one query, joins only, whatever the number of projects."""
    campaign = "current_campaign__"
    refunded = Q(
        current_campaign__status=CampaignStatus.FAILED,
        current_campaign__collection_model=CollectionModel.ALL_OR_NOTHING,
    )
    return (
        (Project.objects.published() if projects is None else projects)
        .select_related("commune")
        .annotate(
            campaign_status=F(f"{campaign}status"),
            campaign_goal=F(f"{campaign}goal"),
            campaign_starts_on=F(f"{campaign}starts_on"),
            campaign_ends_on=F(f"{campaign}ends_on"),
            campaign_collected=Case(
                When(refunded, then=ZERO),
                default=Coalesce(f"{campaign}final_amount", f"{campaign}declared_amount"),
                output_field=DecimalField(max_digits=12, decimal_places=2),
            ),
            campaign_backers=Case(
                When(refunded, then=Value(0)),
                default=Coalesce(
                    f"{campaign}final_contributors", f"{campaign}declared_contributors"
                ),
                output_field=IntegerField(),
            ),
            campaign_updated_at=F(f"{campaign}declared_at"),
            campaign_platform=F(f"{campaign}platform__name"),
            campaign_platform_slug=F(f"{campaign}platform__slug"),
            campaign_financing=F(f"{campaign}financing_type"),
            campaign_url=F(f"{campaign}url"),
            campaign_jobs_created=F(f"{campaign}jobs_created"),
            campaign_jobs_kept=F(f"{campaign}jobs_kept"),
        )
    )


class MapStatus:
    """What a marker's colour and shape say, in the map's legend."""

    RUNNING = "running"
    UPCOMING = "upcoming"
    SUCCEEDED = "succeeded"
    ENDED = "ended"

    CHOICES = [
        (RUNNING, gettext_lazy("Campagne en cours")),
        (UPCOMING, gettext_lazy("Campagne à venir")),
        (SUCCEEDED, gettext_lazy("Campagne réussie")),
        (ENDED, gettext_lazy("Campagne terminée")),
    ]


def _map_status(campaign_status: str | None) -> str:
    if campaign_status == CampaignStatus.RUNNING:
        return MapStatus.RUNNING
    if campaign_status == CampaignStatus.SUCCEEDED:
        return MapStatus.SUCCEEDED
    if campaign_status in (CampaignStatus.FAILED, CampaignStatus.CANCELLED):
        return MapStatus.ENDED
    return MapStatus.UPCOMING


MAP_FIELDS = (
    "title",
    "slug",
    "latitude",
    "longitude",
    "commune__name",
    "commune__arrondissement_name",
    "commune__latitude",
    "commune__longitude",
    "campaign_status",
    "campaign_goal",
    "campaign_collected",
    "presentation__cover_stem",
    "presentation__cover_widths",
)


def map_values() -> QuerySet:
    """The published projects as the map's rows (values, not objects: it lists them all), in
    the table's order."""
    return public_projects().order_by("commune__name", "title", "pk").values(*MAP_FIELDS)


def map_rows(rows=None) -> Iterator[dict]:
    """What the map needs of the published projects (`rows`, from map_values(): all of them by
    default, or a page of them), each placed by hand or at the centre of its commune, with its
    campaign's state."""
    for row in map_values().iterator(chunk_size=500) if rows is None else rows:
        latitude = row["latitude"] or row["commune__latitude"]
        longitude = row["longitude"] or row["commune__longitude"]
        yield {
            "title": row["title"],
            "slug": row["slug"],
            "commune": row["commune__name"],
            "arrondissement": row["commune__arrondissement_name"],
            "lat": float(latitude) if latitude is not None else None,
            "lng": float(longitude) if longitude is not None else None,
            "status": _map_status(row["campaign_status"]),
            "goal": row["campaign_goal"],
            "collected": row["campaign_collected"],
            # The smallest variant of the cover, for the popup; None without one.
            "cover_stem": row["presentation__cover_stem"] or "",
            "cover_width": min(row["presentation__cover_widths"] or [0]) or None,
        }


def published_count() -> int:
    """How many projects are published (the catalogue's and the map's total): the same until
    the public content changes, so counted once per content version."""
    return public_cache.versioned_data("published-count", Project.objects.published().count)


def map_legend_counts() -> dict[str, int]:
    """How many projects are on the map in each of the legend's states: the same for every
    page of the map's table until the public content changes, so counted once per content
    version (counted at each render, it was two thirds of the page's time at 20 000
    published projects)."""
    return public_cache.versioned_data("map-legend", _count_map_legend)


def _count_map_legend() -> dict[str, int]:
    located = Q(latitude__isnull=False) | Q(commune__latitude__isnull=False)
    counts = {status: 0 for status, _label in MapStatus.CHOICES}
    # On the bare published projects: only the joins the count needs (campaign, commune), not
    # those of public_projects()' annotations.
    rows = (
        Project.objects.published()
        .filter(located)
        .values("current_campaign__status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[_map_status(row["current_campaign__status"])] += row["n"]
    return counts


def filter_public_status(projects: QuerySet[Project], public_status: str) -> QuerySet[Project]:
    """The projects (published ones, annotated or not) whose campaign is in `public_status`.
    Written on the campaign's fields rather than on public_projects' annotations, so that the
    catalogue counts its filtered set without the annotations' joins."""
    today = timezone.localdate()
    stretch = today + timedelta(days=LAST_STRETCH_DAYS)
    if public_status == PublicStatus.UPCOMING:
        return projects.filter(
            Q(current_campaign__isnull=True) | Q(current_campaign__status=CampaignStatus.PREPARING)
        )
    if public_status == PublicStatus.RUNNING:
        return projects.filter(current_campaign__status=CampaignStatus.RUNNING)
    if public_status == PublicStatus.LAST_STRETCH:
        return projects.filter(
            current_campaign__status=CampaignStatus.RUNNING,
            current_campaign__ends_on__lte=stretch,
        )
    if public_status == PublicStatus.SUCCEEDED:
        return projects.filter(current_campaign__status=CampaignStatus.SUCCEEDED)
    return projects


def pending_declarations() -> QuerySet[FigureSnapshot]:
    """Figures porteurs declared that the team has not checked yet, oldest first."""
    return (
        FigureSnapshot.objects.filter(review=FigureReview.PENDING)
        .select_related("campaign__project")
        .order_by("created_at", "id")
    )


def with_progress(project: Project) -> Project:
    """Figures the catalogue and the project page print as text (and draw as a bar)."""
    goal, collected = project.campaign_goal, project.campaign_collected
    project.progress = (
        min(round(100 * collected / goal), 999) if goal and collected is not None else None
    )
    project.progress_bar = min(project.progress or 0, 100)
    ends_on = project.campaign_ends_on
    project.days_left = (
        (ends_on - timezone.localdate()).days
        if ends_on and project.campaign_status == CampaignStatus.RUNNING
        else None
    )
    return project


def home_context() -> dict:
    """The home page's key figures, running campaigns and success stories. The key figures sum
    every campaign (a read of the whole table): the same for every visitor, logged in or not,
    until the public content changes, so read once per content version."""
    return {
        "key_figures": public_cache.versioned_data("home-key-figures", key_figures),
        **home_campaigns(),
    }


def dossier_campaigns(project: Project, *, for_team: bool) -> dict:
    """What a dossier page shows of its campaigns (its forms: forms.dossier_campaign_forms)."""
    campaigns = list(
        with_figures(Campaign.objects.filter(project=project))
        .select_related("platform")
        .prefetch_related("snapshots")
        .order_by("-id")
    )
    # Kept for the dossier's next step (sections.campaigns_facts), which would read them again.
    project.loaded_campaigns = campaigns
    context = {"campaigns": campaigns, "current_campaign": campaigns[0] if campaigns else None}
    if for_team:
        context["can_prepare_campaign"] = project.status == Status.LABELLED
    return context


@dataclass
class YearFigures:
    year: int
    launched: int
    succeeded: int
    ended: int
    collected: Decimal

    @property
    def success_rate(self) -> int | None:
        return round(100 * self.succeeded / self.ended) if self.ended else None


def figures_per_year() -> list[YearFigures]:
    """Campaigns launched each calendar year, in one grouped query."""
    return _years(_rows_per_year())


def figures_all_time() -> tuple[KeyFigures, list[YearFigures]]:
    """Every campaign launched, in total and per calendar year: the total summed from the one
    grouped query of the years (the figures page read every campaign twice before), and the
    projects creating jobs counted apart (a project may count in two years, once in total)
    from a small partial index."""
    rows = _rows_per_year()
    total = KeyFigures(
        launched=sum(row["launched"] for row in rows),
        contributors=sum(row["contributors"] for row in rows),
        collected=sum((row["total_collected"] for row in rows), Decimal("0")),
        succeeded=sum(row["succeeded"] for row in rows),
        ended=sum(row["ended"] for row in rows),
        jobs_created=sum(row["total_jobs_created"] for row in rows),
        jobs_kept=sum(row["total_jobs_kept"] for row in rows),
        projects_creating_jobs=Campaign.objects.launched()
        .filter(jobs_created__gt=0)
        .values("project")
        .distinct()
        .count(),
    )
    return total, _years(rows)


def _rows_per_year() -> list[dict]:
    ended = [CampaignStatus.SUCCEEDED, CampaignStatus.FAILED, CampaignStatus.CANCELLED]
    return list(
        with_figures(Campaign.objects.launched())
        .annotate(year=ExtractYear("launched_on"))
        .values("year")
        .annotate(
            launched=Count("id"),
            succeeded=Count("id", filter=Q(status=CampaignStatus.SUCCEEDED)),
            ended=Count("id", filter=Q(status__in=ended)),
            total_collected=Coalesce(Sum("collected"), ZERO),
            contributors=Coalesce(Sum("backers"), Value(0)),
            total_jobs_created=Coalesce(Sum("jobs_created"), Value(0)),
            total_jobs_kept=Coalesce(Sum("jobs_kept"), Value(0)),
        )
        .order_by("year")
    )


def _years(rows: list[dict]) -> list[YearFigures]:
    by_year = {
        row["year"]: YearFigures(
            year=row["year"],
            launched=row["launched"],
            succeeded=row["succeeded"],
            ended=row["ended"],
            collected=row["total_collected"],
        )
        for row in rows
    }
    if not by_year:
        return []
    # A year without a campaign shows as zero rather than vanishing from the chart.
    return [
        by_year.get(year, YearFigures(year, 0, 0, 0, Decimal("0")))
        for year in range(min(by_year), max(by_year) + 1)
    ]


@dataclass
class ArrondissementFigures:
    name: str
    contacts: int = 0
    launched: int = 0
    collected: Decimal = Decimal("0")


def figures_per_arrondissement(start: date, end: date) -> list[ArrondissementFigures]:
    """Per arrondissement of the Pas-de-Calais, as the Département asks: dossiers received and
    campaigns launched in [start, end], with what they collected (two grouped queries)."""
    contacts = (
        Project.objects.filter(
            created_at__gte=day_start(start), created_at__lt=day_start(end + timedelta(days=1))
        )
        .values("commune__arrondissement_name")
        # COUNT(*): the (created_at, commune) index alone answers it, no dossier row read.
        .annotate(count=Count("*"))
        .order_by()
    )
    launched = (
        with_figures(
            Campaign.objects.launched().filter(launched_on__gte=start, launched_on__lte=end)
        )
        .values("project__commune__arrondissement_name")
        .annotate(count=Count("id"), total_collected=Coalesce(Sum("collected"), ZERO))
        .order_by()
    )
    by_name: dict[str, ArrondissementFigures] = {}
    for row in contacts:
        name = row["commune__arrondissement_name"]
        by_name.setdefault(name, ArrondissementFigures(name)).contacts = row["count"]
    for row in launched:
        figures = by_name.setdefault(
            row["project__commune__arrondissement_name"],
            ArrondissementFigures(row["project__commune__arrondissement_name"]),
        )
        figures.launched = row["count"]
        figures.collected = row["total_collected"]
    return sorted(by_name.values(), key=lambda figures: figures.name)


def collection_curve(campaign_id: int) -> list[tuple[date, Decimal, int]]:
    """The accepted figures of a campaign over time (day, amount, contributors), for its curve."""
    rows = (
        FigureSnapshot.objects.filter(campaign_id=campaign_id, review=FigureReview.ACCEPTED)
        .order_by("taken_at", "id")
        .values_list("taken_at", "amount", "contributors")
    )
    return [
        (timezone.localtime(taken_at).date(), amount, backers) for taken_at, amount, backers in rows
    ]


# --- A project's public page and the home page ----------------------------------------------


def public_project(slug: str) -> Project | None:
    """A published project with its campaign's figures, partner and presentation (one query)."""
    # The slug is unique: no ORDER BY (first() would sort by the model's ordering, an
    # expression Django compiles at each page: 15 % of the query's cost).
    found = list(_public_project_rows().filter(slug=slug).order_by()[:1])
    return found[0] if found else None


@functools.cache
def _public_project_rows() -> QuerySet[Project]:
    """public_project's queryset, built once per process and never evaluated itself (each page
    filters a copy): its twenty annotations and joins were a third of the query's cost."""
    return (
        public_projects()
        .select_related("partner", "presentation")
        .annotate(
            campaign_finished_on=F("current_campaign__finished_on"),
            campaign_collection_model=F("current_campaign__collection_model"),
            campaign_platform_website=F("current_campaign__platform__website"),
        )
    )


@functools.cache
def _home_rows() -> tuple[QuerySet[Project], QuerySet[Project]]:
    """home_campaigns' querysets (running campaigns, successes), built once per process and
    never evaluated themselves (each page slices or filters a copy): building their
    annotations and joins at each page was a third of their cost."""
    running = (
        public_projects()
        .select_related("presentation")
        .filter(campaign_status=CampaignStatus.RUNNING)
        .order_by(F("campaign_ends_on").asc(nulls_last=True), "title")
    )
    succeeded = (
        public_projects()
        .select_related("presentation")
        .filter(campaign_status=CampaignStatus.SUCCEEDED)
        .annotate(campaign_finished_on=F("current_campaign__finished_on"))
        .order_by(F("campaign_finished_on").desc(nulls_last=True), "title")
    )
    return running, succeeded


def project_news(project_id: int) -> list:
    from .models import ProjectNews

    return list(ProjectNews.objects.filter(project_id=project_id).order_by("-published_on", "-id"))


HOME_RUNNING = 6
HOME_SUCCESSES = 3


def home_campaigns() -> dict:
    """Running campaigns, the nearest end first; then success stories, those with a cover
    image first, the most recent next (two queries, three when fewer than HOME_SUCCESSES
    successes have a cover).

    Each list is read in the order of an index (campaigns migration 0014: running campaigns
    by end date, successes by finish date, the latest first), so that PostgreSQL stops after
    the few rows the page shows instead of sorting every published project (135 ms at 50 000
    dossiers). The successes with a cover (few, found from the presentations) are read apart,
    rather than sorted first by an expression no index holds."""
    running_rows, succeeded = _home_rows()
    running = [with_progress(project) for project in running_rows[:HOME_RUNNING]]
    with_cover = Q(presentation__cover_stem__gt="")
    successes = list(succeeded.filter(with_cover)[:HOME_SUCCESSES])
    if len(successes) < HOME_SUCCESSES:
        successes += succeeded.exclude(with_cover)[: HOME_SUCCESSES - len(successes)]
    successes = [with_progress(project) for project in successes]
    from .covers import cover_context

    for project in running + successes:
        project.cover = cover_context(project.slug, getattr(project, "presentation", None))
    return {"running_projects": running, "success_stories": successes}
