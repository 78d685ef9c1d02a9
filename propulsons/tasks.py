from celery import shared_task

from propulsons.emails import deliver


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_kwargs={"max_retries": 8},
    acks_late=True,
)
def send_email(
    *, subject: str, text: str, html: str, to: list[str], attachments: list | None = None
) -> None:
    """Send one rendered email; a network error (SMTP down) retries with a growing delay."""
    deliver(
        subject=subject,
        text=text,
        html=html,
        to=to,
        attachments=[tuple(attachment) for attachment in attachments or []],
    )
