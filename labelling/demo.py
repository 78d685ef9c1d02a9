"""Demo committee: past sessions with their votes and decisions (the seed's two examples
labelled), and an open session whose request awaits votes.

The past is written as the services would have recorded it: the dossiers' statuses were
already walked by the projects demo, so these rows are created directly.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.demo import CHEFFE_EMAIL
from accounts.models import Organisation, Role, User
from projects.models import Project, Status

from . import services
from .models import (
    CommitteeSession,
    Criterion,
    CriterionAssessment,
    Decision,
    LabellingRequest,
    Outcome,
    Vote,
)

# For each outcome: the overall votes of the six organisations, in their display order
# (None: did not vote).
VOTE_PATTERNS = {
    Outcome.LABELLED: ["favorable"] * 5 + [None],
    Outcome.NOT_LABELLED: [
        "favorable",
        "unfavorable",
        "unfavorable",
        "unfavorable",
        "abstention",
        None,
    ],
    Outcome.POSTPONED: ["favorable", "favorable", "abstention", None, None, None],
}
MOTIVATIONS = {
    Outcome.LABELLED: (
        "Projet solidaire et ancré dans son territoire, plan de financement solide : "
        "le comité accorde le label Propulsons!"
    ),
    Outcome.NOT_LABELLED: (
        "Le comité estime que le modèle économique n'est pas encore viable et que l'impact "
        "local reste à démontrer."
    ),
    Outcome.POSTPONED: (
        "Quorum non atteint : le dossier sera réexaminé lors du prochain comité, avec un plan "
        "de financement actualisé."
    ),
}


def _at(moment: datetime, hour: int = 14) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(moment), time(hour)))


def _session_for(day: datetime, cheffe: User) -> CommitteeSession:
    held_at = _at(day)
    session, _ = CommitteeSession.objects.get_or_create(
        held_at=held_at,
        defaults={
            "vote_deadline": held_at,
            "location": "Conseil départemental, Arras",
            "created_by": cheffe,
            "invited_at": held_at - timedelta(days=10),
            "closed_at": held_at + timedelta(hours=2),
        },
    )
    return session


def _votes(request: LabellingRequest, pattern: list, organisations, members, criteria) -> None:
    for organisation, overall in zip(organisations, pattern, strict=True):
        if overall is None:
            continue
        vote = Vote.objects.create(
            request=request,
            organisation=organisation,
            member=members[organisation.pk],
            overall=overall,
            conflict_of_interest=organisation.pk == request.project.partner_id,
            comment="",
        )
        CriterionAssessment.objects.bulk_create(
            [
                CriterionAssessment(vote=vote, criterion=criterion, met=overall != "unfavorable")
                for criterion in criteria
            ]
        )


def load() -> None:
    if LabellingRequest.objects.exists():
        return  # idempotent
    cheffe = User.objects.get(email=CHEFFE_EMAIL)
    organisations = list(Organisation.objects.filter(is_committee_member=True))
    members = {
        user.organisation_id: user
        for user in User.objects.filter(role=Role.COMITE).order_by("date_joined")
    }
    criteria = list(Criterion.objects.all())

    decided = Project.objects.filter(
        status__in=[
            Status.LABELLED,
            Status.NOT_LABELLED,
            Status.POSTPONED,
            Status.CAMPAIGN_RUNNING,
            Status.CAMPAIGN_ENDED,
            Status.CLOSED,
        ]
    ).order_by("created_at")
    for project in decided:
        changes = {change.to_status: change for change in project.status_changes.all()}
        outcome = next(
            (
                o
                for o in (Outcome.LABELLED, Outcome.NOT_LABELLED, Outcome.POSTPONED)
                if o in changes
            ),
            None,
        )
        if outcome is None:
            continue
        session = _session_for(changes[Status.IN_COMMITTEE].created_at, cheffe)
        decided_at = changes[outcome].created_at
        request = LabellingRequest.objects.create(
            project=project,
            requested_by=cheffe,
            cheffe_opinion=(
                "Dossier complet, porteur très impliqué ; avis favorable de la cheffe de projet."
            ),
            session=session,
            agenda_order=session.requests.count() + 1,
            vote_closed_at=decided_at,
        )
        LabellingRequest.objects.filter(pk=request.pk).update(
            requested_at=changes[Status.LABELLING_REQUESTED].created_at
        )
        _votes(request, VOTE_PATTERNS[outcome], organisations, members, criteria)
        session.attendees.add(*organisations[:5])
        counted = services.selectors.tally(request)
        decision = Decision.objects.create(
            request=request,
            outcome=outcome,
            proposed_outcome=counted.proposed_outcome,
            departs_from_proposal=outcome != counted.proposed_outcome,
            motivation=MOTIVATIONS[outcome],
            favorable=counted.favorable,
            unfavorable=counted.unfavorable,
            abstentions=counted.abstentions,
            conflicts=counted.conflicts,
            quorum_reached=counted.quorum_reached,
            recorded_by=cheffe,
        )
        Decision.objects.filter(pk=decision.pk).update(recorded_at=decided_at)
        if outcome == Outcome.LABELLED:
            labelled_on = timezone.localdate(decided_at)
            number = services._next_label_number(labelled_on.year)
            Decision.objects.filter(pk=decision.pk).update(label_number=number)
            Project.objects.filter(pk=project.pk).update(
                label_number=number, labelled_on=labelled_on
            )

    # An open session: its request awaits votes (two organisations have voted already).
    held_at = _at(timezone.now() + timedelta(days=5))
    session = services.session_create(
        actor=cheffe, held_at=held_at, vote_deadline=held_at, location="Propulsons!, Lens"
    )
    in_committee = Project.objects.filter(status=Status.IN_COMMITTEE)
    for project in in_committee:
        request = LabellingRequest.objects.create(
            project=project,
            requested_by=cheffe,
            cheffe_opinion=(
                "Projet culturel fédérateur, bon relais associatif local ; plan de financement "
                "à consolider."
            ),
            session=session,
            agenda_order=session.requests.count() + 1,
        )
        _votes(
            request,
            ["favorable", "favorable", None, None, None, None],
            organisations,
            members,
            criteria,
        )
    CommitteeSession.objects.filter(pk=session.pk).update(invited_at=timezone.now())
    services._schedule_vote_reminders(session=session, requests=list(session.requests.all()))

    # A request waiting for a session, its opinion written.
    for project in Project.objects.filter(status=Status.LABELLING_REQUESTED):
        LabellingRequest.objects.create(
            project=project,
            requested_by=project.owner,
            cheffe_opinion="Dossier complet ; le partenaire France Active suit le projet.",
        )
