import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outbox.models import EmailStatus
from projects.models import FinancingType, Project
from propulsons.dates import add_to_moment, date_in_range, local_day


class Relevance(models.TextChoices):
    RELEVANT = "relevant", _("Pertinent")
    CONDITIONAL = "conditional", _("Pertinent sous conditions")
    NOT_RELEVANT = "not_relevant", _("Pas pertinent")


class MeetingOutcome(models.TextChoices):
    CONTINUE = "continue", _("Poursuivre en accompagnement")
    REORIENT = "reorient", _("Réorienter le porteur")
    STOP = "stop", _("Arrêter")


class FirstMeeting(models.Model):
    """The 2-hour face-to-face first meeting: its appointment, then its structured report."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="first_meeting", verbose_name=_("dossier")
    )
    scheduled_at = models.DateTimeField(_("date et heure"), validators=[date_in_range])
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"), default=120)
    location = models.CharField(_("lieu"), max_length=300, blank=True)
    video_link = models.URLField(_("lien de visioconférence"), blank=True)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cheffe de projet"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The report, filled in after the meeting.
    reported_at = models.DateTimeField(_("compte rendu saisi le"), null=True, blank=True)
    relevance = models.CharField(
        _("pertinence du financement participatif"),
        max_length=20,
        choices=Relevance.choices,
        blank=True,
    )
    relevance_reasoning = models.TextField(_("argumentaire"), blank=True)
    campaign_goal = models.DecimalField(
        _("objectif de collecte (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("1"))],
    )
    campaign_duration_days = models.PositiveSmallIntegerField(
        _("durée de campagne (jours)"), null=True, blank=True
    )
    campaign_financing_type = models.CharField(
        _("type de financement"), max_length=30, choices=FinancingType.choices, blank=True
    )
    target_platform = models.ForeignKey(
        "campaigns.Platform",
        verbose_name=_("plateforme visée"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    next_steps = models.TextField(_("prochaines étapes"), blank=True)
    outcome = models.CharField(
        _("suite donnée"), max_length=20, choices=MeetingOutcome.choices, blank=True
    )

    class Meta:
        verbose_name = _("premier rendez-vous")
        verbose_name_plural = _("premiers rendez-vous")
        constraints = [
            models.CheckConstraint(
                condition=Q(campaign_duration_days__isnull=True) | Q(campaign_duration_days__gt=0),
                name="campaign_duration_positive",
            ),
        ]
        # The cheffe's dashboard lists the meetings still to report from today on: a few
        # rows of this small index, not every meeting ever held.
        indexes = [
            models.Index(
                fields=["scheduled_at"],
                name="meeting_unreported_schedule",
                condition=Q(reported_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.project.reference} — {self.scheduled_at:%d/%m/%Y}"

    @property
    def is_reported(self) -> bool:
        return self.reported_at is not None

    @property
    def ends_at(self):
        return add_to_moment(self.scheduled_at, timedelta(minutes=self.duration_minutes))


class FundingSource(models.TextChoices):
    OWN_FUNDS = "own_funds", _("Fonds propres")
    BANK_LOAN = "bank_loan", _("Prêt bancaire")
    HONOUR_LOAN = "honour_loan", _("Prêt d'honneur")
    GRANT = "grant", _("Subvention")
    CROWDFUNDING = "crowdfunding", _("Financement participatif")
    OTHER = "other", _("Autre")


class FinancingLine(models.Model):
    """One line of the financing plan discussed at the first meeting."""

    meeting = models.ForeignKey(
        FirstMeeting, on_delete=models.CASCADE, related_name="financing_lines"
    )
    source = models.CharField(_("source"), max_length=20, choices=FundingSource.choices)
    label = models.CharField(_("précision"), max_length=200, blank=True)
    amount = models.DecimalField(
        _("montant (€)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    acquired = models.BooleanField(_("acquis"), default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("ligne du plan de financement")
        verbose_name_plural = _("lignes du plan de financement")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="financing_line_positive")
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} : {self.amount} €"


class RewardTier(models.Model):
    """A reward (contrepartie) of the future campaign."""

    meeting = models.ForeignKey(FirstMeeting, on_delete=models.CASCADE, related_name="rewards")
    amount = models.DecimalField(
        _("à partir de (€)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("1"))],
    )
    description = models.CharField(_("contrepartie"), max_length=300)
    quantity = models.PositiveIntegerField(
        _("quantité"), null=True, blank=True, help_text=_("Vide : sans limite.")
    )

    class Meta:
        ordering = ["amount", "id"]
        verbose_name = _("contrepartie")
        verbose_name_plural = _("contreparties")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="reward_positive")]

    def __str__(self) -> str:
        return f"{self.amount} € : {self.description}"


class InteractionKind(models.TextChoices):
    PHONE = "phone", _("Échange téléphonique")
    PROOFREADING = "proofreading", _("Relecture des textes de présentation")
    VIDEO = "video", _("Conseils sur la vidéo")
    COMMUNICATION = "communication", _("Conseils de communication")
    MEETING = "meeting", _("Rendez-vous physique")
    PRESS = "press", _("Préparation presse / rencontre de journalistes")
    NETWORKING = "networking", _("Mise en réseau avec des relais")


class Phase(models.TextChoices):
    BEFORE = "before", _("Avant la campagne")
    DURING = "during", _("Pendant la campagne")
    AFTER = "after", _("Après la campagne")


class Interaction(models.Model):
    """One follow-up exchange of the coaching ("accompagnement au fil de l'eau")."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="interactions", verbose_name=_("dossier")
    )
    kind = models.CharField(_("type d'échange"), max_length=20, choices=InteractionKind.choices)
    happened_on = models.DateField(_("date"), validators=[date_in_range])
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"), default=30)
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices)
    internal_notes = models.TextField(_("notes internes"), blank=True)
    shared_note = models.TextField(
        _("note partagée avec le porteur"),
        blank=True,
        help_text=_("Visible par le porteur dans son espace."),
    )
    next_action = models.CharField(_("prochaine action"), max_length=300, blank=True)
    next_action_due = models.DateField(
        _("à faire pour le"), null=True, blank=True, validators=[date_in_range]
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saisi par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("saisi le"), auto_now_add=True)

    class Meta:
        ordering = ["-happened_on", "-id"]
        verbose_name = _("échange d'accompagnement")
        verbose_name_plural = _("échanges d'accompagnement")
        indexes = [models.Index(fields=["project", "-happened_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_action_due__isnull=True) | ~Q(next_action=""),
                name="next_action_due_has_action",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.happened_on:%d/%m/%Y}"


class ReminderKind(models.TextChoices):
    NEXT_ACTION = "next_action", _("Prochaine action")
    NEW_CONTACT = "new_contact", _("Nouveau contact à rappeler")
    COACHING_SILENCE = "coaching_silence", _("Dossier sans échange")
    LABELLED_WEEKLY = "labelled_weekly", _("Point hebdomadaire avant la campagne")
    CAMPAIGN_SILENCE = "campaign_silence", _("Campagne sans appel")
    AFTER_CAMPAIGN = "after_campaign", _("Appel après la campagne")
    COMMITTEE_VOTE = "committee_vote", _("Vote du comité")


class ReminderQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(done_at__isnull=True)

    def due(self, now):
        """Reminders to process now: not sent, not given up on, their next attempt due."""
        return (
            self.pending()
            .filter(sent_at__isnull=True, failed_at__isnull=True, due_at__lte=now)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        )

    def failed(self):
        """Pending reminders whose email could not be written or sent, for good."""
        return self.pending().filter(
            Q(failed_at__isnull=False) | Q(email__status=EmailStatus.FAILED)
        )


class Reminder(models.Model):
    """Something to do for a dossier, at a due time; the database, not the broker, holds it.

    A periodic task claims due rows with a conditional UPDATE (a token, valid from the moment
    of the claim) and turns each into exactly one outbox email; `sent_at` records it (with the
    token still held), `email` is that email, `done_at` the cheffe's "fait".
    """

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("dossier")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pour"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    kind = models.CharField(_("type"), max_length=20, choices=ReminderKind.choices)
    # What makes a cadence reminder unique (e.g. the date of the last exchange it is about),
    # so that each scan creates it once.
    key = models.CharField(_("clé"), max_length=60)
    message = models.CharField(_("quoi"), max_length=300)
    due_at = models.DateTimeField(_("échéance"), db_index=True, validators=[date_in_range])
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    done_at = models.DateTimeField(_("fait le"), null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives d'envoi"), default=0)
    last_error = models.CharField(_("dernière erreur"), max_length=300, blank=True)
    # After a failed attempt, the next one waits until then; after REMINDER_MAX_ATTEMPTS the
    # reminder is given up on (failed_at) and shown to the team.
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), null=True, blank=True)
    failed_at = models.DateTimeField(_("abandonné le"), null=True, blank=True)
    email = models.ForeignKey(
        "outbox.Email",
        verbose_name=_("e-mail"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    interaction = models.ForeignKey(
        Interaction, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    # Where the email sends its reader (the dossier's team page when empty).
    link = models.CharField(_("lien"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("rappel")
        verbose_name_plural = _("rappels")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind", "key"], name="one_reminder_per_project_kind_key"
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(sent_at__isnull=True, done_at__isnull=True),
                name="reminder_to_send_idx",
            )
        ]

    def __str__(self) -> str:
        return self.message

    @property
    def has_failed(self) -> bool:
        return self.failed_at is not None or (
            self.email is not None and self.email.status == EmailStatus.FAILED
        )

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.done_at is None and local_day(self.due_at) < today


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class CoachSettings(models.Model):
    """A cheffe's own settings: her private calendar feed and her daily digest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coach_settings"
    )
    calendar_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    daily_digest = models.BooleanField(_("recevoir le récapitulatif quotidien"), default=True)

    class Meta:
        verbose_name = _("préférences d'accompagnement")
        verbose_name_plural = _("préférences d'accompagnement")

    def __str__(self) -> str:
        return str(self.user)


class DigestDelivery(models.Model):
    """One row per cheffe and day: the digest of that day is in the outbox (never twice).

    It is written in the same transaction as the digest's outbox email, so it never says
    "delivered" for a digest that was not queued; `email` is empty on a day with nothing to
    say.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    email = models.ForeignKey(
        "outbox.Email", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="one_digest_per_user_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"
