"""The public intake: the form through which anyone submits a project, and its confirmation."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.core import is_ratelimited

from accounts.submitted_forms import submit_once

from .. import services
from ..forms import ProjectIntakeForm
from ..models import Project
from ._common import communes

SUBMITTED_SESSION_KEY = "projects.submitted_reference"


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
        {"form": form, "communes": communes(), "share": share},
        status=429 if limited else 200,
    )


@require_safe
def intake_done(request):
    reference = request.session.get(SUBMITTED_SESSION_KEY)
    project = Project.objects.filter(reference=reference).first() if reference else None
    return render(request, "projects/intake_done.html", {"project": project})
