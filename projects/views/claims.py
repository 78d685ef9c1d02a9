"""The porteur's dossiers waiting to be attached to their account (submitted from the public
form with the address of an account that already existed): attach one, or have the emailed
link sent again."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.services import ServiceRefused

from .. import services
from ..models import Project


def _pending_for(request, reference: str) -> Project:
    """A dossier submitted with this user's address, still unattached or already theirs (a
    second click after the first one attached it). Anyone else's answers 404: a porteur never
    learns that a dossier exists under another address."""
    project = (
        Project.objects.filter(
            Q(owner__isnull=True) | Q(owner=request.user),
            reference=reference,
            anonymised_at__isnull=True,
            contact_email__iexact=request.user.email,
        )
        .select_related("owner")
        .first()
    )
    if project is None:
        raise Http404
    return project


@require_POST
@login_required
def pending_claim(request, reference: str):
    """Attach the dossier: being logged in with the dossier's address proves it is theirs,
    once the account has itself proved that address (accounts.User.email_verified_at)."""
    project = _pending_for(request, reference)
    if request.user.email_verified_at is None:
        messages.error(
            request,
            _(
                "Votre adresse électronique n'est pas encore vérifiée : rattachez ce dossier "
                "par le lien que nous vous envoyons."
            ),
        )
        return redirect("projects:porteur_space")
    try:
        services.project_claim(project=project, user=request.user)
    except ServiceRefused as error:
        messages.error(request, str(error))
        return redirect("projects:porteur_space")
    messages.success(
        request, _("Le dossier %(ref)s est rattaché à votre compte.") % {"ref": project.reference}
    )
    return redirect(project.get_absolute_url())


@require_POST
@login_required
def pending_resend(request, reference: str):
    project = _pending_for(request, reference)
    if project.owner_id == request.user.pk:
        return redirect(project.get_absolute_url())
    try:
        services.project_claim_link_resend(project=project, user=request.user)
    except ServiceRefused as error:
        messages.warning(request, str(error))
    else:
        messages.success(
            request,
            _("Un nouveau lien de rattachement vient d'être envoyé à %(email)s.")
            % {"email": project.contact_email},
        )
    return redirect("projects:porteur_space")
