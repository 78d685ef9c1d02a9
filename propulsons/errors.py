"""The error pages, in French and in the site's layout (400, 403, 404, 500, CSRF failure).

The 500 page is rendered without the request: no context processor runs, so it needs neither
the database nor the session (either may be what failed). Its layout then shows the anonymous
visitor's header.
"""

import logging

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpResponseBadRequest, HttpResponseForbidden, HttpResponseServerError
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)


class FrenchBadRequest(BadRequest):
    """A request the site refuses with a message meant for the visitor (French)."""


def render_without_request(template_name: str, context: dict | None = None) -> str:
    """A page that touches neither the database nor the session."""
    return loader.get_template(template_name).render(
        {"TEAM_EMAIL": settings.TEAM_EMAIL, **(context or {})}
    )


@requires_csrf_token
def bad_request(request, exception):
    message = str(exception) if isinstance(exception, FrenchBadRequest) else ""
    body = loader.get_template("400.html").render({"message": message}, request)
    return HttpResponseBadRequest(body)


@requires_csrf_token
def permission_denied(request, exception):
    return HttpResponseForbidden(loader.get_template("403.html").render({}, request))


@requires_csrf_token
def page_not_found(request, exception):
    from django.http import HttpResponseNotFound

    return HttpResponseNotFound(loader.get_template("404.html").render({}, request))


def server_error(request):
    return HttpResponseServerError(render_without_request("500.html"))


def csrf_failure(request, reason=""):
    """The form expired (or cookies are off): say so in French, and how to go on."""
    logger.warning("CSRF failure on %s: %s", request.path, reason)
    body = loader.get_template("403_csrf.html").render(
        {"no_cookie": "cookie" in reason.lower()}, request
    )
    return HttpResponseForbidden(body)


def nul_byte_refused() -> HttpResponseBadRequest:
    return HttpResponseBadRequest(
        render_without_request(
            "400.html",
            {"message": _("L'adresse demandée contient un caractère interdit.")},
        )
    )
