"""One helper renders and sends every email: templates/emails/<name>.{subject,txt,html}.

`send` goes through a Celery task queued after the transaction commits, so a rolled-back
change never sends mail and a slow SMTP server never slows a request. `send_now` sends at
once and raises on failure, for tasks that must know whether the mail left (reminders).
"""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import Context
from django.template.loader import get_template, render_to_string

# (file name, content, MIME type); content is text so that it travels through the broker.
Attachment = tuple[str, str, str]


def _plain_text(template_name: str, context: dict[str, Any]) -> str:
    # Subjects and text bodies are plain text: "L'épicerie & Cie" must not become "&amp;".
    return get_template(template_name).template.render(Context(context, autoescape=False))


def render(name: str, context: dict[str, Any]) -> tuple[str, str, str]:
    context = {"SITE_URL": settings.SITE_URL, **context}
    subject = _plain_text(f"emails/{name}.subject", context)
    # A subject must be one line: templates end with a newline, and a header cannot hold one.
    subject = " ".join(subject.split())
    text = _plain_text(f"emails/{name}.txt", context)
    html = render_to_string(f"emails/{name}.html", context)
    return subject, text, html


def deliver(
    *, subject: str, text: str, html: str, to: list[str], attachments: Sequence[Attachment] = ()
) -> None:
    message = EmailMultiAlternatives(subject=subject, body=text, to=to)
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    message.send()


def send(
    name: str,
    *,
    to: Sequence[str],
    context: dict[str, Any],
    attachments: Sequence[Attachment] = (),
) -> None:
    from propulsons.tasks import send_email

    subject, text, html = render(name, context)
    recipients = list(to)
    files = [list(attachment) for attachment in attachments]
    transaction.on_commit(
        lambda: send_email.delay(
            subject=subject, text=text, html=html, to=recipients, attachments=files
        )
    )


def send_now(name: str, *, to: Sequence[str], context: dict[str, Any]) -> None:
    subject, text, html = render(name, context)
    deliver(subject=subject, text=text, html=html, to=list(to))
