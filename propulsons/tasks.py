from celery import shared_task
from django.core.mail import EmailMultiAlternatives


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_kwargs={"max_retries": 8},
    acks_late=True,
)
def send_email(*, subject: str, text: str, html: str, to: list[str]) -> None:
    """Send one rendered email; a network error (SMTP down) retries with a growing delay."""
    message = EmailMultiAlternatives(subject=subject, body=text, to=to)
    message.attach_alternative(html, "text/html")
    message.send()
