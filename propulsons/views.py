import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.models import Organisation
from campaigns.views import home_context

logger = logging.getLogger(__name__)


@require_safe
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
            "retention_years": round(settings.DATA_RETENTION_DAYS / 365),
        },
    )


def _check_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("healthz: the database does not answer")
        return False


def _check_broker() -> bool | None:
    """None when no broker is configured (the embedded default runs Celery eagerly)."""
    from propulsons.celery import app

    if app.conf.task_always_eager:
        return None
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        logger.exception("healthz: the broker does not answer")
        return False


@never_cache
@require_safe
def healthz(request):
    """For load balancers and monitors: names the failing dependency, never a secret."""
    checks = {"database": _check_database()}
    broker = _check_broker()
    if broker is not None:
        checks["broker"] = broker
    healthy = all(checks.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "error",
            "checks": {name: "ok" if ok else "error" for name, ok in checks.items()},
        },
        status=200 if healthy else 503,
    )
