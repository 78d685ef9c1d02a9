"""One helper renders and sends every email: templates/emails/<name>.{subject,txt,html}.

Sending goes through a Celery task queued after the transaction commits, so a rolled-back
change never sends mail and a slow SMTP server never slows a request.
"""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string


def render(name: str, context: dict[str, Any]) -> tuple[str, str, str]:
    context = {"SITE_URL": settings.SITE_URL, **context}
    subject = render_to_string(f"emails/{name}.subject", context)
    # A subject must be one line: templates end with a newline, and a header cannot hold one.
    subject = " ".join(subject.split())
    text = render_to_string(f"emails/{name}.txt", context)
    html = render_to_string(f"emails/{name}.html", context)
    return subject, text, html


def send(name: str, *, to: Sequence[str], context: dict[str, Any]) -> None:
    from propulsons.tasks import send_email

    subject, text, html = render(name, context)
    recipients = list(to)
    transaction.on_commit(
        lambda: send_email.delay(subject=subject, text=text, html=html, to=recipients)
    )
