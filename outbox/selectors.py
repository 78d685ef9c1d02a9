from django.db.models import QuerySet

from .models import Email


def failed_emails() -> QuerySet[Email]:
    """Emails that failed for good, the latest first."""
    return Email.objects.failed().order_by("-failed_at", "-id")


def failed_count() -> int:
    return Email.objects.failed().count()
