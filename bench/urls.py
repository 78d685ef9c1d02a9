"""The project's URLs plus the bench's floor: a trivial view behind the same middleware."""

from django.http import HttpResponse
from django.urls import path

from propulsons.urls import handler400, handler403, handler404, handler500  # noqa: F401
from propulsons.urls import urlpatterns as site_urlpatterns


def floor(request):
    """What any page costs at least: the middleware stack and an empty response, no query."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("__bench/floor", floor, name="bench_floor"), *site_urlpatterns]
