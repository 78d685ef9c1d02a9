"""The outbox's Celery tasks: thin wrappers around outbox.services. The periodic scan is
declared in CELERY_BEAT_SCHEDULE (propulsons/settings.py)."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def send_email(email_id: int) -> bool:
    """Send one outbox row, queued when its transaction committed."""
    return services.email_send(email_id=email_id)


@shared_task(acks_late=True)
def send_pending_emails() -> int:
    """Send every due row (those whose own task never ran, and retries); safe to run late,
    twice, or on several workers at once."""
    sent = services.emails_send_due()
    purged = services.emails_purge_sent()
    if sent or purged:
        logger.info("outbox: %s sent, %s old rows purged", sent, purged)
    return sent
