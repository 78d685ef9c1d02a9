"""Demo coaching: first-meeting reports, a history of exchanges, due and overdue reminders."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.demo import CHEFFE_EMAIL
from accounts.models import User
from campaigns.models import Platform
from projects.demo import create_dossier
from projects.models import Commune, Project, Status

from . import services
from .models import (
    FinancingLine,
    FirstMeeting,
    FundingSource,
    InteractionKind,
    MeetingOutcome,
    Relevance,
    RewardTier,
)

_MET_STATUSES = [s for s in Status if s not in (Status.CONTACT, Status.REORIENTED)]

_EXCHANGES = [
    (
        InteractionKind.PHONE,
        "Point sur le plan de financement.",
        "Merci pour l'échange : envoyez-moi le plan mis à jour.",
    ),
    (
        InteractionKind.PROOFREADING,
        "Texte trop long, à recentrer sur l'impact local.",
        "Vos textes sont relus : mes suggestions sont dans le document.",
    ),
    (
        InteractionKind.VIDEO,
        "La vidéo doit montrer l'équipe et le lieu.",
        "Pour la vidéo : 2 minutes au plus, montrez l'atelier et l'équipe.",
    ),
    (
        InteractionKind.COMMUNICATION,
        "Plan de communication en trois temps.",
        "Préparez la liste de vos 50 premiers contributeurs.",
    ),
    (InteractionKind.NETWORKING, "Présentation au réseau des Cigales.", ""),
]


def _report(meeting: FirstMeeting, project: Project) -> None:
    budget = project.total_budget
    crowdfunding = project.crowdfunding_amount
    meeting.reported_at = meeting.scheduled_at + timedelta(hours=2)
    meeting.relevance = Relevance.RELEVANT
    meeting.relevance_reasoning = (
        "Projet ancré localement, avec une communauté déjà mobilisée : le financement "
        "participatif est adapté."
    )
    meeting.campaign_goal = crowdfunding
    meeting.campaign_duration_days = 40
    meeting.campaign_financing_type = "donation_rewards"
    meeting.target_platform = Platform.objects.filter(slug="ulule").first()
    meeting.next_steps = "Compléter le plan de financement et rédiger le texte de présentation."
    meeting.outcome = MeetingOutcome.CONTINUE
    meeting.save()
    FinancingLine.objects.bulk_create(
        [
            FinancingLine(
                meeting=meeting,
                source=FundingSource.OWN_FUNDS,
                amount=budget * Decimal("0.2"),
                acquired=True,
            ),
            FinancingLine(
                meeting=meeting, source=FundingSource.HONOUR_LOAN, amount=budget * Decimal("0.3")
            ),
            FinancingLine(
                meeting=meeting,
                source=FundingSource.BANK_LOAN,
                amount=budget * Decimal("0.5") - crowdfunding,
            ),
            FinancingLine(meeting=meeting, source=FundingSource.CROWDFUNDING, amount=crowdfunding),
        ]
    )
    RewardTier.objects.bulk_create(
        [
            RewardTier(
                meeting=meeting,
                amount=Decimal("10"),
                description="Un grand merci sur nos réseaux et une carte postale",
            ),
            RewardTier(
                meeting=meeting, amount=Decimal("30"), description="Une visite guidée du lieu"
            ),
            RewardTier(
                meeting=meeting,
                amount=Decimal("100"),
                description="Un atelier pour deux personnes",
                quantity=20,
            ),
        ]
    )


def load() -> None:
    if FirstMeeting.objects.exists():
        return  # idempotent
    cheffe = User.objects.get(email=CHEFFE_EMAIL)
    Project.objects.filter(coach__isnull=True).update(coach=cheffe)
    today = timezone.localdate()

    # Demo meetings are written directly: their dossiers' statuses were already set by the
    # projects demo, and no invitation should be emailed.
    for project in Project.objects.filter(status=Status.CONTACT):
        FirstMeeting.objects.create(
            project=project,
            organiser=cheffe,
            scheduled_at=timezone.make_aware(datetime.combine(today + timedelta(days=3), time(14))),
            location="Propulsons!, 23 rue du 11 Novembre, Lens",
        )
    for project in (
        Project.objects.filter(status__in=_MET_STATUSES)
        .exclude(title__startswith="Indelab")
        .exclude(title__startswith="Le Garage")
    ):
        met_on = project.status_changes.filter(to_status=Status.FIRST_MEETING_DONE).first()
        meeting = FirstMeeting.objects.create(
            project=project,
            organiser=cheffe,
            scheduled_at=met_on.created_at - timedelta(hours=2),
            location="Propulsons!, 23 rue du 11 Novembre, Lens",
        )
        _report(meeting, project)
        # A history of exchanges, every ten days since the first meeting.
        first_day = timezone.localdate(met_on.created_at)
        for index, (kind, notes, shared) in enumerate(_EXCHANGES):
            day = first_day + timedelta(days=10 * (index + 1))
            if day > today:
                break
            services.interaction_record(
                project=project,
                author=cheffe,
                kind=kind,
                happened_on=day,
                duration_minutes=30 if kind == InteractionKind.PHONE else 60,
                internal_notes=notes,
                shared_note=shared,
            )

    # A few follow-ups: one overdue, one due today, one next week.
    running = list(
        Project.objects.filter(
            status__in=[Status.COACHING, Status.CAMPAIGN_RUNNING, Status.LABELLED]
        ).order_by("status")
    )
    for project, offset, action in zip(
        running,
        [-3, 0, 7],
        [
            "Rappeler le porteur pour le plan de financement",
            "Relire le texte de présentation",
            "Préparer le point presse",
        ],
        strict=False,
    ):
        services.interaction_record(
            project=project,
            author=cheffe,
            kind=InteractionKind.PHONE,
            happened_on=today - timedelta(days=5),
            duration_minutes=20,
            internal_notes="Point rapide.",
            next_action=action,
            next_action_due=today + timedelta(days=offset),
        )
    services.reminders_create_from_cadences()

    # Two fresh submissions nobody has taken yet: the dashboard's "new contacts to call back".
    for days_ago, first, last, title, commune in [
        (4, "Sarah", "Benali", "Repair café de Liévin", "Liévin"),
        (1, "Hugo", "Vasseur", "Conserverie solidaire du Béthunois", "Béthune"),
    ]:
        create_dossier(
            details={
                "contact_first_name": first,
                "contact_last_name": last,
                "contact_email": f"{first.lower()}.{last.lower()}@demo.propulsons.org",
                "contact_phone": f"06 12 34 56 {days_ago:02d}",
                "structure_name": title,
                "legal_form": "association",
                "siret": "",
                "title": title,
                "summary": f"{title}, un projet de proximité à {commune}.",
                "description": f"{title} veut associer les habitants de {commune} à son projet.",
                "category": "food",
                "commune": Commune.objects.get(name=commune),
                "total_budget": Decimal(15000),
                "crowdfunding_amount": Decimal(4000),
                "financing_type": "donation_rewards",
                "wished_campaign_start": None,
                "partner": None,
                "heard_from": "word_of_mouth",
                "publish_agreed": True,
            },
            status=Status.CONTACT,
            contacted_on=today - timedelta(days=days_ago),
        )
