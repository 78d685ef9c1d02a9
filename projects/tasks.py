import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def anonymise_expired_dossiers() -> int:
    """Every night: dossiers stopped for longer than DATA_RETENTION_DAYS lose their personal
    data (their counts stay in the figures)."""
    count = services.projects_anonymise_expired()
    logger.info("personal data: %s dossier(s) anonymised after the retention period", count)
    return count
