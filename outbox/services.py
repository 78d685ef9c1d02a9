"""The outbox's services: queue an email as a row, send one row, send every due row, resend.

Delivery is at least once: a row is claimed (a random token, valid OUTBOX_CLAIM_SECONDS from
the moment it is taken), sent over SMTP, then marked sent on condition that the worker still
holds the token. A worker that dies between the SMTP server's acceptance and the mark leaves
a claimed row that another worker sends again once the claim expires: the only case of a
duplicate. Nothing is lost: a row stays pending until it is sent or has failed
OUTBOX_MAX_ATTEMPTS times (then the team sees it and may resend it).
"""

import logging
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Email, EmailStatus

logger = logging.getLogger(__name__)

# (file name, content, MIME type); content is text so that it fits a JSON column.
Attachment = tuple[str, str, str]

# outbox/tasks.py's `send_email`, which sends one row by calling `email_send`.
SEND_EMAIL_TASK = "outbox.tasks.send_email"


class OutboxError(Exception):
    """An outbox action the rules do not allow; its message is for the user."""


def deliver(
    *, subject: str, text: str, html: str, to: list[str], attachments: Sequence[Attachment] = ()
) -> None:
    """Hand one message to the email backend (SMTP in production); raises on failure.

    A server that accepts the connection and never answers must not hold the row past its
    claim (another worker would send it too): without EMAIL_TIMEOUT, each socket operation
    waits at most a tenth of OUTBOX_CLAIM_SECONDS.
    """
    timeout = settings.EMAIL_TIMEOUT or settings.OUTBOX_CLAIM_SECONDS / 10
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=to, connection=get_connection(timeout=timeout)
    )
    if html:
        message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    message.send()


def email_create(
    *,
    subject: str,
    text: str,
    html: str,
    to: Sequence[str],
    attachments: Sequence[Attachment] = (),
    name: str = "",
) -> Email:
    """Write the row only; it is sent by the next scan (or by the caller)."""
    return Email.objects.create(
        name=name,
        recipients=list(to),
        subject=subject,
        text=text,
        html=html,
        attachments=[list(attachment) for attachment in attachments],
        next_attempt_at=timezone.now(),
    )


def email_queue(
    *,
    subject: str,
    text: str,
    html: str,
    to: Sequence[str],
    attachments: Sequence[Attachment] = (),
    name: str = "",
) -> Email:
    """Write the row in the caller's transaction; once it commits, ask a worker to send it.

    A rolled-back change leaves no row and sends nothing. If the broker cannot take the task,
    the row waits for the periodic scan: the caller never sees the broker's failure.
    """
    email = email_create(
        subject=subject, text=text, html=html, to=to, attachments=attachments, name=name
    )
    transaction.on_commit(lambda: _enqueue(email.pk))
    return email


def _enqueue(email_id: int) -> None:
    # The task is named, not imported: outbox/tasks.py wraps these services, so importing it
    # here would be a circle. Its name is the contract with the broker, as in the beat schedule.
    app = current_app
    try:
        if app.conf.task_always_eager:
            # What the task would do, run here as Celery runs an eager task.
            email_send(email_id=email_id)
            return
        # One connection attempt, no publish retries: a broker that is down must not hold the
        # request (kombu would retry for seconds); the scan (OUTBOX_SCAN_SECONDS) sends the row.
        with app.connection_for_write(transport_options={"max_retries": 0}) as conn:
            app.send_task(
                SEND_EMAIL_TASK, (email_id,), connection=conn, retry=False, ignore_result=True
            )
    except Exception:
        logger.warning(
            "email %s not queued (broker unreachable?): the outbox scan will send it",
            email_id,
            exc_info=True,
        )


def row_claim(rows: models.QuerySet, *, seconds: int) -> str | None:
    """Take the one row of `rows` for this worker with a conditional UPDATE; its token, or None
    if another worker holds it. Every later write must filter on the token.

    The claim lasts `seconds` from now, the moment it is taken (not from the start of a batch,
    whose later rows would otherwise be claimed already expired). Outbox emails and coaching
    reminders share this discipline.
    """
    token = secrets.token_hex(16)
    now = timezone.now()
    claimed = rows.filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)).update(
        claim_token=token, claimed_until=now + timedelta(seconds=seconds)
    )
    return token if claimed == 1 else None


def _claim(email_id: int) -> str | None:
    return row_claim(
        Email.objects.due(timezone.now()).filter(pk=email_id),
        seconds=settings.OUTBOX_CLAIM_SECONDS,
    )


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after the n-th failed attempt, capped."""
    seconds = settings.OUTBOX_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.OUTBOX_RETRY_MAX_SECONDS))


def _record_failure(email: Email, token: str, error: Exception) -> None:
    attempts = email.attempts + 1
    now = timezone.now()
    give_up = attempts >= settings.OUTBOX_MAX_ATTEMPTS
    updated = Email.objects.filter(pk=email.pk, claim_token=token).update(
        attempts=attempts,
        last_error=f"{type(error).__name__}: {error}"[:500],
        next_attempt_at=now + retry_delay(attempts),
        status=EmailStatus.FAILED if give_up else EmailStatus.PENDING,
        failed_at=now if give_up else None,
        claim_token=None,
        claimed_until=None,
    )
    if not updated:
        logger.warning(
            "email %s failed (%s) but this worker no longer holds its claim: not recorded",
            email.pk,
            error,
        )
    elif give_up:
        logger.error("email %s failed for good after %s attempts: %s", email.pk, attempts, error)
    else:
        logger.warning("email %s not sent (attempt %s): %s", email.pk, attempts, error)


def email_send(*, email_id: int) -> bool:
    """Send one row if it is due and nobody holds it; True when this call sent it."""
    token = _claim(email_id)
    if token is None:
        return False
    email = Email.objects.get(pk=email_id)
    try:
        deliver(
            subject=email.subject,
            text=email.text,
            html=email.html,
            to=email.recipients,
            attachments=[tuple(attachment) for attachment in email.attachments],
        )
    except Exception as error:  # any failure: retried later, or failed for good
        _record_failure(email, token, error)
        return False
    marked = Email.objects.filter(pk=email_id, claim_token=token).update(
        status=EmailStatus.SENT,
        sent_at=timezone.now(),
        attempts=F("attempts") + 1,
        last_error="",
        claim_token=None,
        claimed_until=None,
    )
    if not marked:
        logger.warning(
            "email %s sent, but this worker no longer held its claim: another worker may "
            "send it again (OUTBOX_CLAIM_SECONDS shorter than one delivery?)",
            email_id,
        )
    return True


def emails_send_due(*, batch: int | None = None) -> int:
    """Send every due row, oldest due first; the number sent.

    Each row is tried at most once per run; a failed row moves to its next attempt time, so
    rows that keep failing never hold back the others.
    """
    batch = batch or settings.OUTBOX_BATCH
    tried: set[int] = set()
    sent = 0
    while True:
        due = Email.objects.due(timezone.now()).values_list("pk", flat=True)[: batch + len(tried)]
        ids = [pk for pk in due if pk not in tried][:batch]
        if not ids:
            break
        for email_id in ids:
            tried.add(email_id)
            sent += email_send(email_id=email_id)
    return sent


def emails_purge_sent(*, now: datetime | None = None) -> int:
    """Delete the sent rows older than OUTBOX_KEEP_SENT_DAYS: they hold personal data."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.OUTBOX_KEEP_SENT_DAYS)
    deleted, _ = Email.objects.filter(status=EmailStatus.SENT, sent_at__lt=cutoff).delete()
    return deleted


@transaction.atomic
def email_resend(*, email: Email, actor) -> Email:
    """Give an email that failed for good a new series of attempts, starting now."""
    updated = Email.objects.filter(pk=email.pk, status=EmailStatus.FAILED).update(
        status=EmailStatus.PENDING,
        attempts=0,
        failed_at=None,
        next_attempt_at=timezone.now(),
        claim_token=None,
        claimed_until=None,
    )
    if not updated:
        raise OutboxError(_("Cet e-mail n'est plus en échec : il a déjà été renvoyé."))
    logger.info("email %s resent by %s", email.pk, actor)
    transaction.on_commit(lambda: _enqueue(email.pk))
    email.refresh_from_db()
    return email
