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


@shared_task(acks_late=True)
def clean_private_files() -> dict:
    """Every week: remove the private files no row points to (older than a day), finish the
    moves a stopped process left, and report the rows whose file is missing."""
    report = services.private_files_check(clean=True)
    counts = {
        "files": report.files,
        "orphans_removed": report.orphans_removed,
        "orphans_too_young": report.orphans_too_young,
        "moves_completed": report.moves_completed,
        "rows_without_file": len(report.rows_without_file),
    }
    logger.info("private files: %s", counts)
    if report.rows_without_file:
        # Someone must look: a restore from a backup, or a file removed by hand.
        logger.error("private files: rows without their file: %s", report.rows_without_file)
    return counts
