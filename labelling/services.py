"""The labelling committee: requests, sessions and their agenda, votes, decisions.

Status changes of the dossier go through projects.services; reminders through the coaching
reminder engine.
"""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation, Role, User
from accounts.services import ServiceRefused
from coaching.models import Reminder, ReminderKind
from coaching.services import REMINDER_STILL_RELEVANT
from outbox import emails
from projects import personal_data
from projects import services as project_services
from projects.models import Project, Status
from projects.personal_data import BLANK, neutral

from . import selectors
from .models import (
    CommitteeSession,
    Criterion,
    CriterionAssessment,
    Decision,
    LabelCounter,
    LabellingRequest,
    Outcome,
    Vote,
    VoteState,
)


class LabellingError(ServiceRefused):
    """A committee action the rules do not allow; its message is for the user."""


# --- Requests -----------------------------------------------------------------------------


@transaction.atomic
def request_raise(*, project: Project, actor: User) -> LabellingRequest:
    """Ask for the label, only when the dossier is complete."""
    items = selectors.completeness(project, for_team=actor.is_team)
    missing = [str(item.label) for item in items if not item.done]
    if missing:
        raise LabellingError(
            _("Le dossier n'est pas complet : %(missing)s.") % {"missing": ", ".join(missing)}
        )
    if project.status not in (Status.COACHING, Status.POSTPONED):
        raise LabellingError(
            _("Un dossier « %(status)s » ne peut pas demander la labellisation.")
            % {"status": project.get_status_display()}
        )
    project_services.project_request_labelling(project=project, actor=actor)
    try:
        with transaction.atomic():
            return LabellingRequest.objects.create(project=project, requested_by=actor)
    except IntegrityError as error:
        raise LabellingError(_("Une demande est déjà en cours pour ce dossier.")) from error


@transaction.atomic
def request_set_opinion(*, request: LabellingRequest, actor: User, opinion: str) -> None:
    if request.vote_closed_at is not None:
        raise LabellingError(_("Le vote est clos : l'avis ne peut plus changer."))
    request.cheffe_opinion = opinion
    request.save(update_fields=["cheffe_opinion"])


@transaction.atomic
def request_put_on_agenda(
    *, request: LabellingRequest, session: CommitteeSession, actor: User
) -> LabellingRequest:
    """Place the request at the end of a session's agenda: the dossier goes "en comité"."""
    if session.vote_state() == VoteState.CLOSED:
        raise LabellingError(_("Le vote de cette séance est clos : choisissez une autre séance."))
    if request.session_id is not None:
        raise LabellingError(_("Cette demande est déjà à l'ordre du jour d'une séance."))
    if not request.cheffe_opinion.strip():
        raise LabellingError(_("Rédigez d'abord votre avis pour le comité."))
    last = session.requests.aggregate(last=Max("agenda_order"))["last"] or 0
    updated = LabellingRequest.objects.filter(pk=request.pk, session__isnull=True).update(
        session=session, agenda_order=last + 1
    )
    if not updated:
        raise LabellingError(_("Cette demande est déjà à l'ordre du jour d'une séance."))
    project_services.project_put_before_committee(
        project=request.project, actor=actor, note=str(session)
    )
    request.refresh_from_db()
    if session.invited_at is not None:
        _schedule_vote_reminders(session=session, requests=[request])
    return request


@transaction.atomic
def request_move_on_agenda(*, request: LabellingRequest, actor: User, up: bool) -> None:
    """Swap the request with its neighbour in the session's agenda."""
    agenda = list(request.session.requests.order_by("agenda_order", "pk"))
    index = agenda.index(request)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(agenda):
        return
    agenda[index], agenda[other] = agenda[other], agenda[index]
    for position, item in enumerate(agenda, start=1):
        if item.agenda_order != position:
            LabellingRequest.objects.filter(pk=item.pk).update(agenda_order=position)


# --- Sessions -----------------------------------------------------------------------------


@transaction.atomic
def session_create(
    *,
    actor: User,
    held_at: datetime,
    vote_deadline: datetime,
    location: str = "",
    video_link: str = "",
    chair: User | None = None,
) -> CommitteeSession:
    if vote_deadline > held_at + timedelta(days=1):
        raise LabellingError(_("Le vote se clôt au plus tard le lendemain de la séance."))
    if vote_deadline <= timezone.now():
        raise LabellingError(_("La fin du vote doit être dans le futur."))
    return CommitteeSession.objects.create(
        held_at=held_at,
        vote_deadline=vote_deadline,
        location=location,
        video_link=video_link,
        chair=chair,
        created_by=actor,
    )


def committee_members():
    return User.objects.filter(
        role=Role.COMITE, is_active=True, organisation__is_committee_member=True
    ).select_related("organisation")


@transaction.atomic
def session_invite(*, session: CommitteeSession, actor: User) -> int:
    """Email every committee member the agenda: the vote opens. Schedule the reminders before
    the deadline."""
    if session.is_closed:
        raise LabellingError(_("Cette séance est close."))
    if session.vote_state() == VoteState.CLOSED:
        raise LabellingError(
            _("La fin du vote de cette séance est passée : les invitations ne peuvent plus partir.")
        )
    requests = list(session.requests.select_related("project__commune", "project__partner"))
    if not requests:
        raise LabellingError(_("L'ordre du jour est vide."))
    members = list(committee_members())
    for member in members:
        emails.send(
            "committee_invitation",
            to=[member.email],
            context={"session": session, "requests": requests, "member": member},
        )
    CommitteeSession.objects.filter(pk=session.pk).update(invited_at=timezone.now())
    session.invited_at = timezone.now()
    _schedule_vote_reminders(session=session, requests=requests)
    return len(members)


def _vote_key_prefix(request_id: int) -> str:
    """How a request's vote reminders are keyed: "vote-<request>-<member>"."""
    return f"vote-{request_id}-"


def _vote_key_request(key: str) -> int:
    return int(key.removeprefix("vote-").split("-")[0])


def _schedule_vote_reminders(*, session: CommitteeSession, requests: list) -> None:
    """One reminder per member and request, due VOTE_REMINDER_HOURS before the deadline; it is
    dropped when it falls due if the member's organisation has voted by then."""
    due_at = session.vote_deadline - timedelta(hours=settings.VOTE_REMINDER_HOURS)
    members = list(committee_members())
    Reminder.objects.bulk_create(
        [
            Reminder(
                project=request.project,
                recipient=member,
                kind=ReminderKind.COMMITTEE_VOTE,
                key=f"{_vote_key_prefix(request.pk)}{member.pk}",
                message=_("Voter avant le %(deadline)s : %(title)s")
                % {
                    "deadline": timezone.localtime(session.vote_deadline).strftime(
                        "%d/%m/%Y %H:%M"
                    ),
                    "title": request.project.title,
                },
                due_at=due_at,
                link=reverse("labelling:review", args=[request.pk]),
            )
            for request in requests
            for member in members
        ],
        ignore_conflicts=True,
    )


def _vote_reminder_still_relevant(reminder: Reminder) -> bool:
    request_id = _vote_key_request(reminder.key)
    request = (
        LabellingRequest.objects.select_related("session", "project").filter(pk=request_id).first()
    )
    if request is None or not request.is_vote_open():
        return False
    organisation_id = reminder.recipient.organisation_id
    return not Vote.objects.filter(request=request, organisation_id=organisation_id).exists()


REMINDER_STILL_RELEVANT[ReminderKind.COMMITTEE_VOTE] = _vote_reminder_still_relevant


def _close_vote_reminders(requests: list[LabellingRequest]) -> int:
    """Mark done the pending "Voter avant le …" reminders of these requests: their vote is
    closed, so they no longer list on the dossier as something to do."""
    if not requests:
        return 0
    keys = Q()
    for request in requests:
        keys |= Q(project_id=request.project_id, key__startswith=_vote_key_prefix(request.pk))
    return (
        Reminder.objects.pending()
        .filter(keys, kind=ReminderKind.COMMITTEE_VOTE)
        .update(done_at=timezone.now())
    )


@transaction.atomic
def request_remind_voters(*, request: LabellingRequest, actor: User) -> list[Organisation]:
    """Email again ("relancer") the members of every committee organisation that has not
    voted on this request yet, while its vote is open; returns those organisations."""
    locked = (
        LabellingRequest.objects.select_for_update(of=("self",))
        .select_related("session", "project__commune")
        .get(pk=request.pk)
    )
    if not locked.is_vote_open():
        raise LabellingError(
            _("Le vote de cette demande n'est pas ouvert\u00a0: personne à relancer.")
        )
    organisations = selectors.organisations_yet_to_vote(locked)
    if not organisations:
        raise LabellingError(_("Toutes les organisations ont voté sur cette demande."))
    # Two clicks an hour apart must not flood the members' inboxes (the row is locked).
    now = timezone.now()
    spacing = timedelta(hours=settings.VOTE_RELAUNCH_HOURS)
    if locked.voters_reminded_at and now < locked.voters_reminded_at + spacing:
        last = timezone.localtime(locked.voters_reminded_at)
        following = timezone.localtime(locked.voters_reminded_at + spacing)
        raise LabellingError(
            _(
                "Les organisations ont déjà été relancées le %(last)s\u00a0: une nouvelle "
                "relance est possible à partir du %(next)s."
            )
            % {
                "last": last.strftime("%d/%m/%Y à %Hh%M"),
                "next": following.strftime("%d/%m/%Y à %Hh%M"),
            }
        )
    LabellingRequest.objects.filter(pk=locked.pk).update(voters_reminded_at=now)
    members = committee_members().filter(organisation__in=organisations)
    for member in members:
        emails.send(
            "committee_vote_reminder",
            to=[member.email],
            context={"request": locked, "session": locked.session, "member": member},
        )
    return organisations


@transaction.atomic
def session_set_attendance(*, session: CommitteeSession, actor: User, organisations: list) -> None:
    session.attendees.set(organisations)


@transaction.atomic
def session_close(*, session: CommitteeSession, actor: User) -> None:
    """Close the session and the vote of every request on its agenda."""
    now = timezone.now()
    updated = CommitteeSession.objects.filter(pk=session.pk, closed_at__isnull=True).update(
        closed_at=now
    )
    if not updated:
        raise LabellingError(_("Cette séance est déjà close."))
    LabellingRequest.objects.filter(session=session, vote_closed_at__isnull=True).update(
        vote_closed_at=now
    )
    _close_vote_reminders(list(session.requests.all()))
    session.closed_at = now


# --- Votes --------------------------------------------------------------------------------


ALREADY_VOTED = gettext_lazy(
    "Votre organisation a déjà voté sur cette demande : un vote est définitif et ne peut plus "
    "être modifié."
)


@transaction.atomic
def vote_cast(
    *,
    request: LabellingRequest,
    member: User,
    overall: str,
    comment: str = "",
    conflict_of_interest: bool = False,
    assessments: dict[str, tuple[bool, str]],
) -> Vote:
    """Record the member's organisation's vote while the vote is open. A vote is final.

    Final, because a member sees the other organisations' votes once their own is cast: a vote
    that could change afterwards would not be blind. The request row is locked so that a vote
    cannot slip in while the cheffe closes it (the deadline is checked under the lock), and the
    (request, organisation) unique constraint keeps one vote per organisation even when two
    members of it submit at the same moment: the second gets the same refusal.
    """
    if not member.is_committee_member or member.organisation_id is None:
        raise LabellingError(_("Seuls les membres du comité votent."))
    locked = (
        LabellingRequest.objects.select_for_update(of=("self",))
        .select_related("session", "project")
        .get(pk=request.pk)
    )
    state = locked.vote_state(timezone.now())
    if state == VoteState.NOT_OPEN:
        raise LabellingError(
            _("Le vote n'est pas encore ouvert : il ouvrira à l'envoi des invitations.")
        )
    if state != VoteState.OPEN:
        raise LabellingError(_("Le vote est clos pour cette demande."))
    if Vote.objects.filter(request=locked, organisation_id=member.organisation_id).exists():
        raise LabellingError(str(ALREADY_VOTED))
    criteria = {criterion.code: criterion for criterion in Criterion.objects.all()}
    if set(assessments) != set(criteria):
        raise LabellingError(_("Donnez votre appréciation sur chacun des quatre critères."))
    try:
        with transaction.atomic():
            vote = Vote.objects.create(
                request=locked,
                organisation_id=member.organisation_id,
                member=member,
                overall=overall,
                comment=comment,
                conflict_of_interest=conflict_of_interest,
            )
    except IntegrityError as error:
        # Another member of the same organisation voted first (the database constraint).
        raise LabellingError(str(ALREADY_VOTED)) from error
    CriterionAssessment.objects.bulk_create(
        [
            CriterionAssessment(
                vote=vote, criterion=criteria[code], met=met, comment=criterion_comment
            )
            for code, (met, criterion_comment) in assessments.items()
        ]
    )
    return vote


@transaction.atomic
def request_close_vote(*, request: LabellingRequest, actor: User) -> None:
    updated = LabellingRequest.objects.filter(pk=request.pk, vote_closed_at__isnull=True).update(
        vote_closed_at=timezone.now()
    )
    if not updated:
        raise LabellingError(_("Le vote est déjà clos."))
    _close_vote_reminders([request])
    request.refresh_from_db(fields=["vote_closed_at"])


# --- Decisions ----------------------------------------------------------------------------


def _next_label_number(year: int) -> str:
    LabelCounter.objects.get_or_create(year=year)
    LabelCounter.objects.filter(year=year).update(last_number=F("last_number") + 1)
    return f"PS-{year}-{LabelCounter.objects.get(year=year).last_number:02d}"


@transaction.atomic
def decision_record(
    *, request: LabellingRequest, actor: User, outcome: str, motivation: str
) -> Decision:
    """Record the committee's decision: it closes the vote, moves the dossier, gives a
    labelled project its number, and tells the porteur."""
    if request.decisions.exists():
        raise LabellingError(_("Une décision est déjà enregistrée : enregistrez une correction."))
    if request.project.status != Status.IN_COMMITTEE:
        raise LabellingError(_("Le dossier n'est pas devant le comité."))
    LabellingRequest.objects.filter(pk=request.pk, vote_closed_at__isnull=True).update(
        vote_closed_at=timezone.now()
    )
    counted = selectors.tally(request)
    proposed = counted.proposed_outcome
    departs = outcome != proposed
    if not motivation.strip():
        raise LabellingError(_("La décision doit être motivée."))
    decision = _decision_row(request, actor, outcome, proposed, departs, motivation, counted)
    _close_vote_reminders([request])
    project_services.project_record_committee_outcome(
        project=request.project, outcome=outcome, actor=actor, note=motivation
    )
    _apply_label(decision)
    _notify_porteur(decision)
    return decision


def _decision_row(request, actor, outcome, proposed, departs, motivation, counted, **extra):
    try:
        with transaction.atomic():
            return Decision.objects.create(
                request=request,
                outcome=outcome,
                proposed_outcome=proposed,
                departs_from_proposal=departs,
                motivation=motivation,
                favorable=counted.favorable,
                unfavorable=counted.unfavorable,
                abstentions=counted.abstentions,
                conflicts=counted.conflicts,
                quorum_reached=counted.quorum_reached,
                recorded_by=actor,
                **extra,
            )
    except IntegrityError as error:
        raise LabellingError(
            _("Une décision vient d'être enregistrée par ailleurs : rechargez la page.")
        ) from error


def _apply_label(decision: Decision) -> None:
    project = decision.request.project
    if decision.outcome == Outcome.LABELLED:
        today = timezone.localdate()
        decision.label_number = project.label_number or _next_label_number(today.year)
        decision.save(update_fields=["label_number"])
        project_services.project_set_label(
            project=project, number=decision.label_number, labelled_on=today
        )
    elif project.label_number:
        project_services.project_set_label(project=project, number="", labelled_on=None)


def _notify_porteur(decision: Decision) -> None:
    """The decision, its motivation and, after a refusal or an adjournment, the verdict on
    each criterion (never which organisation judged what) and what the porteur can do."""
    project = decision.request.project
    context: dict[str, Any] = {"decision": decision, "project": project}
    if decision.outcome in (Outcome.NOT_LABELLED, Outcome.POSTPONED):
        context["criteria"] = selectors.criteria_outcomes([decision.request])[decision.request_id]
    if decision.outcome == Outcome.NOT_LABELLED:
        context["solidarity_partners"] = selectors.solidarity_partners()
    emails.send("committee_decision", to=[project.contact_email], context=context)


@transaction.atomic
def decision_correct(
    *, decision: Decision, actor: User, outcome: str, motivation: str, reason: str
) -> Decision:
    """A correction is a new, audited decision pointing to the one it corrects."""
    if hasattr(decision, "correction"):
        raise LabellingError(_("Cette décision a déjà été corrigée : corrigez la plus récente."))
    if not reason.strip() or not motivation.strip():
        raise LabellingError(_("Indiquez la raison de la correction et la motivation."))
    request = decision.request
    counted = selectors.tally(request)
    correction = _decision_row(
        request,
        actor,
        outcome,
        counted.proposed_outcome,
        outcome != counted.proposed_outcome,
        motivation,
        counted,
        corrects=decision,
        correction_reason=reason,
    )
    if outcome != decision.outcome:
        project_services.project_correct_committee_outcome(
            project=request.project,
            from_outcome=decision.outcome,
            to_outcome=outcome,
            actor=actor,
            note=reason,
        )
    _apply_label(correction)
    _notify_porteur(correction)
    return correction


def decision_initial(counted: selectors.Tally) -> dict[str, Any]:
    """The decision form, pre-filled from the tally."""
    return {"outcome": counted.proposed_outcome, "motivation": str(counted.explanation)}


# --- Personal data ------------------------------------------------------------------------

# What the committee's work holds about a dossier's people, and what anonymising it does.
ERASED = neutral(lambda project: _("Texte effacé lors de l'anonymisation du dossier."))
personal_data.register(
    LabellingRequest,
    dossier="project",
    personal={"cheffe_opinion": BLANK},
)
personal_data.register(
    Vote,
    dossier="request__project",
    personal={"comment": BLANK},
    keep={"overall": "a code; the tally"},
)
personal_data.register(
    CriterionAssessment,
    dossier="vote__request__project",
    personal={"comment": BLANK},
)
personal_data.register(
    Decision,
    dossier="request__project",
    # A correction must keep a reason (a database constraint): a neutral text.
    personal={"motivation": ERASED, "correction_reason": ERASED},
    keep={
        "outcome": "a code; the figures",
        "proposed_outcome": "a code",
        "label_number": "the public register of labels given",
    },
)
personal_data.register(
    CommitteeSession,
    dossier=None,
    keep={
        "location": "where the committee met, not about a dossier",
        "video_link": "the committee's meeting link, not about a dossier",
    },
)
personal_data.register(
    Criterion, dossier=None, keep={"code": "reference data", "label": "reference data"}
)
personal_data.register(LabelCounter, dossier=None)
