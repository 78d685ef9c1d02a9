from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.services import ServiceRefused


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
