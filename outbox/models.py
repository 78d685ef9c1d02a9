"""The outbox: every email is a row, written in the transaction of the change that causes it.

A worker sends a row once the transaction commits (a task queued with on_commit), and a
periodic scan sends the rows whose task never ran (broker down, worker killed). The row, not
the broker, is the source of truth.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("À envoyer")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec définitif")


class EmailQuerySet(models.QuerySet):
    def due(self, now):
        """Rows to send now: pending, their next attempt due, not held by a live claim.

        Rows that failed are pushed to a later attempt (or marked failed for good), so they
        leave this set and never fill a batch ahead of the others.
        """
        return (
            self.filter(status=EmailStatus.PENDING, next_attempt_at__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .order_by("next_attempt_at", "id")
        )

    def failed(self):
        return self.filter(status=EmailStatus.FAILED)


class Email(models.Model):
    """One rendered email to send: what, to whom, and where its delivery stands."""

    # The template set it was rendered from (templates/emails/<name>.*), for the team's page.
    name = models.CharField(_("modèle"), max_length=60, blank=True)
    recipients = models.JSONField(_("destinataires"), default=list)
    subject = models.CharField(_("objet"), max_length=998)
    text = models.TextField(_("texte"))
    html = models.TextField(_("HTML"), blank=True)
    # [file name, text content, MIME type] (calendar invitations).
    attachments = models.JSONField(_("pièces jointes"), default=list, blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"))
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    failed_at = models.DateTimeField(_("abandonné le"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.CharField(_("dernière erreur"), max_length=500, blank=True)
    # A worker holds the row while it sends it: every write after the claim is conditional on
    # the token, and the claim expires CLAIM seconds after it was taken (a dead worker's row
    # is sent by another).
    claim_token = models.CharField(max_length=32, null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    objects = EmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status="pending"),
                name="outbox_email_to_send_idx",
            ),
            models.Index(fields=["status", "-failed_at"], name="outbox_email_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="outbox_sent_email_has_sent_at",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def recipients_display(self) -> str:
        return ", ".join(self.recipients)
