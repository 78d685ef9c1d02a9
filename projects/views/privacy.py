"""Personal data: the porteur's export and erasure request; the team's processing of erasure
requests and anonymisation of a dossier."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.services import ServiceRefused
from accounts.submitted_forms import submit_once
from propulsons.http import posted_id, posted_text

from .. import services
from ..forms import AnonymiseForm
from ..models import AnonymisationFailure
from ._common import project_for, require_team
from .team import dossier_page


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

    require_team(request)
    if request.method == "POST":
        item = get_object_or_404(DeletionRequest, pk=posted_id(request, "request"))
        try:
            count = services.deletion_request_process(request=item, actor=request.user)
            messages.success(
                request,
                ngettext(
                    "Demande traitée : %(count)s dossier anonymisé, compte effacé.",
                    "Demande traitée : %(count)s dossiers anonymisés, compte effacé.",
                    count,
                )
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
    require_team(request)
    project = project_for(request, reference)
    form = AnonymiseForm(request.POST)
    if not form.is_valid():
        # The dossier's page again, its "Plus d'actions" menu open on the form: the errors
        # next to their field, the reason as typed.
        return dossier_page(request, project, anonymise_form=form, status=400)
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
