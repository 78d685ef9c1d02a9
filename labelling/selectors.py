"""Reads of the labelling data: the completeness checklist and the tally of the votes."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import Organisation
from coaching.models import FirstMeeting
from projects.models import DocumentKind, Project
from propulsons import public_cache

from .models import Criterion, CriterionAssessment, LabellingRequest, Outcome, OverallVote, Vote


@dataclass
class ChecklistItem:
    label: str
    done: bool
    fix_url: str
    fix_label: str
    # Stable code of the item ("report", "plan", "calibration", "text", "partner"): what the
    # next-step decision reads (projects/next_steps.py), never the translated label.
    code: str = ""
    # Whether the porteur completes it on their own page (the others are done with the cheffe).
    by_porteur: bool = False


def completeness(project: Project, *, for_team: bool) -> list[ChecklistItem]:
    """What a dossier needs before it can ask for the label, with where to complete it."""
    return completeness_many([project], for_team=for_team)[project.pk]


def completeness_many(projects: list[Project], *, for_team: bool) -> dict[int, list[ChecklistItem]]:
    """The checklist of each dossier, in two queries whatever their number (the porteur's
    space lists several)."""
    meetings = {
        meeting.project_id: meeting
        for meeting in FirstMeeting.objects.filter(project__in=projects).annotate(
            lines=Count("financing_lines", distinct=True), tiers=Count("rewards", distinct=True)
        )
    }
    with_text = set(
        Project.objects.filter(
            pk__in=[project.pk for project in projects],
            documents__kind=DocumentKind.CAMPAIGN_TEXT,
        ).values_list("pk", flat=True)
    )
    return {
        project.pk: _checklist(
            project, meetings.get(project.pk), project.pk in with_text, for_team=for_team
        )
        for project in projects
    }


def _checklist(project: Project, meeting, has_text: bool, *, for_team: bool) -> list[ChecklistItem]:
    reported = meeting is not None and meeting.is_reported
    calibrated = bool(
        reported and meeting.campaign_goal and meeting.campaign_duration_days and meeting.tiers
    )
    team_page = reverse("projects:team_project", args=[project.reference])
    space_page = project.get_absolute_url()
    report_page = reverse("coaching:first_meeting_report", args=[project.reference])
    edit_page = reverse("projects:project_edit", args=[project.reference])
    with_cheffe = _("à voir avec la cheffe de projet")
    return [
        ChecklistItem(
            _("Compte rendu du premier rendez-vous"),
            reported,
            report_page if for_team else space_page,
            _("Saisir le compte rendu") if for_team else with_cheffe,
            "report",
        ),
        ChecklistItem(
            _("Plan de financement"),
            bool(reported and meeting.lines),
            report_page if for_team else space_page,
            _("Compléter le plan") if for_team else with_cheffe,
            "plan",
        ),
        ChecklistItem(
            _("Campagne calibrée (objectif, durée, contreparties)"),
            calibrated,
            report_page if for_team else space_page,
            _("Compléter le calibrage") if for_team else with_cheffe,
            "calibration",
        ),
        ChecklistItem(
            _("Texte de présentation de la campagne déposé"),
            has_text,
            (team_page if for_team else space_page) + "#documents",
            _("Déposer le texte de présentation"),
            "text",
            by_porteur=True,
        ),
        ChecklistItem(
            _("Un partenaire suit le projet (critère 4)"),
            project.partner_id is not None,
            edit_page,
            _("Indiquer le partenaire"),
            "partner",
            by_porteur=True,
        ),
    ]


def completeness_percent(items: list[ChecklistItem]) -> int:
    return round(100 * sum(item.done for item in items) / len(items)) if items else 0


@dataclass
class CriterionTally:
    criterion: Criterion
    met: int = 0
    not_met: int = 0

    @property
    def majority_met(self) -> bool:
        return self.met > self.not_met


@dataclass
class Tally:
    """The votes of a request, counted by the rules in settings (quorum, majorities)."""

    favorable: int = 0
    unfavorable: int = 0
    abstentions: int = 0
    conflicts: int = 0
    criteria: list[CriterionTally] = field(default_factory=list)
    quorum: int = 4

    @property
    def counted(self) -> int:
        return self.favorable + self.unfavorable + self.abstentions

    @property
    def quorum_reached(self) -> bool:
        return self.counted >= self.quorum

    @property
    def majority_favorable(self) -> bool:
        return self.favorable > self.unfavorable

    @property
    def criteria_met(self) -> bool:
        if not settings.LABEL_REQUIRE_CRITERIA_MAJORITY:
            return True
        return all(item.majority_met for item in self.criteria)

    @property
    def proposed_outcome(self) -> str:
        if not self.quorum_reached:
            return Outcome.POSTPONED
        if self.majority_favorable and self.criteria_met:
            return Outcome.LABELLED
        return Outcome.NOT_LABELLED

    @property
    def proposed_outcome_label(self) -> str:
        return Outcome(self.proposed_outcome).label

    @property
    def explanation(self) -> str:
        if not self.quorum_reached:
            return ngettext(
                "Quorum non atteint : %(counted)s vote compté sur %(quorum)s requis.",
                "Quorum non atteint : %(counted)s votes comptés sur %(quorum)s requis.",
                self.counted,
            ) % {"counted": self.counted, "quorum": self.quorum}
        if not self.majority_favorable:
            return _("La majorité des votes exprimés n'est pas favorable.")
        if not self.criteria_met:
            missing = [str(i.criterion.label) for i in self.criteria if not i.majority_met]
            return ngettext(
                "Critère non rempli à la majorité : %(missing)s.",
                "Critères non remplis à la majorité : %(missing)s.",
                len(missing),
            ) % {"missing": ", ".join(missing)}
        return _("Majorité favorable et les quatre critères remplis à la majorité.")


@dataclass
class VoteFacts:
    """What the tally and the participation read of one vote: no comment, no member."""

    request_id: int
    organisation_id: int
    overall: str
    conflict_of_interest: bool
    # (criterion id, met) of each criterion the vote assessed.
    assessed: list[tuple[int, bool]] = field(default_factory=list)

    @classmethod
    def of(cls, vote: Vote) -> "VoteFacts":
        """From a vote read with its assessments (prefetched: no query)."""
        return cls(
            vote.request_id,
            vote.organisation_id,
            vote.overall,
            vote.conflict_of_interest,
            [(assessment.criterion_id, assessment.met) for assessment in vote.assessments.all()],
        )


def votes_facts(requests: list[LabellingRequest]) -> list[VoteFacts]:
    """Every vote on these requests with its criteria, in one query whatever their number (a
    row per criterion assessed, a vote without any on one row): a page listing requests reads
    their tallies, where each organisation stands and its user's own votes from it, rather
    than a query for each (each round trip cost more than the few rows it carried)."""
    votes: dict[int, VoteFacts] = {}
    rows = (
        Vote.objects.filter(request__in=requests)
        .order_by()  # the votes' default order joins their organisation
        .values_list(
            "pk",
            "request_id",
            "organisation_id",
            "overall",
            "conflict_of_interest",
            "assessments__criterion_id",
            "assessments__met",
        )
    )
    for pk, request_id, organisation_id, overall, conflict, criterion_id, met in rows:
        vote = votes.get(pk)
        if vote is None:
            vote = votes[pk] = VoteFacts(request_id, organisation_id, overall, conflict)
        if criterion_id is not None:
            vote.assessed.append((criterion_id, met))
    return list(votes.values())


def label_criteria() -> list[Criterion]:
    """The label's four criteria, in their order. They change only in the admin, which raises
    the public content version: read once per version, not on every committee page."""
    return public_cache.versioned_data("label-criteria", lambda: list(Criterion.objects.all()))


def tallies(
    requests: list[LabellingRequest],
    *,
    criteria: list[Criterion] | None = None,
    votes: list[VoteFacts] | None = None,
) -> dict[int, Tally]:
    """The tally of each request, in two queries whatever the number of requests and votes
    (none for what the caller read already: the criteria, the requests' votes)."""
    if criteria is None:
        criteria = label_criteria()
    if votes is None:
        votes = votes_facts(requests)
    result = {
        request.pk: Tally(
            quorum=settings.LABEL_QUORUM, criteria=[CriterionTally(c) for c in criteria]
        )
        for request in requests
    }
    by_criterion = {
        request_id: {item.criterion.pk: item for item in tally.criteria}
        for request_id, tally in result.items()
    }
    for vote in votes:
        tally = result[vote.request_id]
        if vote.conflict_of_interest:
            # Recorded, not counted: neither in the votes nor on the criteria.
            tally.conflicts += 1
            continue
        if vote.overall == OverallVote.FAVORABLE:
            tally.favorable += 1
        elif vote.overall == OverallVote.UNFAVORABLE:
            tally.unfavorable += 1
        else:
            tally.abstentions += 1
        for criterion_id, met in vote.assessed:
            item = by_criterion[vote.request_id].get(criterion_id)
            if item is None:
                continue
            if met:
                item.met += 1
            else:
                item.not_met += 1
    return result


def tally(request: LabellingRequest) -> Tally:
    return tallies([request])[request.pk]


class Participation:
    """Where an organisation stands in a request's vote: whether it voted, not how (an
    abstention and a conflict of interest are said, being no position on the project)."""

    VOTED = "voted"
    ABSTAINED = "abstained"
    CONFLICT = "conflict"
    MISSING = "missing"
    LABELS = {
        VOTED: _("A voté"),
        ABSTAINED: _("S'est abstenue"),
        CONFLICT: _("A déclaré un conflit d'intérêts"),
        MISSING: _("N'a pas encore voté"),
    }


@dataclass
class ParticipationGroup:
    code: str
    organisations: list[Organisation]

    @property
    def label(self) -> str:
        return Participation.LABELS[self.code]


def participation(
    requests: list[LabellingRequest], *, votes: list[VoteFacts] | None = None
) -> dict[int, list[ParticipationGroup]]:
    """Per request, the committee's organisations grouped by where they stand in its vote
    (voted, abstained, conflict, not yet), in two queries whatever the number of requests (one
    when the caller read the votes already)."""
    if votes is None:
        votes = votes_facts(requests)
    # An organisation that left the committee after voting still shows with its vote.
    organisations = Organisation.objects.filter(
        Q(is_committee_member=True) | Q(pk__in={vote.organisation_id for vote in votes})
    )
    standing: dict[int, dict[int, str]] = {request.pk: {} for request in requests}
    for vote in votes:
        if vote.conflict_of_interest:
            code = Participation.CONFLICT
        elif vote.overall == OverallVote.ABSTENTION:
            code = Participation.ABSTAINED
        else:
            code = Participation.VOTED
        standing[vote.request_id][vote.organisation_id] = code
    ordered = sorted(organisations, key=lambda o: (o.display_order, o.name))
    codes = [Participation.VOTED, Participation.ABSTAINED, Participation.CONFLICT]
    result = {}
    for request_id, codes_by_organisation in standing.items():
        groups = [
            ParticipationGroup(
                code, [o for o in ordered if codes_by_organisation.get(o.pk) == code]
            )
            for code in codes
        ]
        missing = [
            o for o in ordered if o.is_committee_member and o.pk not in codes_by_organisation
        ]
        groups.append(ParticipationGroup(Participation.MISSING, missing))
        result[request_id] = [group for group in groups if group.organisations]
    return result


def organisations_yet_to_vote(request: LabellingRequest) -> list[Organisation]:
    """The committee's organisations that have not voted on this request."""
    return list(
        Organisation.objects.filter(is_committee_member=True).exclude(votes__request=request)
    )


def requests_awaiting_vote(user):
    """The requests whose vote is open and on which the member's organisation has not voted
    yet, the nearest deadline first: what the member's committee page lists first."""
    return (
        LabellingRequest.objects.vote_open()
        .exclude(votes__organisation_id=user.organisation_id)
        .select_related("session", "project__commune")
        .order_by("session__vote_deadline", "session_id", "agenda_order", "pk")
    )


def sessions_visible_to_member(sessions, user):
    """The sessions (of `sessions`) holding a request a committee member sees: one their
    organisation voted on, or one before the committee (permissions.can_view_request, for a
    list).

    Written as "the first such request of the session", a correlated subquery with a LIMIT:
    PostgreSQL then probes each session's requests through the indexes (the session's
    requests, the vote by request and organisation) and stops at the first. Written as EXISTS
    joined by OR, or as `pk IN (…)`, it read every vote of the organisation and every request
    to build hash tables (tens of milliseconds at 20 000 requests), and its overestimated cost
    set off the JIT compiler on top."""
    from projects.models import Status

    visible_request = (
        LabellingRequest.objects.filter(session=OuterRef("pk"))
        .filter(
            Q(
                Exists(
                    Vote.objects.filter(
                        request=OuterRef("pk"), organisation_id=user.organisation_id
                    )
                )
            )
            | Q(
                Exists(
                    Project.objects.filter(pk=OuterRef("project_id"), status=Status.IN_COMMITTEE)
                )
            )
        )
        .order_by()
        .values("pk")[:1]
    )
    return sessions.alias(visible_request=Subquery(visible_request)).filter(
        visible_request__isnull=False
    )


def requests_count() -> Subquery:
    """The number of requests on a session's agenda (an annotation): a subquery per session
    shown, rather than a join and a GROUP BY over every session before the page is cut."""
    return Coalesce(
        Subquery(
            LabellingRequest.objects.filter(session=OuterRef("pk"))
            .order_by()
            .values("session")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        0,
    )


def dossier_labelling(project: Project, *, for_team: bool) -> dict:
    """What a dossier page shows of the label: the checklist while the dossier may ask for it,
    the requests (team) and the decisions with their motivation (never the votes)."""
    from projects.models import Status

    from .models import Decision

    decisions = list(
        Decision.objects.filter(request__project=project)
        .select_related("request")
        .order_by("recorded_at", "id")
    )
    context: dict = {"porteur_decisions": decisions}
    if not for_team:
        context.update(_after_decision(project, decisions))
    if project.status in (Status.COACHING, Status.POSTPONED):
        items = completeness(project, for_team=for_team)
        context["checklist"] = items
        context["checklist_percent"] = completeness_percent(items)
    if for_team:
        context["labelling_requests"] = list(
            LabellingRequest.objects.filter(project=project).select_related("session")
        )
    return context


# --- What the porteur reads of a decision -------------------------------------------------


class CriterionVerdict:
    """How the committee judged one criterion, over the counted votes of a request: every
    organisation found it met, none did, or they were divided. Never who judged what."""

    MET = "met"
    NOT_MET = "not_met"
    MIXED = "mixed"
    NOT_ASSESSED = "not_assessed"
    LABELS = {
        MET: _("rempli"),
        NOT_MET: _("non rempli"),
        MIXED: _("avis partagés"),
        NOT_ASSESSED: _("non examiné"),
    }


@dataclass
class CriterionOutcome:
    criterion: Criterion
    verdict: str

    @property
    def label(self) -> str:
        return CriterionVerdict.LABELS[self.verdict]


def criteria_outcomes(requests: list[LabellingRequest]) -> dict[int, list[CriterionOutcome]]:
    """Per request, the verdict on each of the four criteria, aggregated in SQL over the votes
    that count (a conflict of interest is no judgement): two queries whatever the number of
    requests. Only for a request whose decision is recorded (the blind vote: the porteur sees
    nothing before); callers pass the requests of recorded decisions."""
    criteria = label_criteria()
    counts = {
        (row["vote__request_id"], row["criterion_id"]): (row["n_met"], row["n_not_met"])
        for row in CriterionAssessment.objects.filter(
            vote__request__in=requests, vote__conflict_of_interest=False
        )
        .values("vote__request_id", "criterion_id")
        .annotate(n_met=Count("id", filter=Q(met=True)), n_not_met=Count("id", filter=Q(met=False)))
    }
    result = {}
    for request in requests:
        outcomes = []
        for criterion in criteria:
            met, not_met = counts.get((request.pk, criterion.pk), (0, 0))
            if met and not not_met:
                verdict = CriterionVerdict.MET
            elif not_met and not met:
                verdict = CriterionVerdict.NOT_MET
            elif met and not_met:
                verdict = CriterionVerdict.MIXED
            else:
                verdict = CriterionVerdict.NOT_ASSESSED
            outcomes.append(CriterionOutcome(criterion, verdict))
        result[request.pk] = outcomes
    return result


def solidarity_partners() -> list[Organisation]:
    """The solidarity finance organisations behind the label, which can still help a project
    the committee did not label (loans, guarantees, local savings clubs)."""
    return list(
        Organisation.objects.filter(is_committee_member=True, is_prescribing_partner=True).order_by(
            "display_order", "name"
        )
    )


def _after_decision(project: Project, decisions: list) -> dict:
    """What the porteur reads under a refusal or an adjournment that is the dossier's current
    status: each criterion's verdict, then what they can do next."""
    from projects.models import Status

    latest = decisions[-1] if decisions else None
    # While the decision is still where the dossier stands: an adjournment until the label is
    # asked again (the team may first move the dossier back to coaching), a refusal for good.
    still_current = {
        Status.POSTPONED: (Status.POSTPONED, Status.COACHING),
        Status.NOT_LABELLED: (Status.NOT_LABELLED, Status.CLOSED),
    }
    if latest is None or project.status not in still_current.get(latest.outcome, ()):
        return {}
    latest.criteria = criteria_outcomes([latest.request])[latest.request_id]
    context = {"decision_to_explain": latest}
    if latest.outcome == Status.NOT_LABELLED:
        context["solidarity_partners"] = solidarity_partners()
    return context


def split_sessions(sessions, *, now=None):
    """The committee's sessions as its home lists them: those to come (not closed, held today
    or later, or still taking votes), the nearest first; and the archive, the latest first."""
    now = now or timezone.now()
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    current = Q(closed_at__isnull=True) & (Q(held_at__gte=today) | Q(vote_deadline__gt=now))
    return sessions.filter(current).order_by("held_at"), sessions.exclude(current).order_by(
        "-held_at"
    )
