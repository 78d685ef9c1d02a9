"""Periodic coaching work. The schedule is CELERY_BEAT_SCHEDULE in propulsons/settings.py."""

import logging

from celery import shared_task

from accounts.models import Role, User

from . import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def process_reminders() -> dict[str, int]:
    """Create the reminders due by the cadence rules, then turn every due reminder into
    exactly one outbox email (sent by the outbox's worker, at least once).

    Safe to run late, twice, or on two workers at once: the database decides what is due and
    who processes it (claim tokens; see services.reminders_send_due).
    """
    created = services.reminders_create_from_cadences()
    sent = services.reminders_send_due()
    logger.info("reminders: %s created, %s sent", created, sent)
    return {"created": created, "sent": sent}


@shared_task(acks_late=True)
def send_daily_digests() -> int:
    """Queue each cheffe's digest of the day (once a day each). Beat runs it at DIGEST_HOUR and
    again every 15 minutes of the morning, so a run that was missed or killed is caught up."""
    sent = 0
    for user in User.objects.filter(role=Role.CHEFFE, is_active=True):
        try:
            sent += services.digest_send(user=user)
        except Exception:  # one cheffe's failure does not keep the others' digests
            logger.exception("digest of user %s not queued: the next run retries", user.pk)
    return sent
