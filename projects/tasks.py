import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def anonymise_expired_dossiers() -> int:
    """Every night: dossiers stopped for longer than DATA_RETENTION_DAYS lose their personal
    data (their counts stay in the figures). Each dossier is its own transaction: one that
    fails is logged with its reference and shown to the team, and the others are done."""
    done, failed = services.projects_anonymise_expired()
    logger.info("personal data: %s dossier(s) anonymised after the retention period", done)
    if failed:
        logger.error(
            "personal data: %s dossier(s) could not be anonymised (see the personal-data page)",
            failed,
        )
    return done
