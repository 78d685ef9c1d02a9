"""One helper renders every email (templates/emails/<name>.{subject,txt,html}) and puts it in
the outbox. Every app sends its emails through `outbox.emails.send`.

`send` writes the rendered email as an outbox row in the caller's transaction, so the email
exists exactly when the change that causes it does (a rolled-back change sends nothing), and
a worker sends it once the transaction commits; a broker outage only delays it (the periodic
scan sends it). See services.py.
"""

import re
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.template import Context
from django.template.loader import get_template, render_to_string

from propulsons.typography import french_spacing

from . import services as outbox
from .models import Email

# (file name, content, MIME type); content is text so that it fits the outbox's JSON column.
Attachment = outbox.Attachment
TEXT_BETWEEN_TAGS = re.compile(r"(?<=>)[^<]+(?=<)")


def _plain_text(template_name: str, context: dict[str, Any]) -> str:
    # Subjects and text bodies are plain text: "L'épicerie & Cie" must not become "&amp;".
    return get_template(template_name).template.render(Context(context, autoescape=False))


def render(name: str, context: dict[str, Any]) -> tuple[str, str, str]:
    context = {"SITE_URL": settings.SITE_URL, **context}
    subject = _plain_text(f"emails/{name}.subject", context)
    # A subject must be one line: templates end with a newline, and a header cannot hold one.
    # (Not str.split(): it would take the non-breaking spaces of French typography for breaks.)
    subject = re.sub(r"[ \t\r\n]+", " ", subject).strip()
    text = _plain_text(f"emails/{name}.txt", context)
    html = render_to_string(f"emails/{name}.html", context)
    # French spacing (non-breaking spaces before : ; ! ? » € %) on what the reader reads: the
    # subject, the text, and the HTML's text between its tags.
    html = TEXT_BETWEEN_TAGS.sub(lambda found: french_spacing(found.group(0)), html)
    return french_spacing(subject), french_spacing(text), html


def send(
    name: str,
    *,
    to: Sequence[str],
    context: dict[str, Any],
    attachments: Sequence[Attachment] = (),
) -> Email:
    """Render the email and write it to the outbox; it leaves after the transaction commits."""
    subject, text, html = render(name, context)
    return outbox.email_queue(
        name=name, subject=subject, text=text, html=html, to=to, attachments=attachments
    )
