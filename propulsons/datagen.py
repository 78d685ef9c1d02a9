"""A realistic dataset at a chosen scale, for benchmarks: scale 1 is about a year and a half
of today's activity (50 dossiers), scale 100 about 5 000 dossiers, 200 000 coaching exchanges,
2 000 campaigns with 50 figure snapshots each, and committee sessions with every vote. The
dossiers are spread over one cheffe de projet per 50 dossiers, the requests over sessions of
at most 12 (a real agenda): a larger dataset has more cheffes and sessions, not longer lists.

Rows are written with bulk inserts (the services would take hours at scale 100); the shapes
follow what the services write: each dossier's status history, first meetings with their plan
and rewards, reminders, requests with votes and criteria, decisions, campaigns and snapshots.
"""

import math
import random
import secrets
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import Organisation, Role, User
from campaigns.models import Campaign, CampaignStatus, FigureSnapshot, Platform
from coaching.models import FinancingLine, FirstMeeting, Interaction, Reminder, RewardTier
from labelling.models import (
    CommitteeSession,
    Criterion,
    CriterionAssessment,
    Decision,
    LabellingRequest,
    Vote,
)
from projects.models import (
    MAIN_PATH,
    Category,
    Commune,
    LegalForm,
    Project,
    Status,
    StatusChange,
)

BATCH = 5000
DOSSIERS_PER_CHEFFE = 50
REQUESTS_PER_SESSION = 12
# How dossiers end up, in proportion (the funnel: most contacts stop early).
FINAL_STATUSES = [
    (Status.CONTACT, 4),
    (Status.REORIENTED, 10),
    (Status.ABANDONED, 24),
    (Status.FIRST_MEETING_DONE, 3),
    (Status.COACHING, 10),
    (Status.LABELLING_REQUESTED, 2),
    (Status.IN_COMMITTEE, 2),
    (Status.NOT_LABELLED, 3),
    (Status.POSTPONED, 2),
    (Status.LABELLED, 2),
    (Status.CAMPAIGN_RUNNING, 4),
    (Status.CAMPAIGN_ENDED, 6),
    (Status.CLOSED, 28),
]


def _path_to(final: str) -> list[str]:
    if final in MAIN_PATH:
        return MAIN_PATH[: MAIN_PATH.index(final) + 1]
    if final == Status.REORIENTED:
        return [Status.CONTACT, Status.REORIENTED]
    if final == Status.ABANDONED:
        return [Status.CONTACT, Status.FIRST_MEETING_DONE, Status.COACHING, Status.ABANDONED]
    return [*MAIN_PATH[:5], final]  # not labelled, postponed


def _aware(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


@transaction.atomic
def generate(*, scale: float, seed: int = 62) -> dict[str, int]:
    rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
    dossiers = max(1, round(50 * scale))
    today = timezone.localdate()
    start = today - timedelta(days=365 * 10)
    communes = list(Commune.objects.values_list("pk", flat=True))
    partners = list(Organisation.objects.filter(is_prescribing_partner=True))
    organisations = list(Organisation.objects.filter(is_committee_member=True))
    platforms = list(Platform.objects.filter(is_active=True))
    criteria = list(Criterion.objects.all())
    unusable = make_password(None)
    # Each run gets its own prefix, so that datasets can be stacked.
    run = secrets.token_hex(3)

    # A cheffe de projet follows about DOSSIERS_PER_CHEFFE dossiers (the seed's volume: one
    # cheffe, 50 dossiers): a larger dataset has more cheffes, so that each one's dashboard and
    # lists hold what a real cheffe's would. The first keeps the address the bench logs in with.
    cheffes = [
        User.objects.get_or_create(
            email="cheffe.generee@propulsons.org"
            if number == 1
            else f"cheffe.generee.{number}@propulsons.org",
            defaults={"role": Role.CHEFFE, "is_staff": True, "password": unusable},
        )[0]
        for number in range(1, math.ceil(dossiers / DOSSIERS_PER_CHEFFE) + 1)
    ]
    cheffe = cheffes[0]
    members = {}
    for organisation in organisations:
        members[organisation.pk], _ = User.objects.get_or_create(
            email=f"membre.genere.{organisation.slug}@propulsons.org",
            defaults={"role": Role.COMITE, "organisation": organisation, "password": unusable},
        )

    owners = User.objects.bulk_create(
        [
            User(
                email=f"porteur.{run}.{index}@genere.invalid",
                first_name="Porteur",
                last_name=f"{index}",
                role=Role.PORTEUR,
                password=unusable,
            )
            for index in range(dossiers)
        ],
        batch_size=BATCH,
    )
    finals = rng.choices(
        [status for status, _ in FINAL_STATUSES],
        weights=[weight for _, weight in FINAL_STATUSES],
        k=dossiers,
    )
    projects = []
    paths = []
    for index, (owner, final) in enumerate(zip(owners, finals, strict=True)):
        path = _path_to(final)
        contacted = start + timedelta(days=rng.randrange(365 * 10 - 20 * len(path)))
        budget = Decimal(rng.randrange(5, 200) * 1000)
        projects.append(
            Project(
                reference=f"G{run[:3]}-{index:06d}",
                slug=f"projet-genere-{run}-{index}",
                status=final,
                owner=owner,
                coach=cheffes[index % len(cheffes)],
                contact_first_name="Porteur",
                contact_last_name=str(index),
                contact_email=owner.email,
                contact_phone="+33321000000",
                structure_name=f"Structure {index}",
                legal_form=rng.choice(LegalForm.values),
                title=f"Projet solidaire n° {index}",
                summary="Un projet de proximité du Pas-de-Calais.",
                description="Un projet généré pour mesurer les performances.",
                category=rng.choice(Category.values),
                commune_id=rng.choice(communes),
                total_budget=budget,
                crowdfunding_amount=(budget * Decimal(rng.randrange(5, 40)) / 100).quantize(
                    Decimal("1")
                ),
                financing_type="donation_rewards",
                partner=rng.choice(partners) if rng.random() < 0.8 else None,
                heard_from="partner",
                consent_at=_aware(contacted),
                publish_agreed=True,
                # Placed on the map (the cheffe does it with place_on_map): somewhere in the
                # Pas-de-Calais, so that the map and its points carry every project.
                latitude=Decimal(f"{rng.uniform(50.05, 50.95):.5f}"),
                longitude=Decimal(f"{rng.uniform(1.65, 3.10):.5f}"),
            )
        )
        paths.append((contacted, path))
    projects = Project.objects.bulk_create(projects, batch_size=BATCH)

    changes, dates = [], {}
    for project, (contacted, path) in zip(projects, paths, strict=True):
        step = rng.randrange(7, 21)
        previous = ""
        for position, status in enumerate(path):
            moment = _aware(contacted + timedelta(days=position * step))
            dates[(project.pk, status)] = moment
            changes.append(
                StatusChange(
                    project=project, from_status=previous, to_status=status, actor=project.coach
                )
            )
            previous = status
    StatusChange.objects.bulk_create(changes, batch_size=BATCH)
    # auto_now_add ignores given values: set each step's date afterwards, in bulk.
    created = list(
        StatusChange.objects.filter(project__in=projects).only("id", "project_id", "to_status")
    )
    for change in created:
        change.created_at = dates[(change.project_id, change.to_status)]
    StatusChange.objects.bulk_update(created, ["created_at"], batch_size=BATCH)
    for project, (contacted, path) in zip(projects, paths, strict=True):
        project.created_at = _aware(contacted)
        project.status_changed_at = dates[(project.pk, path[-1])]
    Project.objects.bulk_update(projects, ["created_at", "status_changed_at"], batch_size=BATCH)

    # Coaching: a first meeting for every dossier that had one, and the exchanges.
    met = [p for p in projects if (p.pk, Status.FIRST_MEETING_DONE) in dates]
    meetings = FirstMeeting.objects.bulk_create(
        [
            FirstMeeting(
                project=project,
                organiser=project.coach,
                scheduled_at=dates[(project.pk, Status.FIRST_MEETING_DONE)] - timedelta(hours=2),
                location="Lens",
                reported_at=dates[(project.pk, Status.FIRST_MEETING_DONE)],
                relevance="relevant",
                campaign_goal=project.crowdfunding_amount,
                campaign_duration_days=40,
                campaign_financing_type="donation_rewards",
                outcome="continue",
            )
            for project in met
        ],
        batch_size=BATCH,
    )
    FinancingLine.objects.bulk_create(
        [
            FinancingLine(meeting=meeting, source=source, amount=amount)
            for meeting, project in zip(meetings, met, strict=True)
            for source, amount in (
                ("own_funds", project.total_budget - project.crowdfunding_amount),
                ("crowdfunding", project.crowdfunding_amount),
            )
        ],
        batch_size=BATCH,
    )
    RewardTier.objects.bulk_create(
        [
            RewardTier(meeting=meeting, amount=Decimal(amount), description="Contrepartie")
            for meeting in meetings
            for amount in (10, 50)
        ],
        batch_size=BATCH,
    )
    interactions = []
    per_dossier = max(1, round(2000 * scale / max(1, len(met))))
    kinds = ["phone", "proofreading", "video", "communication", "meeting", "press", "networking"]
    for project in met:
        first = dates[(project.pk, Status.FIRST_MEETING_DONE)].date()
        last = project.status_changed_at.date()
        span = max(1, (last - first).days + 60)
        for _ in range(rng.randrange(max(1, per_dossier // 2), per_dossier * 3 // 2 + 1)):
            interactions.append(
                Interaction(
                    project=project,
                    kind=rng.choice(kinds),
                    happened_on=min(today, first + timedelta(days=rng.randrange(span))),
                    duration_minutes=rng.choice([15, 30, 60]),
                    phase="before",
                    internal_notes="Point d'étape.",
                    author=project.coach,
                )
            )
        if len(interactions) >= BATCH:
            Interaction.objects.bulk_create(interactions, batch_size=BATCH)
            interactions = []
    Interaction.objects.bulk_create(interactions, batch_size=BATCH)
    # As interaction_record does: each dossier keeps the date of its latest exchange.
    latest = dict(
        Interaction.objects.filter(project__in=met)
        .values_list("project_id")
        .annotate(last=Max("happened_on"))
        .order_by()
    )
    for project in met:
        project.last_interaction_on = latest.get(project.pk)
    Project.objects.bulk_update(met, ["last_interaction_on"], batch_size=BATCH)
    active = [p for p in projects if p.status in (Status.COACHING, Status.CAMPAIGN_RUNNING)]
    Reminder.objects.bulk_create(
        [
            Reminder(
                project=project,
                recipient=project.coach,
                kind="next_action",
                key=f"generated-{project.pk}",
                message="Rappeler le porteur",
                due_at=timezone.now() + timedelta(days=rng.randrange(-10, 20)),
            )
            for project in active
        ],
        batch_size=BATCH,
    )

    # The committee: sessions in the middle of each month, each with at most
    # REQUESTS_PER_SESSION requests (a real agenda), every request with a vote of each
    # organisation. A larger dataset has more sessions, not longer agendas.
    requested = [p for p in projects if (p.pk, Status.IN_COMMITTEE) in dates]
    by_month = {}
    for project in requested:
        month = dates[(project.pk, Status.IN_COMMITTEE)].date().replace(day=15)
        by_month.setdefault(month, []).append(project)
    sessions, session_of = [], {}
    for month, month_projects in by_month.items():
        for first in range(0, len(month_projects), REQUESTS_PER_SESSION):
            held = _aware(month, 14) + timedelta(hours=first // REQUESTS_PER_SESSION)
            session = CommitteeSession(
                held_at=held,
                vote_deadline=held,
                location="Arras",
                created_by=cheffe,
                invited_at=held - timedelta(days=10),
                closed_at=held + timedelta(hours=2) if held < timezone.now() else None,
            )
            sessions.append(session)
            for project in month_projects[first : first + REQUESTS_PER_SESSION]:
                session_of[project.pk] = session
    CommitteeSession.objects.bulk_create(sessions, batch_size=BATCH)
    requests = LabellingRequest.objects.bulk_create(
        [
            LabellingRequest(
                project=project,
                requested_by=project.coach,
                cheffe_opinion="Avis favorable.",
                session=session_of[project.pk],
                vote_closed_at=None
                if project.status == Status.IN_COMMITTEE
                else dates[(project.pk, Status.IN_COMMITTEE)] + timedelta(days=1),
            )
            for project in requested
        ],
        batch_size=BATCH,
    )
    votes = Vote.objects.bulk_create(
        [
            Vote(
                request=request,
                organisation=organisation,
                member=members[organisation.pk],
                overall="favorable" if rng.random() < 0.8 else "unfavorable",
                conflict_of_interest=organisation.pk == request.project.partner_id,
            )
            for request in requests
            for organisation in organisations
        ],
        batch_size=BATCH,
    )
    CriterionAssessment.objects.bulk_create(
        [
            CriterionAssessment(vote=vote, criterion=criterion, met=vote.overall == "favorable")
            for vote in votes
            for criterion in criteria
        ],
        batch_size=BATCH,
    )
    outcome_of = {Status.NOT_LABELLED: "not_labelled", Status.POSTPONED: "postponed"}
    Decision.objects.bulk_create(
        [
            Decision(
                request=request,
                outcome=outcome_of.get(request.project.status, "labelled"),
                proposed_outcome=outcome_of.get(request.project.status, "labelled"),
                motivation="Décision du comité.",
                favorable=5,
                quorum_reached=True,
                recorded_by=request.project.coach,
                label_number=""
                if request.project.status in outcome_of
                else f"G{run[:3]}-{request.project_id}",
            )
            for request in requests
            if request.project.status != Status.IN_COMMITTEE
        ],
        batch_size=BATCH,
    )
    labelled = [p for p in projects if (p.pk, Status.LABELLED) in dates]
    for project in labelled:
        project.label_number = f"G{run[:3]}-{project.pk}"
        project.labelled_on = dates[(project.pk, Status.LABELLED)].date()
    Project.objects.bulk_update(labelled, ["label_number", "labelled_on"], batch_size=BATCH)

    # Campaigns and their figures over time.
    launched = [p for p in projects if (p.pk, Status.CAMPAIGN_RUNNING) in dates]
    campaigns = []
    for project in launched:
        started = dates[(project.pk, Status.CAMPAIGN_RUNNING)].date()
        ended_at = dates.get((project.pk, Status.CAMPAIGN_ENDED))
        ended = ended_at.date() if ended_at else None
        goal = project.crowdfunding_amount
        outcome = (
            CampaignStatus.RUNNING
            if ended is None
            else rng.choices(
                [CampaignStatus.SUCCEEDED, CampaignStatus.FAILED, CampaignStatus.CANCELLED],
                weights=[80, 15, 5],
            )[0]
        )
        final = (goal * Decimal(rng.randrange(60, 130)) / 100).quantize(Decimal("1"))
        campaigns.append(
            Campaign(
                project=project,
                platform=rng.choice(platforms),
                url="https://fr.ulule.com/",
                financing_type="donation_rewards",
                collection_model=rng.choice(["all_or_nothing", "keep_it_all"]),
                goal=goal,
                starts_on=started,
                ends_on=ended or today + timedelta(days=rng.randrange(1, 40)),
                status=outcome,
                launched_on=started,
                finished_on=ended,
                final_amount=final if ended else None,
                final_contributors=int(final / 50) if ended else None,
                # The last of the 50 snapshots below.
                declared_amount=final,
                declared_contributors=int(final / 50),
                declared_at=_aware(started) + timedelta(hours=12 * 50),
            )
        )
    campaigns = Campaign.objects.bulk_create(campaigns, batch_size=BATCH)
    for project, campaign in zip(launched, campaigns, strict=True):
        project.current_campaign = campaign
    Project.objects.bulk_update(launched, ["current_campaign"], batch_size=BATCH)
    snapshots = []
    for campaign in campaigns:
        final = campaign.final_amount or campaign.goal
        for position in range(1, 51):
            share = Decimal(position) / 50
            snapshots.append(
                FigureSnapshot(
                    campaign=campaign,
                    taken_at=_aware(campaign.starts_on) + timedelta(hours=12 * position),
                    amount=(final * share).quantize(Decimal("1")),
                    contributors=int(final * share / 50),
                    source="platform",
                )
            )
        if len(snapshots) >= BATCH:
            FigureSnapshot.objects.bulk_create(snapshots, batch_size=BATCH)
            snapshots = []
    FigureSnapshot.objects.bulk_create(snapshots, batch_size=BATCH)
    return {
        "dossiers": len(projects),
        "status_changes": len(changes),
        "interactions": Interaction.objects.filter(author__in=cheffes).count(),
        "cheffes": len(cheffes),
        "sessions": len(sessions),
        "campaigns": len(campaigns),
        "snapshots": len(campaigns) * 50,
        "requests": len(requests),
        "votes": len(votes),
    }
