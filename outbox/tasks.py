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


@shared_task(name="propulsons.tasks.send_email", acks_late=True)
def send_legacy_email(
    *, subject: str, text: str, html: str, to: list[str], attachments: list | None = None
) -> bool:
    """A message queued by a version before the outbox (under its old task name): it becomes an
    outbox row, sent now (and retried like any other row if it fails)."""
    email = services.email_create(
        subject=subject,
        text=text,
        html=html,
        to=to,
        attachments=[tuple(attachment) for attachment in attachments or []],
    )
    return services.email_send(email_id=email.pk)
