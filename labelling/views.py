from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.services import ServiceRefused
from accounts.submitted_forms import submit_once
from coaching.selectors import dossier_coaching
from projects.models import Project, Status
from propulsons.http import posted_id

from . import selectors, services
from .forms import (
    AgendaAddForm,
    AttendanceForm,
    CorrectionForm,
    DecisionForm,
    OpinionForm,
    SessionForm,
    VoteForm,
)
from .models import (
    CommitteeSession,
    Criterion,
    CriterionAssessment,
    Decision,
    LabellingRequest,
    Vote,
    VoteState,
)
from .permissions import (
    can_manage_committee,
    can_record_decision,
    can_see_votes,
    can_view_request,
    can_vote,
    organisation_has_voted,
)
from .services import ALREADY_VOTED


def _require_team(request) -> None:
    if not can_manage_committee(request.user):
        raise PermissionDenied


def _require_committee_or_team(request) -> None:
    if not (can_manage_committee(request.user) or request.user.is_committee_member):
        raise PermissionDenied


def _visible_sessions(user):
    sessions = CommitteeSession.objects.annotate(n_requests=Count("requests", distinct=True))
    if can_manage_committee(user):
        return sessions
    visible = selectors.visible_requests_for_member(user).values("session_id")
    return sessions.filter(pk__in=visible)


@require_safe
@login_required
def index(request):
    _require_committee_or_team(request)
    sessions = _visible_sessions(request.user).order_by("-held_at")
    context = {"sessions": sessions, "is_team": can_manage_committee(request.user)}
    if context["is_team"]:
        context["waiting"] = (
            LabellingRequest.objects.filter(session__isnull=True, vote_closed_at__isnull=True)
            .select_related("project__commune")
            .order_by("requested_at")
        )
    return render(request, "labelling/index.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def session_create(request):
    _require_team(request)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def create() -> str:
            session = services.session_create(actor=request.user, **form.cleaned_data)
            messages.success(request, _("La séance est créée : composez son ordre du jour."))
            return reverse("labelling:session", args=[session.pk])

        return submit_once(request, create, fallback=reverse("labelling:index"))
    return render(request, "labelling/session_form.html", {"form": form})


def _session_requests(session):
    return list(
        session.requests.select_related("project__commune", "project__partner").prefetch_related(
            Prefetch("decisions", queryset=Decision.objects.order_by("recorded_at", "id"))
        )
    )


def _organisation_votes(user, requests) -> set[int]:
    """The requests (among these) on which the user's organisation has voted, in one query."""
    if not (user.is_committee_member and user.organisation_id):
        return set()
    return set(
        Vote.objects.filter(request__in=requests, organisation_id=user.organisation_id).values_list(
            "request_id", flat=True
        )
    )


@require_safe
@login_required
def session_detail(request, pk: int):
    _require_committee_or_team(request)
    session = get_object_or_404(_visible_sessions(request.user), pk=pk)
    requests = _session_requests(session)
    tallies = selectors.tallies(requests)
    my_votes = _organisation_votes(request.user, requests)
    is_team = can_manage_committee(request.user)
    rows = [
        {
            "request": item,
            "tally": tallies[item.pk],
            "show_tally": can_see_votes(request.user, item, organisation_voted=item.pk in my_votes),
            "voted": item.pk in my_votes,
            "decision": (list(item.decisions.all()) or [None])[-1],
        }
        for item in requests
        if is_team or item.pk in my_votes or item.project.status == Status.IN_COMMITTEE
    ]
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


@require_POST
@login_required
def session_action(request, pk: int, action: str):
    """The cheffe's actions on a session: agenda, invitations, attendance, closing."""
    _require_team(request)
    session = get_object_or_404(CommitteeSession, pk=pk)
    try:
        if action == "inscrire":
            form = AgendaAddForm(request.POST)
            if not form.is_valid():
                raise services.LabellingError(_("Choisissez une demande à inscrire."))
            services.request_put_on_agenda(
                request=form.cleaned_data["request"], session=session, actor=request.user
            )
            messages.success(request, _("La demande est inscrite à l'ordre du jour."))
        elif action in ("monter", "descendre"):
            item = get_object_or_404(session.requests, pk=posted_id(request, "request"))
            services.request_move_on_agenda(request=item, actor=request.user, up=action == "monter")
        elif action == "inviter":
            page = reverse("labelling:session", args=[session.pk])

            def invite() -> str:
                count = services.session_invite(session=session, actor=request.user)
                messages.success(
                    request,
                    _("Invitations envoyées à %(count)s membres du comité.") % {"count": count},
                )
                return page

            # Sending again is allowed (a changed agenda), but not by a double click.
            return submit_once(request, invite, fallback=page)
        elif action == "presences":
            form = AttendanceForm(request.POST, session=session)
            if form.is_valid():
                services.session_set_attendance(
                    session=session,
                    actor=request.user,
                    organisations=list(form.cleaned_data["organisations"]),
                )
                messages.success(request, _("Les présences sont enregistrées."))
        elif action == "clore":
            services.session_close(session=session, actor=request.user)
            messages.success(request, _("La séance est close : les votes sont clos."))
        else:
            raise Http404
    except ServiceRefused as error:
        messages.error(request, str(error))
    return redirect("labelling:session", pk=session.pk)


@require_safe
@login_required
def minutes(request, pk: int):
    """The procès-verbal: attendance, each request's tally, conflicts and decision."""
    _require_committee_or_team(request)
    session = get_object_or_404(_visible_sessions(request.user), pk=pk)
    requests = _session_requests(session)
    tallies = selectors.tallies(requests)
    my_votes = _organisation_votes(request.user, requests)
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


def _request_for(request, pk: int) -> LabellingRequest:
    item = get_object_or_404(
        LabellingRequest.objects.select_related(
            "project__commune", "project__partner", "session", "project__owner"
        ),
        pk=pk,
    )
    if not can_view_request(request.user, item):
        if can_manage_committee(request.user) or request.user.is_committee_member:
            raise Http404
        raise PermissionDenied
    return item


@require_http_methods(["GET", "POST"])
@login_required
def review(request, pk: int):
    """The committee's review page of a request, with the vote form for members."""
    _require_committee_or_team(request)
    item = _request_for(request, pk)
    criteria = list(Criterion.objects.all())
    # Every organisation's vote in two queries; the member's own is among them.
    all_votes = list(
        Vote.objects.filter(request=item)
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "assessments",
                queryset=CriterionAssessment.objects.select_related("criterion"),
            )
        )
    )
    own_vote = None
    if request.user.is_committee_member:
        own_vote = next(
            (v for v in all_votes if v.organisation_id == request.user.organisation_id), None
        )
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

    counted = selectors.tallies([item], criteria=criteria)[item.pk]
    show_votes = can_see_votes(request.user, item, organisation_voted=own_vote is not None)
    votes = all_votes if show_votes else []
    decisions = list(item.decisions.select_related("recorded_by"))
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
            **dossier_coaching(item.project, include_internal=False),
        },
    )


@require_POST
@login_required
def opinion(request, pk: int):
    _require_team(request)
    item = _request_for(request, pk)
    form = OpinionForm(request.POST, instance=item)
    if form.is_valid():
        try:
            services.request_set_opinion(
                request=item, actor=request.user, opinion=form.cleaned_data["cheffe_opinion"]
            )
            messages.success(request, _("Votre avis est enregistré."))
        except ServiceRefused as error:
            messages.error(request, str(error))
    else:
        messages.error(request, _("Rédigez votre avis avant de l'enregistrer."))
    return redirect("labelling:review", pk=item.pk)


@require_POST
@login_required
def close_vote(request, pk: int):
    _require_team(request)
    item = _request_for(request, pk)
    try:
        services.request_close_vote(request=item, actor=request.user)
        messages.success(request, _("Le vote est clos."))
    except ServiceRefused as error:
        messages.error(request, str(error))
    return redirect("labelling:review", pk=item.pk)


@require_POST
@login_required
def decide(request, pk: int):
    item = _request_for(request, pk)
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


@require_http_methods(["GET", "POST"])
@login_required
def correct(request, pk: int):
    _require_team(request)
    decision = get_object_or_404(Decision.objects.select_related("request__project"), pk=pk)
    counted = selectors.tally(decision.request)
    form = CorrectionForm(
        request.POST or None,
        proposed=counted.proposed_outcome,
        initial={"outcome": decision.outcome, "motivation": decision.motivation},
    )
    if request.method == "POST" and form.is_valid():
        review = reverse("labelling:review", args=[decision.request_id])

        def correct() -> str:
            services.decision_correct(
                decision=decision,
                actor=request.user,
                outcome=form.cleaned_data["outcome"],
                motivation=form.cleaned_data["motivation"],
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("La correction est enregistrée."))
            return review

        try:
            return submit_once(request, correct, fallback=review)
        except ServiceRefused as error:
            messages.error(request, str(error))
    return render(
        request, "labelling/correction.html", {"decision": decision, "form": form, "tally": counted}
    )


@require_POST
@login_required
def raise_request(request, reference: str):
    """The porteur (from their space) or the cheffe asks for the label."""
    project = get_object_or_404(Project, reference=reference)
    is_owner = project.owner_id == request.user.pk
    if not (is_owner or can_manage_committee(request.user)):
        raise Http404
    try:
        services.request_raise(project=project, actor=request.user)
        messages.success(
            request,
            _(
                "La demande de labellisation est enregistrée : la cheffe de projet la "
                "présentera au comité."
            ),
        )
    except ServiceRefused as error:
        messages.error(request, str(error))
    if is_owner:
        return redirect(project.get_absolute_url())
    return redirect("projects:team_project", reference=reference)
