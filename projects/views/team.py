"""The team's pipeline, a dossier's team page and its transitions (abandon, reorient)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.services import ServiceRefused
from propulsons.pagination import CountedPaginator
from propulsons.search import words_filter

from .. import pipeline, services
from ..forms import (
    PIPELINE_ACTIVE,
    PIPELINE_ALL,
    PIPELINE_INACTIVE,
    AnonymiseForm,
    DocumentForm,
    PipelineFilterForm,
    ReasonForm,
)
from ..models import (
    ACTIVE_STATUSES,
    TEAM_SEARCH_FIELDS,
    Project,
    Status,
    StatusChange,
    StatusCount,
)
from ..next_steps import dossier_facts, dossier_steps
from ..permissions import can_edit_project
from ..sections import dossier_sections
from ._common import add_document_once, project_for, require_team

PAGE_SIZE = 25
PIPELINE_ROW_FIELDS = (
    "reference",
    "title",
    "contact_first_name",
    "contact_last_name",
    "status",
    "last_interaction_on",
    "commune__name",
    "coach__first_name",
    "coach__last_name",
    "coach__email",
)


@require_safe
@login_required
def team_pipeline(request):
    require_team(request)
    # Bound even without a query string: an empty status means the active dossiers.
    filters = PipelineFilterForm(request.GET)
    data = filters.cleaned_data if filters.is_valid() else {}
    # The columns the rows show, and the two relations they name: fewer joins to plan and
    # fewer columns to read (the owner and the partner are not shown).
    projects = pipeline.annotate(
        Project.objects.select_related("commune", "coach").only(*PIPELINE_ROW_FIELDS)
    ).order_by(data.get("sort") or "-created_at", "-id")
    counted = Project.objects.all()
    narrowed = False  # by a filter other than the status
    if data.get("q"):
        words = words_filter(data["q"], TEAM_SEARCH_FIELDS)
        projects, counted = projects.filter(words), counted.filter(words)
        narrowed = True
    for field, lookup in [
        ("commune", "commune__name__icontains"),
        ("category", "category"),
        ("partner", "partner"),
        ("contact_from", "created_at__date__gte"),
        ("contact_to", "created_at__date__lte"),
    ]:
        if data.get(field):
            projects = projects.filter(**{lookup: data[field]})
            counted = counted.filter(**{lookup: data[field]})
            narrowed = True
    if data.get("mine"):
        projects, counted = projects.filter(coach=request.user), counted.filter(coach=request.user)
        narrowed = True
    if data.get("unassigned"):
        projects, counted = projects.filter(coach=None), counted.filter(coach=None)
        narrowed = True
    # The counts per status follow every filter but the status itself, so they say how
    # many dossiers a click on a status would show, whichever status is chosen.
    status = data.get("status", PIPELINE_ACTIVE)
    if status == PIPELINE_ACTIVE:
        projects = projects.filter(status__in=ACTIVE_STATUSES)
    elif status == PIPELINE_INACTIVE:
        projects = projects.exclude(status__in=ACTIVE_STATUSES)
    elif status != PIPELINE_ALL:
        projects = projects.filter(status=status)
    if narrowed:
        # COUNT(*), not COUNT(id): the status index alone answers it (an index-only scan).
        counts = dict(counted.values_list("status").annotate(n=Count("*")).order_by())
    else:
        # Every dossier: the counts the database keeps (projects/status_counts.py).
        counts = dict(StatusCount.objects.filter(n__gt=0).values_list("status", "n"))
    status_counts = [(status, counts.get(status.value, 0)) for status in Status]
    # The page's total is the sum of the counts of the statuses shown: no second count.
    shown = {
        PIPELINE_ACTIVE: ACTIVE_STATUSES,
        PIPELINE_INACTIVE: set(Status.values) - ACTIVE_STATUSES,
        PIPELINE_ALL: set(Status.values),
    }.get(status, {status})
    page = CountedPaginator(
        projects, PAGE_SIZE, counted=sum(n for s, n in counts.items() if s in shown)
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # The status buttons keep the other filters (search, commune, "mes dossiers"...).
    others = request.GET.copy()
    for name in ("page", "status"):
        others.pop(name, None)
    # One click shows only her dossiers, or all of them again.
    toggled = request.GET.copy()
    toggled.pop("page", None)
    if toggled.pop("mine", None) is None:
        toggled["mine"] = "on"
    return render(
        request,
        "projects/team_pipeline.html",
        {
            "filters": filters,
            "mine": bool(data.get("mine")),
            "mine_toggle": urlencode(toggled, doseq=True),
            "page": page,
            "status": status,
            "status_counts": status_counts,
            "active_counts": [item for item in status_counts if item[0] in ACTIVE_STATUSES],
            "inactive_counts": [item for item in status_counts if item[0] not in ACTIVE_STATUSES],
            "total": sum(counts.values()),
            "active_total": sum(n for s, n in counts.items() if s in ACTIVE_STATUSES),
            "inactive_total": sum(n for s, n in counts.items() if s not in ACTIVE_STATUSES),
            "scopes": {
                "active": PIPELINE_ACTIVE,
                "inactive": PIPELINE_INACTIVE,
                "all": PIPELINE_ALL,
            },
            "query": urlencode(query, doseq=True),
            "other_filters": urlencode(others, doseq=True),
            "today": timezone.localdate().isoformat(),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def team_project(request, reference: str):
    require_team(request)
    project = project_for(request, reference)
    document_form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and document_form.is_valid():
        back = reverse("projects:team_project", args=[reference]) + "#documents"
        if response := add_document_once(request, project, document_form, back):
            return response
    return dossier_page(request, project, document_form=document_form)


# The section the page opens on (with JavaScript; without it every section shows), by status:
# where the cheffe's work on the dossier is at that point.
OPENING_SECTION = {
    Status.CONTACT: "accompagnement",
    Status.FIRST_MEETING_DONE: "accompagnement",
    Status.COACHING: "accompagnement",
    Status.POSTPONED: "comite",
    Status.LABELLING_REQUESTED: "comite",
    Status.IN_COMMITTEE: "comite",
    Status.NOT_LABELLED: "comite",
    Status.LABELLED: "campagne",
    Status.CAMPAIGN_RUNNING: "campagne",
    Status.CAMPAIGN_ENDED: "campagne",
}


def dossier_page(
    request, project: Project, *, document_form=None, anonymise_form=None, status: int = 200
):
    """The team's workspace on a dossier: its header (status, contact, the next step and its
    one primary button, the rare actions in "Plus d'actions"), then its sections. Also
    answers a refused anonymisation, with its form bound and its menu open."""
    context = dossier_sections(project, user=request.user, for_team=True)
    # The one decision of the next step: the team's, and what the porteur reads meanwhile.
    steps = dossier_steps(project, facts=dossier_facts([project])[project.pk], team_context=context)
    opening = OPENING_SECTION.get(project.status, "dossier")
    if context.get("feed_new"):
        opening = "messages"  # the porteur's new messages, marked read: where she reads them
    if document_form is not None and document_form.errors:
        opening = "documents"  # the form's errors, where the cheffe just was
    history = StatusChange.objects.filter(project=project).select_related("actor")
    return render(
        request,
        "projects/team_project.html",
        {
            # Coaching, label, campaigns: the sections the apps above register.
            **context,
            "project": project,
            "next_step": steps.team,
            "porteur_step": steps.porteur,
            "opening_section": opening,
            "history": history,
            "documents": project.documents.select_related("uploaded_by"),
            "document_form": DocumentForm() if document_form is None else document_form,
            # Explicit: the page also answers at the anonymisation's address.
            "document_action": reverse("projects:team_project", args=[project.reference]),
            "anonymise_form": AnonymiseForm() if anonymise_form is None else anonymise_form,
            "can_edit": can_edit_project(request.user, project),
            "can_abandon": Status.ABANDONED in project.allowed_next_statuses,
            "can_reorient": Status.REORIENTED in project.allowed_next_statuses,
        },
        status=status,
    )


def _team_transition(request, reference: str, service, success_message: str):
    require_team(request)
    project = project_for(request, reference)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Indiquez la raison : elle est conservée dans l'historique."))
        return redirect("projects:team_project", reference=reference)
    try:
        service(project=project, actor=request.user, reason=form.cleaned_data["reason"])
    except ServiceRefused as error:
        messages.error(request, str(error))
        return HttpResponseBadRequest(
            render(request, "projects/transition_refused.html", {"project": project}).content
        )
    messages.success(request, success_message % {"ref": project.reference})
    return redirect("projects:team_project", reference=reference)


@require_POST
@login_required
def team_abandon(request, reference: str):
    return _team_transition(
        request, reference, services.project_abandon, _("Le dossier %(ref)s est marqué abandonné.")
    )


@require_POST
@login_required
def team_reorient(request, reference: str):
    return _team_transition(
        request, reference, services.project_reorient, _("Le dossier %(ref)s est réorienté.")
    )
