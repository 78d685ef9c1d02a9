"""What committee members (and the team) read and do: the sessions, a session's page and its
minutes, a request's review page with the vote, and recording the decision (the session's chair
or the team)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import OuterRef, Prefetch, Subquery, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.services import ServiceRefused
from accounts.submitted_forms import submit_once
from coaching.selectors import dossier_coaching
from propulsons.templatetags.labels import labels

from .. import selectors, services
from ..evidence import vote_evidence
from ..forms import AgendaAddForm, AttendanceForm, DecisionForm, OpinionForm, VoteForm
from ..models import (
    CommitteeSession,
    CriterionAssessment,
    Decision,
    LabellingRequest,
    Vote,
    VoteState,
)
from ..permissions import (
    can_manage_committee,
    can_record_decision,
    can_see_votes,
    can_view_request,
    can_vote,
    organisation_has_voted,
)
from ..services import ALREADY_VOTED
from ._common import (
    organisation_votes,
    request_for,
    require_committee_or_team,
    session_requests,
    visible_sessions,
)

ARCHIVE_PAGE_SIZE = 10


@require_safe
@login_required
def index(request):
    """The committee's home: the votes waiting for the member's organisation first, then the
    sessions to come, then the archive of past sessions, a page at a time and folded away."""
    require_committee_or_team(request)
    sessions = visible_sessions(request.user).annotate(n_requests=selectors.requests_count())
    upcoming, archive = selectors.split_sessions(sessions)
    archive_page = Paginator(archive, ARCHIVE_PAGE_SIZE).get_page(request.GET.get("archives"))
    context = {
        "upcoming": list(upcoming),
        "archive_page": archive_page,
        "archive_open": "archives" in request.GET,
        "is_team": can_manage_committee(request.user),
    }
    if request.user.is_committee_member and request.user.organisation_id:
        # The member's work first: each waiting vote, one click from its form.
        context["is_member"] = True
        context["awaiting"] = list(selectors.requests_awaiting_vote(request.user))
    if context["is_team"]:
        context["waiting"] = (
            LabellingRequest.objects.filter(session__isnull=True, vote_closed_at__isnull=True)
            .select_related("project__commune")
            .order_by("requested_at")
        )
    return render(request, "labelling/index.html", context)


@require_safe
@login_required
def session_detail(request, pk: int):
    require_committee_or_team(request)
    session = get_object_or_404(CommitteeSession.objects.select_related("chair"), pk=pk)
    requests = list(
        session_requests(session).annotate(
            # Only the latest decision's outcome is shown (a correction replaces the first).
            decision_outcome=Subquery(
                Decision.objects.filter(request=OuterRef("pk"))
                .order_by("-recorded_at", "-id")
                .values("outcome")[:1]
            )
        )
    )
    # The votes read once for the tallies, the standings and the member's own votes.
    votes = selectors.votes_facts(requests)
    tallies = selectors.tallies(requests, votes=votes)
    my_votes = organisation_votes(request.user, votes)
    is_team = can_manage_committee(request.user)
    # Who has voted, abstained, declared a conflict or not voted yet: under the blind vote's
    # rule, like the tally (an abstention or a conflict is part of an organisation's vote).
    standings = selectors.participation(requests, votes=votes)
    outcomes = labels(Decision, "outcome")
    rows = [
        {
            "request": item,
            "tally": tallies[item.pk],
            "show_tally": can_see_votes(request.user, item, organisation_voted=item.pk in my_votes),
            "voted": item.pk in my_votes,
            "decision": outcomes.get(item.decision_outcome, item.decision_outcome),
            "participation": standings[item.pk],
            "can_remind": is_team and item.is_vote_open(),
        }
        for item in requests
        if can_view_request(request.user, item, organisation_voted=item.pk in my_votes)
    ]
    if not (is_team or rows):
        # No request of the session the member may see: the session is not theirs either
        # (selectors.sessions_visible_to_member, the same rule where sessions are listed, asked
        # here of the agenda the page reads anyway rather than in a query of its own).
        raise Http404
    return render(
        request,
        "labelling/session.html",
        {
            "session": session,
            "rows": rows,
            "is_team": is_team,
            "agenda_form": AgendaAddForm() if is_team else None,
            "attendance_form": AttendanceForm(
                initial={"organisations": session.attendees.all()}, session=session
            )
            if is_team
            else None,
        },
    )


@require_safe
@login_required
def minutes(request, pk: int):
    """The procès-verbal: attendance, each request's tally, conflicts and decision."""
    require_committee_or_team(request)
    session = get_object_or_404(visible_sessions(request.user).select_related("chair"), pk=pk)
    requests = list(
        session_requests(session).prefetch_related(
            Prefetch("decisions", queryset=Decision.objects.order_by("recorded_at", "id"))
        )
    )
    votes = selectors.votes_facts(requests)
    tallies = selectors.tallies(requests, votes=votes)
    my_votes = organisation_votes(request.user, votes)
    conflicts = {}
    for vote in Vote.objects.filter(request__in=requests, conflict_of_interest=True).select_related(
        "organisation"
    ):
        conflicts.setdefault(vote.request_id, []).append(vote.organisation)
    rows = [
        {
            "request": item,
            "tally": tallies[item.pk],
            # The blind vote holds on the minutes too: counts, criteria, proposed outcome and
            # who declared a conflict are another organisation's vote.
            "show_tally": can_see_votes(request.user, item, organisation_voted=item.pk in my_votes),
            "conflicts": conflicts.get(item.pk, []),
            "decisions": list(item.decisions.all()),
        }
        for item in requests
    ]
    return render(
        request,
        "labelling/minutes.html",
        {"session": session, "rows": rows, "attendees": session.attendees.all()},
    )


@require_http_methods(["GET", "POST"])
@login_required
def review(request, pk: int):
    """The committee's review page of a request, with the vote form for members."""
    require_committee_or_team(request)
    # Every organisation's vote, read first: the member's own is among them, which is what
    # the permission asks of a request no longer before the committee.
    # request__pk, not request_id: an id beyond the column's range then reads nothing (a 404
    # below) instead of reaching the database (a 500 on SQLite).
    all_votes = list(Vote.objects.filter(request__pk=pk).select_related("organisation"))
    own_vote = None
    if request.user.is_committee_member:
        own_vote = next(
            (v for v in all_votes if v.organisation_id == request.user.organisation_id), None
        )
    item = request_for(
        request,
        pk,
        related=("project__commune", "project__partner", "session"),
        organisation_voted=own_vote is not None,
    )
    criteria = selectors.label_criteria()
    vote_state = item.vote_state()
    vote_form = None
    if request.method == "POST":
        if not can_vote(request.user, item):
            messages.error(
                request,
                _("Le vote n'est pas encore ouvert : il ouvrira à l'envoi des invitations.")
                if vote_state == VoteState.NOT_OPEN
                else _("Le vote est clos pour cette demande."),
            )
            return redirect("labelling:review", pk=item.pk)
        if own_vote is not None:
            messages.error(request, str(ALREADY_VOTED))
            return redirect("labelling:review", pk=item.pk)
    if can_vote(request.user, item) and own_vote is None:
        initial = {
            # The organisation that follows the project is flagged in advance.
            "conflict_of_interest": item.project.partner_id == request.user.organisation_id
        }
        vote_form = VoteForm(request.POST or None, criteria=criteria, initial=initial)
        if request.method == "POST" and vote_form.is_valid():
            try:
                services.vote_cast(
                    request=item,
                    member=request.user,
                    overall=vote_form.cleaned_data["overall"],
                    comment=vote_form.cleaned_data["comment"],
                    conflict_of_interest=vote_form.cleaned_data["conflict_of_interest"],
                    assessments=vote_form.assessments(),
                )
                messages.success(request, _("Votre vote est enregistré."))
                return redirect("labelling:review", pk=item.pk)
            except ServiceRefused as error:
                messages.error(request, str(error))
            return redirect("labelling:review", pk=item.pk)

    coaching = dossier_coaching(item.project, include_internal=False)
    vote_rows = None
    if vote_form is not None:
        facts = vote_evidence(item, coaching)
        vote_rows = [
            (criterion, met, comment, facts.get(criterion.code))
            for criterion, met, comment in vote_form.criterion_fields()
        ]
    show_votes = can_see_votes(request.user, item, organisation_voted=own_vote is not None)
    counted = None
    if show_votes:
        # Their criteria only for who may see them (the blind vote), the tally counted from them.
        prefetch_related_objects(
            all_votes,
            Prefetch(
                "assessments", queryset=CriterionAssessment.objects.select_related("criterion")
            ),
        )
        counted = selectors.tallies(
            [item], criteria=criteria, votes=[selectors.VoteFacts.of(vote) for vote in all_votes]
        )[item.pk]
    votes = all_votes if show_votes else []
    # A decision closes the vote (services.decision_record): none to read while it is open.
    decisions = list(item.decisions.select_related("recorded_by")) if item.vote_closed_at else []
    decision_form = None
    # The form is pre-filled from the tally: a chair who may not see it yet does not get it.
    if can_record_decision(request.user, item) and show_votes and not decisions:
        decision_form = DecisionForm(
            initial=services.decision_initial(counted), proposed=counted.proposed_outcome
        )
    return render(
        request,
        "labelling/review.html",
        {
            "item": item,
            "project": item.project,
            "criteria": criteria,
            "vote_form": vote_form,
            "vote_rows": vote_rows,
            "vote_state": vote_state,
            "own_vote": own_vote,
            "votes": votes,
            "show_votes": show_votes,
            "tally": counted,
            "decisions": decisions,
            "decision_form": decision_form,
            "is_team": can_manage_committee(request.user),
            "opinion_form": OpinionForm(instance=item)
            if can_manage_committee(request.user) and item.vote_closed_at is None
            else None,
            "documents": item.project.documents.all(),
            "partner_flag": request.user.is_committee_member
            and item.project.partner_id == request.user.organisation_id,
            **coaching,
        },
    )


@require_POST
@login_required
def decide(request, pk: int):
    item = request_for(request, pk)
    if not can_record_decision(request.user, item):
        raise PermissionDenied
    if not can_see_votes(
        request.user, item, organisation_voted=organisation_has_voted(request.user, item)
    ):
        messages.error(
            request,
            _(
                "Le décompte vous reste caché tant que votre organisation n'a pas voté ou que le "
                "vote n'est pas clos : la décision ne peut pas encore être enregistrée ici."
            ),
        )
        return redirect("labelling:review", pk=item.pk)
    counted = selectors.tally(item)
    form = DecisionForm(request.POST, proposed=counted.proposed_outcome)
    if form.is_valid():
        review = reverse("labelling:review", args=[item.pk])

        def record() -> str:
            services.decision_record(
                request=item,
                actor=request.user,
                outcome=form.cleaned_data["outcome"],
                motivation=form.cleaned_data["motivation"],
            )
            messages.success(request, _("La décision est enregistrée ; le porteur est prévenu."))
            return review

        try:
            return submit_once(request, record, fallback=review)
        except ServiceRefused as error:
            messages.error(request, str(error))
    return render(
        request,
        "labelling/decision_refused.html",
        {"item": item, "form": form, "tally": counted},
        status=400,
    )
