"""A form sent twice is recognised: each form carries a random key (`{% form_key %}` next to
`{% csrf_token %}`), and a view runs its create through `submit_once`.

A post without a key (a script, an old page) is simply not deduplicated; a malformed key
counts as none. The database constraints still hold the "only one" rules either way.
"""

import re
import secrets
from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _

from accounts.services import submitted_form_run

FORM_KEY_FIELD = "form_key"
_KEY = re.compile(r"[A-Za-z0-9_-]{20,64}")


def form_key_new() -> str:
    return secrets.token_urlsafe(24)


def posted_form_key(request) -> str:
    """The posted key if well formed, else ""."""
    key = request.POST.get(FORM_KEY_FIELD, "") if request.method == "POST" else ""
    return key if _KEY.fullmatch(key) else ""


def submit_once(request, action: Callable[[], str], *, fallback: str) -> HttpResponseRedirect:
    """Run the view's `action` (the service call and its success message; it returns where to
    go) once per form key; a form sent again goes where the first went, and says so."""
    key = posted_form_key(request)
    if key:
        # A key counts only for whom the form was shown (the visitor, or that account).
        key = f"{request.user.pk or '-'}:{key}"
    path, first_time = submitted_form_run(key=key, action=action)
    if not first_time:
        messages.info(request, _("Ce formulaire a déjà été envoyé."))
    return HttpResponseRedirect(path or fallback)
