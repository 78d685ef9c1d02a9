from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from . import selectors, services
from .models import Email
from .permissions import can_manage_emails

SHOWN = 100


def _require_team(request) -> None:
    if not can_manage_emails(request.user):
        raise PermissionDenied


@require_safe
@login_required
def failed_emails(request):
    """The emails that failed for good: to whom, what, why, and a button to resend each."""
    _require_team(request)
    failed = selectors.failed_emails()
    return render(
        request,
        "outbox/failed_emails.html",
        {"emails": failed[:SHOWN], "failed_count": failed.count()},
    )


@require_POST
@login_required
def email_resend(request, pk: int):
    _require_team(request)
    email = get_object_or_404(Email, pk=pk)
    try:
        services.email_resend(email=email, actor=request.user)
        messages.success(
            request,
            _("L'e-mail « %(subject)s » est de nouveau à envoyer.") % {"subject": email.subject},
        )
    except services.OutboxError as error:
        messages.error(request, str(error))
    return redirect("outbox:failed")
