"""The cheffe's management of the committee: sessions and their agenda, invitations,
attendance, her opinion on a request, closing a vote, correcting a decision."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.services import ServiceRefused
from accounts.submitted_forms import submit_once
from propulsons.http import posted_id

from .. import selectors, services
from ..forms import AgendaAddForm, AttendanceForm, CorrectionForm, OpinionForm, SessionForm
from ..models import CommitteeSession, Decision
from ._common import request_for, require_team


@require_http_methods(["GET", "POST"])
@login_required
def session_create(request):
    require_team(request)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def create() -> str:
            session = services.session_create(actor=request.user, **form.cleaned_data)
            messages.success(request, _("La séance est créée : composez son ordre du jour."))
            return reverse("labelling:session", args=[session.pk])

        return submit_once(request, create, fallback=reverse("labelling:index"))
    return render(request, "labelling/session_form.html", {"form": form})


@require_POST
@login_required
def session_action(request, pk: int, action: str):
    """The cheffe's actions on a session: agenda, invitations, reminders to the organisations
    that have not voted, attendance, closing."""
    require_team(request)
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
        elif action == "relancer":
            page = reverse("labelling:session", args=[session.pk])
            item = get_object_or_404(session.requests, pk=posted_id(request, "request"))

            def remind() -> str:
                organisations = services.request_remind_voters(request=item, actor=request.user)
                messages.success(
                    request,
                    ngettext(
                        "Relance envoyée à %(count)s organisation qui n'a pas encore voté sur "
                        "« %(title)s » : %(names)s.",
                        "Relance envoyée aux %(count)s organisations qui n'ont pas encore voté "
                        "sur « %(title)s » : %(names)s.",
                        len(organisations),
                    )
                    % {
                        "count": len(organisations),
                        "title": item.project.title,
                        "names": ", ".join(o.short_name for o in organisations),
                    },
                )
                return page

            # A double click sends the reminder once (the form's key).
            return submit_once(request, remind, fallback=page)
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


@require_POST
@login_required
def opinion(request, pk: int):
    require_team(request)
    item = request_for(request, pk)
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
    require_team(request)
    item = request_for(request, pk)
    try:
        services.request_close_vote(request=item, actor=request.user)
        messages.success(request, _("Le vote est clos."))
    except ServiceRefused as error:
        messages.error(request, str(error))
    return redirect("labelling:review", pk=item.pk)


@require_http_methods(["GET", "POST"])
@login_required
def correct(request, pk: int):
    require_team(request)
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
