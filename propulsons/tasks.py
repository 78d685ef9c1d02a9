from celery import shared_task

from outbox import services as outbox


@shared_task(acks_late=True)
def send_email(
    *, subject: str, text: str, html: str, to: list[str], attachments: list | None = None
) -> bool:
    """A message queued by a version before the outbox: it becomes an outbox row, sent now
    (and retried like any other row if it fails)."""
    email = outbox.email_create(
        subject=subject,
        text=text,
        html=html,
        to=to,
        attachments=[tuple(attachment) for attachment in attachments or []],
    )
    return outbox.email_send(email_id=email.pk)
