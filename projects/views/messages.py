"""Writing a message on a dossier, by its porteur or the team (projects/messaging.py).

The form sits on the dossier's page; it posts here, and comes back to the page's thread. A
form with an error comes back on a page of its own, with what was typed and the error next to
its field.
"""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.submitted_forms import submit_once

from .. import messaging
from ..message_forms import MessageForm
from ..models import MessageSide
from ._common import project_for

logger = logging.getLogger(__name__)


@require_http_methods(["GET", "POST"])
@login_required
def dossier_message(request, reference: str):
    project = project_for(request, reference)
    side = messaging.side_of(request.user, project)
    if side is None:
        raise Http404  # a committee member reads the dossier, never its messages
    for_team = side == MessageSide.TEAM
    page = "projects:team_project" if for_team else "projects:porteur_project"
    back = reverse(page, args=[project.reference]) + "#messages"
    if request.method == "GET":
        return redirect(back)
    form = MessageForm(request.POST, request.FILES, project=project, for_team=for_team)
    if form.is_valid():
        cleaned = form.cleaned_data

        def post() -> str:
            messaging.message_post(
                project=project,
                author=request.user,
                body=cleaned["body"],
                kind=cleaned.get("kind") or "message",
                upload=cleaned.get("upload") or None,
                original_name=cleaned.get("original_name", ""),
                content_type=cleaned.get("content_type", ""),
                answers=cleaned.get("answers"),
            )
            messages.success(request, _("Votre message est envoyé."))
            return back

        try:
            return submit_once(request, post, fallback=back)
        except messaging.MessageRefused as refused:
            form.add_error(None, str(refused))
        except OSError:
            logger.exception("attachment to a message on dossier %s failed", project.reference)
            form.add_error(
                "upload",
                _("Le fichier n'a pas pu être enregistré. Réessayez dans quelques minutes."),
            )
    return render(
        request,
        "projects/dossier_message.html",
        {"project": project, "message_form": form, "for_team": for_team, "back": back},
    )
