"""What a worker does once a transaction commits, for tests that run inside one."""

from django.core import mail


def send_pending_emails() -> list:
    """Send every due outbox email, as the worker and the beat scan do; return mail.outbox."""
    from outbox.services import emails_send_due

    emails_send_due()
    return mail.outbox
