from django.contrib import messages
from django.http import HttpResponseRedirect
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.services import ServiceRefused
from propulsons.errors import nul_byte_refused


class RefuseNulBytesMiddleware:
    """A NUL byte in the path, the query string or a cookie is refused with a 400.

    No legitimate request carries one, and PostgreSQL refuses NUL in text: any lookup by a
    URL parameter (a reference, a token) or by the session cookie would otherwise answer 500.
    The refusal happens before any view or session lookup, and its page needs neither.
    Posted values are left to the forms, which refuse NUL next to the field (Django's
    ProhibitNullCharactersValidator); a view that reads a posted value itself uses
    propulsons.http.posted_id or posted_text.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self.has_nul_byte(request):
            return nul_byte_refused()
        return self.get_response(request)

    @staticmethod
    def has_nul_byte(request) -> bool:
        if "\x00" in request.path_info or "\x00" in request.path:
            return True
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return True
        return any("\x00" in key or "\x00" in value for key, value in request.COOKIES.items())


class ServiceRefusedMiddleware:
    """A service's refusal that a view did not catch answers with its French message, never a
    500: back to the page the form was on when the browser says which (a double click lands
    there, with the message), else a 409 page carrying the message."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ServiceRefused):
            return None
        referer = request.headers.get("referer", "")
        if referer and url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            messages.error(request, str(exception))
            return HttpResponseRedirect(referer)
        return render(request, "refused.html", {"message": str(exception)}, status=409)


class TextGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware for text only (HTML, JSON, CSV, feeds, calendars): pages and
    exports are 5 to 10 times smaller on the wire, while a document, an image or a cover
    (already compressed formats) is sent as it is rather than compressed again for nothing.

    What Django's does and this keeps: nothing under 200 bytes; nothing that already carries a
    Content-Encoding (an export a view compressed itself, whitenoise's .gz/.br static files,
    which never reach this middleware anyway: whitenoise answers above it); `Vary:
    Accept-Encoding` on every answer it could compress; a strong ETag made weak. BREACH: the
    pages that carry a secret carry it masked differently at each request (Django's CSRF
    token) and Django 5.2 pads each compressed answer with a random number of bytes (up to
    `max_random_bytes`), so the compressed length no longer tells an attacker which guess
    matched."""

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if not content_type.startswith(TEXT_CONTENT_TYPES):
            return response
        return super().process_response(request, response)


TEXT_CONTENT_TYPES = (
    "text/",
    "application/json",
    "application/geo+json",
    "application/javascript",
    "application/xml",
    "application/atom+xml",
    "application/rss+xml",
    "application/ld+json",
    "image/svg+xml",
)
