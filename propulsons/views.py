import logging

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.models import Organisation
from campaigns.selectors import home_context
from propulsons import health
from propulsons.public_cache import public_page

logger = logging.getLogger(__name__)


@require_safe
@public_page
def home(request):
    organisations = Organisation.objects.filter(is_committee_member=True)
    return render(request, "home.html", {"organisations": organisations, **home_context()})


@require_safe
def legal_notice(request):
    return render(
        request,
        "legal_notice.html",
        {
            "hosting_provider": settings.LEGAL_HOSTING_PROVIDER,
            "publication_director": settings.LEGAL_PUBLICATION_DIRECTOR,
            "retention_years": round(settings.DATA_RETENTION_DAYS / 365),
        },
    )


@never_cache
@require_safe
def healthz(request):
    """For load balancers and monitors: names the failing dependency, never a secret, and
    answers within HEALTHZ_TIMEOUT seconds whatever hangs (see propulsons.health)."""
    checks = health.run_checks(health.configured_checks(), timeout=settings.HEALTHZ_TIMEOUT)
    healthy = all(checks.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "error",
            "checks": {name: "ok" if ok else "error" for name, ok in checks.items()},
        },
        status=200 if healthy else 503,
    )
