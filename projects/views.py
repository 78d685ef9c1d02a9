import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.core import is_ratelimited

from accounts.services import ServiceRefused
from accounts.submitted_forms import submit_once
from campaigns.forms import dossier_campaign_forms
from campaigns.selectors import dossier_campaigns
from coaching.forms import PostponeForm
from coaching.selectors import dossier_coaching
from labelling.selectors import dossier_labelling
from propulsons.http import posted_id, posted_text
from propulsons.search import words_filter

from . import services, uploads
from .forms import (
    DocumentForm,
    PipelineFilterForm,
    ProjectDetailsForm,
    ProjectIntakeForm,
    ReasonForm,
)
from .models import AnonymisationFailure, Commune, Document, Project, Status, StatusChange
from .permissions import (
    can_add_document,
    can_edit_project,
    can_manage_projects,
    can_view_project,
)

logger = logging.getLogger(__name__)

SUBMITTED_SESSION_KEY = "projects.submitted_reference"


def _communes():
    return Commune.objects.only("name", "postal_codes").order_by("name")


@require_http_methods(["GET", "POST"])
def intake(request):
    """The public form through which a porteur submits a project, with or without an account."""
    form = ProjectIntakeForm(request.POST or None)
    limited = False
    if request.method == "POST":
        limited = is_ratelimited(
            request,
            group="projects.intake",
            key="ip",
            rate=settings.INTAKE_RATE,
            method="POST",
            increment=True,
        )
        if limited:
            messages.error(
                request,
                _(
                    "Trop de dépôts depuis votre connexion en peu de temps. Réessayez dans une "
                    "heure, ou écrivez-nous à %(email)s."
                )
                % {"email": settings.TEAM_EMAIL},
            )
        elif form.is_valid():
            done = reverse("projects:intake_done")
            if form.is_spam():
                # A robot that filled the hidden field sees the same confirmation, and nothing
                # is recorded.
                return redirect(done)

            def submit() -> str:
                project = services.project_submit(
                    details=form.details(),
                    submitted_by=request.user if request.user.is_authenticated else None,
                )
                request.session[SUBMITTED_SESSION_KEY] = project.reference
                return done

            # A double click sends the form twice: one dossier, one email.
            return submit_once(request, submit, fallback=done)
    share = form.share_text() if form.is_bound and not form.errors.get("total_budget") else ""
    return render(
        request,
        "projects/intake.html",
        {"form": form, "communes": _communes(), "share": share},
        status=429 if limited else 200,
    )


@require_safe
def intake_done(request):
    reference = request.session.get(SUBMITTED_SESSION_KEY)
    project = Project.objects.filter(reference=reference).first() if reference else None
    return render(request, "projects/intake_done.html", {"project": project})


# --- The porteur's space ------------------------------------------------------------------


def _project_for(request, reference: str) -> Project:
    """The dossier if this user may see it; a 404 otherwise, so that nobody can probe."""
    project = get_object_or_404(
        Project.objects.select_related("commune", "partner", "owner"), reference=reference
    )
    if not can_view_project(request.user, project):
        raise Http404
    return project


@require_safe
@login_required
def porteur_space(request):
    projects = (
        Project.objects.owned_by(request.user)
        .select_related("commune")
        .prefetch_related("status_changes")
        .order_by("-created_at")
    )
    return render(request, "projects/porteur_space.html", {"projects": projects})


@require_http_methods(["GET", "POST"])
@login_required
def porteur_project(request, reference: str):
    project = _project_for(request, reference)
    if project.owner_id != request.user.pk:
        # Staff and committee members read dossiers in their own pages.
        if can_manage_projects(request.user):
            return redirect("projects:team_project", reference=reference)
        raise Http404
    document_form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_add_document(request.user, project):
            raise PermissionDenied
        if document_form.is_valid():
            back = project.get_absolute_url() + "#documents"
            if response := _add_document_once(request, project, document_form, back):
                return response
    campaigns = dossier_campaigns(project, for_team=False)
    return render(
        request,
        "projects/porteur_project.html",
        {
            **dossier_coaching(project, include_internal=False),
            **dossier_labelling(project, for_team=False),
            **campaigns,
            **dossier_campaign_forms(project, campaigns["current_campaign"], for_team=False),
            "project": project,
            "history": project.status_changes.all(),
            "documents": project.documents.all(),
            "document_form": document_form,
            "can_edit": can_edit_project(request.user, project),
            "can_add_document": can_add_document(request.user, project),
        },
    )


def _add_document(request, project: Project, form: DocumentForm) -> Document | None:
    cleaned = form.cleaned_data
    try:
        document = services.document_add(
            project=project,
            actor=request.user,
            kind=cleaned["kind"],
            upload=cleaned.get("upload"),
            url=cleaned.get("url", ""),
            original_name=cleaned.get("original_name", ""),
            content_type=cleaned.get("content_type", ""),
        )
    except OSError:
        # A full disk or a storage fault: nothing was kept (no file, no row); the porteur may
        # simply try again.
        logger.exception("upload to dossier %s failed", project.reference)
        form.add_error(
            "upload",
            _("Le fichier n'a pas pu être enregistré. Réessayez dans quelques minutes."),
        )
        return None
    messages.success(request, _("« %(name)s » est ajouté au dossier.") % {"name": document})
    return document


class _DocumentNotSaved(Exception):
    """The upload failed (its error is on the form): the form key must not be used up."""


def _add_document_once(request, project: Project, form: DocumentForm, back: str):
    """Redirect once the document is added (or was, by the same form sent twice); None when
    the upload failed, so that the page shows the form with its error."""

    def add() -> str:
        if _add_document(request, project, form) is None:
            raise _DocumentNotSaved
        return back

    try:
        return submit_once(request, add, fallback=back)
    except _DocumentNotSaved:
        return None


@require_http_methods(["GET", "POST"])
@login_required
def project_edit(request, reference: str):
    project = _project_for(request, reference)
    if not can_edit_project(request.user, project):
        if project.owner_id == request.user.pk or can_manage_projects(request.user):
            messages.error(
                request,
                _("Le dossier est devant le comité ou au-delà : il ne peut plus être modifié."),
            )
            return redirect(project.get_absolute_url())
        raise Http404
    form = ProjectDetailsForm(request.POST or None, instance=project)
    form.fields["contact_email"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update_details(
                project=project, details=form.details(), actor=request.user
            )
        except ServiceRefused as error:
            # The dossier went before the committee since the form was opened.
            messages.error(request, str(error))
            return redirect(project.get_absolute_url())
        messages.success(request, _("Les informations du projet sont enregistrées."))
        if project.owner_id == request.user.pk:
            return redirect(project.get_absolute_url())
        return redirect("projects:team_project", reference=reference)
    return render(
        request,
        "projects/project_edit.html",
        {"form": form, "project": project, "communes": _communes(), "share": form.share_text()},
    )


@require_http_methods(["GET", "POST"])
@login_required
def claim(request, token: str):
    """Attach a dossier submitted with this account's address, once its owner confirms."""
    try:
        project_id = services.claim_token_read(token)
    except signing.BadSignature:
        return render(request, "projects/claim.html", {"invalid": True}, status=400)
    project = get_object_or_404(Project, pk=project_id)
    if project.contact_email.lower() != request.user.email.lower():
        raise Http404
    if request.method == "POST":
        try:
            services.project_claim(project=project, user=request.user)
        except ServiceRefused as error:
            messages.error(request, str(error))
            return redirect("projects:porteur_space")
        messages.success(
            request,
            _("Le dossier %(ref)s est rattaché à votre compte.") % {"ref": project.reference},
        )
        return redirect(project.get_absolute_url())
    return render(request, "projects/claim.html", {"project": project})


@require_safe
@login_required
def document_download(request, pk: int):
    """Private files leave only through here, to those who may see the dossier."""
    document = get_object_or_404(Document.objects.select_related("project"), pk=pk)
    if not can_view_project(request.user, document.project) or document.is_link:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        # The row is committed: a file still under its temporary name was left by a process
        # stopped before renaming it, and the rename is finished here.
        name = document.file.name
        if not uploads.finish_move(name + uploads.TEMPORARY_SUFFIX, name):
            # A row without its file: `manage.py private_files` lists them.
            logger.error("document %s: its file %s is missing", document.pk, name)
            raise Http404 from None
        handle = document.file.open("rb")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.served_name,
        content_type=document.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- The team's pipeline ------------------------------------------------------------------


def _require_team(request) -> None:
    if not can_manage_projects(request.user):
        raise PermissionDenied


PAGE_SIZE = 25


@require_safe
@login_required
def team_pipeline(request):
    _require_team(request)
    filters = PipelineFilterForm(request.GET or None)
    projects = Project.objects.with_list_relations()
    counted = Project.objects.all()
    if filters.is_valid():
        data = filters.cleaned_data
        if data["q"]:
            words = words_filter(
                data["q"],
                [
                    "reference",
                    "title",
                    "structure_name",
                    "contact_last_name",
                    "contact_first_name",
                    "contact_email",
                ],
            )
            projects, counted = projects.filter(words), counted.filter(words)
        for field, lookup in [
            ("commune", "commune__name__icontains"),
            ("category", "category"),
            ("partner", "partner"),
            ("contact_from", "created_at__date__gte"),
            ("contact_to", "created_at__date__lte"),
        ]:
            if data[field]:
                projects = projects.filter(**{lookup: data[field]})
                counted = counted.filter(**{lookup: data[field]})
        # The counts per status follow every filter but the status itself, so they say how
        # many dossiers a click on a status would show.
        if data["status"]:
            projects = projects.filter(status=data["status"])
        projects = projects.order_by(data["sort"] or "-created_at", "-id")
    counts = dict(counted.values_list("status").annotate(n=Count("id")).order_by())
    status_counts = [(status, counts.get(status.value, 0)) for status in Status]
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/team_pipeline.html",
        {
            "filters": filters,
            "page": page,
            "status_counts": status_counts,
            "total": sum(counts.values()),
            "query": urlencode(query, doseq=True),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def team_project(request, reference: str):
    _require_team(request)
    project = _project_for(request, reference)
    document_form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and document_form.is_valid():
        back = reverse("projects:team_project", args=[reference]) + "#documents"
        if response := _add_document_once(request, project, document_form, back):
            return response
    history = StatusChange.objects.filter(project=project).select_related("actor")
    campaigns = dossier_campaigns(project, for_team=True)
    return render(
        request,
        "projects/team_project.html",
        {
            **dossier_coaching(project, include_internal=True),
            **dossier_labelling(project, for_team=True),
            **campaigns,
            **dossier_campaign_forms(project, campaigns["current_campaign"], for_team=True),
            "postpone_form": PostponeForm(),
            "project": project,
            "history": history,
            "documents": project.documents.select_related("uploaded_by"),
            "document_form": document_form,
            "reason_form": ReasonForm(),
            "can_edit": can_edit_project(request.user, project),
            "can_abandon": Status.ABANDONED in project.allowed_next_statuses,
            "can_reorient": Status.REORIENTED in project.allowed_next_statuses,
        },
    )


def _team_transition(request, reference: str, service, success_message: str):
    _require_team(request)
    project = _project_for(request, reference)
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


# --- Personal data ------------------------------------------------------------------------


@require_safe
@login_required
def personal_data(request):
    """The porteur's right of access: everything we hold about them, as a JSON file."""
    response = JsonResponse(
        services.personal_data_export(user=request.user),
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    response["Content-Disposition"] = 'attachment; filename="mes-donnees-propulsons.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
@login_required
def deletion_request(request):
    if request.method == "POST":
        from accounts.services import deletion_request_create

        space = reverse("projects:porteur_space")

        def ask() -> str:
            deletion_request_create(
                user=request.user, message=posted_text(request, "message", max_length=2000)
            )
            messages.success(
                request,
                _(
                    "Votre demande d'effacement est enregistrée. L'équipe la traite dans le "
                    "mois et vous écrit quand c'est fait."
                ),
            )
            return space

        try:
            return submit_once(request, ask, fallback=space)
        except ServiceRefused as error:
            messages.info(request, str(error))
            return redirect(space)
    return render(request, "projects/deletion_request.html")


@require_http_methods(["GET", "POST"])
@login_required
def privacy_requests(request):
    """The team's list of erasure requests, processed in one click each."""
    from accounts.models import DeletionRequest

    _require_team(request)
    if request.method == "POST":
        item = get_object_or_404(DeletionRequest, pk=posted_id(request, "request"))
        try:
            count = services.deletion_request_process(request=item, actor=request.user)
            messages.success(
                request,
                _("Demande traitée : %(count)s dossier(s) anonymisé(s), compte effacé.")
                % {"count": count},
            )
        except ServiceRefused as error:
            messages.error(request, str(error))
        return redirect("projects:privacy_requests")
    requests = DeletionRequest.objects.select_related("user", "processed_by").annotate(
        n_projects=Count("user__projects")
    )
    failures = AnonymisationFailure.objects.select_related("project")
    return render(
        request,
        "projects/privacy_requests.html",
        {"requests": requests, "failures": failures},
    )


@require_POST
@login_required
def team_anonymise(request, reference: str):
    _require_team(request)
    project = _project_for(request, reference)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Indiquez la raison : elle est conservée dans le journal."))
    else:
        try:
            anonymised = services.project_anonymise(
                project=project, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except services.AnonymisationFailed as failure:
            messages.error(request, str(failure))
        else:
            if anonymised:
                messages.success(
                    request, _("Le dossier est anonymisé ; ses statistiques sont gardées.")
                )
            else:
                messages.info(request, _("Ce dossier était déjà anonymisé."))
    return redirect("projects:team_project", reference=reference)
