from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Organisation
from projects.models import Project, Status


class Criterion(models.Model):
    """One of the label's four criteria (loaded by a data migration, never edited by hand)."""

    code = models.SlugField(_("code"), unique=True)
    label = models.CharField(_("critère"), max_length=200)
    display_order = models.PositiveSmallIntegerField(_("ordre"), unique=True)

    class Meta:
        ordering = ["display_order"]
        verbose_name = _("critère de labellisation")
        verbose_name_plural = _("critères de labellisation")

    def __str__(self) -> str:
        return self.label


class VoteState(models.TextChoices):
    NOT_OPEN = "not_open", _("Le vote ouvrira à l'envoi des invitations")
    OPEN = "open", _("Vote ouvert")
    CLOSED = "closed", _("Vote clos")


class SessionStatus(models.TextChoices):
    """A session's status in one word, as the committee's pages list it. The context keeps
    "Close" apart from Django's own "Close" (the verb, "Fermer")."""

    PREPARING = "preparing", pgettext_lazy("statut de séance", "En préparation")
    OPEN = "open", pgettext_lazy("statut de séance", "Ouverte")
    VOTE_CLOSED = "vote_closed", pgettext_lazy("statut de séance", "Vote clos")
    CLOSED = "closed", pgettext_lazy("statut de séance", "Close")


class CommitteeSession(models.Model):
    """A meeting ("séance") of the labelling committee, with its agenda of requests."""

    held_at = models.DateTimeField(_("date de la séance"))
    location = models.CharField(_("lieu"), max_length=300, blank=True)
    video_link = models.URLField(_("lien de visioconférence"), blank=True)
    vote_deadline = models.DateTimeField(
        _("fin du vote"),
        help_text=_("Les membres peuvent voter avant la séance, jusqu'à cette date."),
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("présidence de séance"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    invited_at = models.DateTimeField(_("invitations envoyées le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    attendees = models.ManyToManyField(
        Organisation, verbose_name=_("organisations présentes"), blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-held_at"]
        verbose_name = _("séance du comité")
        verbose_name_plural = _("séances du comité")
        # The committee's archive, a page at a time from the latest: read in this order,
        # PostgreSQL stops at the page's last visible session instead of sorting them all.
        indexes = [models.Index(fields=["held_at"], name="session_held_at")]

    def __str__(self) -> str:
        return _("Séance du %(date)s") % {
            "date": timezone.localtime(self.held_at).strftime("%d/%m/%Y")
        }

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def status(self, now: datetime | None = None) -> str:
        """Closed by the team, else where its vote stands (see `vote_state`)."""
        if self.closed_at is not None:
            return SessionStatus.CLOSED
        return {
            VoteState.NOT_OPEN: SessionStatus.PREPARING,
            VoteState.OPEN: SessionStatus.OPEN,
            VoteState.CLOSED: SessionStatus.VOTE_CLOSED,
        }[self.vote_state(now)]

    def status_label(self) -> str:
        return SessionStatus(self.status()).label

    def vote_state(self, now: datetime | None = None) -> str:
        """Voting opens with the invitations and closes at the deadline or at the closing."""
        now = now or timezone.now()
        if self.closed_at is not None or self.vote_deadline <= now:
            return VoteState.CLOSED
        if self.invited_at is None:
            return VoteState.NOT_OPEN
        return VoteState.OPEN


class LabellingRequestQuerySet(models.QuerySet):
    def vote_open(self, now: datetime | None = None):
        """The requests whose vote is open: `LabellingRequest.vote_state` as a filter (the same
        rule in SQL, for lists; tests/labelling/test_vote_window.py checks they agree)."""
        return self.filter(
            vote_closed_at__isnull=True,
            session__invited_at__isnull=False,
            session__closed_at__isnull=True,
            session__vote_deadline__gt=now or timezone.now(),
            project__status=Status.IN_COMMITTEE,
        )


class LabellingRequest(models.Model):
    """A dossier's request for the label, from its raising to the committee's decision."""

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="labelling_requests",
        verbose_name=_("dossier"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandée par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("demandée le"), auto_now_add=True)
    cheffe_opinion = models.TextField(_("avis de la cheffe de projet"), blank=True)
    session = models.ForeignKey(
        CommitteeSession,
        verbose_name=_("séance"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
    )
    agenda_order = models.PositiveSmallIntegerField(_("ordre du jour"), default=0)
    vote_closed_at = models.DateTimeField(_("vote clos le"), null=True, blank=True)
    # The team's last "Relancer": members are not emailed again before VOTE_RELAUNCH_HOURS.
    voters_reminded_at = models.DateTimeField(_("dernière relance le"), null=True, blank=True)

    objects = LabellingRequestQuerySet.as_manager()

    class Meta:
        ordering = ["agenda_order", "requested_at"]
        verbose_name = _("demande de labellisation")
        verbose_name_plural = _("demandes de labellisation")
        constraints = [
            # One open request per dossier: a new one only after the last was decided.
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(vote_closed_at__isnull=True),
                name="one_open_request_per_project",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project.reference} — {self.project.title}"

    def vote_state(self, now: datetime | None = None) -> str:
        """Not open before the session's invitations; closed at the session's deadline, when
        the team closes the request or the session, or once the dossier left the committee."""
        if self.vote_closed_at is not None:
            return VoteState.CLOSED
        if self.session_id is None:
            return VoteState.NOT_OPEN
        state = self.session.vote_state(now)
        if state == VoteState.OPEN and self.project.status != Status.IN_COMMITTEE:
            return VoteState.CLOSED
        return state

    def is_vote_open(self, now: datetime | None = None) -> bool:
        return self.vote_state(now) == VoteState.OPEN

    def is_vote_closed(self, now: datetime | None = None) -> bool:
        return self.vote_state(now) == VoteState.CLOSED


class OverallVote(models.TextChoices):
    FAVORABLE = "favorable", _("Favorable")
    UNFAVORABLE = "unfavorable", _("Défavorable")
    ABSTENTION = "abstention", _("Abstention")


class Vote(models.Model):
    """An organisation's vote on a request: one per organisation (a database constraint)."""

    request = models.ForeignKey(LabellingRequest, on_delete=models.CASCADE, related_name="votes")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="votes", verbose_name=_("organisation")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voté par"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    overall = models.CharField(_("avis"), max_length=20, choices=OverallVote.choices)
    comment = models.TextField(_("commentaire"), blank=True)
    conflict_of_interest = models.BooleanField(
        _("conflit d'intérêts"),
        default=False,
        help_text=_("Le vote est alors enregistré mais pas compté."),
    )
    cast_at = models.DateTimeField(_("voté le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        ordering = ["organisation__display_order", "organisation__name"]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "organisation"], name="one_vote_per_organisation_per_request"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} : {self.get_overall_display()}"

    @property
    def is_counted(self) -> bool:
        return not self.conflict_of_interest


class CriterionAssessment(models.Model):
    """An organisation's judgement of one criterion in its vote."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="assessments")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    met = models.BooleanField(_("rempli"))
    comment = models.TextField(_("commentaire"), blank=True)

    class Meta:
        ordering = ["criterion__display_order"]
        verbose_name = _("appréciation d'un critère")
        verbose_name_plural = _("appréciations des critères")
        constraints = [
            models.UniqueConstraint(
                fields=["vote", "criterion"], name="one_assessment_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {'rempli' if self.met else 'non rempli'}"


class Outcome(models.TextChoices):
    LABELLED = Status.LABELLED.value, _("Labellisé")
    NOT_LABELLED = Status.NOT_LABELLED.value, _("Non labellisé")
    POSTPONED = Status.POSTPONED.value, _("Ajourné")


class Decision(models.Model):
    """The committee's decision on a request. Never edited: a correction is a new row that
    points to the one it corrects."""

    request = models.ForeignKey(
        LabellingRequest, on_delete=models.PROTECT, related_name="decisions"
    )
    outcome = models.CharField(_("décision"), max_length=20, choices=Outcome.choices)
    proposed_outcome = models.CharField(
        _("issue proposée par le décompte"), max_length=20, choices=Outcome.choices
    )
    departs_from_proposal = models.BooleanField(_("s'écarte de l'issue proposée"), default=False)
    motivation = models.TextField(_("motivation"))
    # The tally at the time of the decision, kept as it was.
    favorable = models.PositiveSmallIntegerField(default=0)
    unfavorable = models.PositiveSmallIntegerField(default=0)
    abstentions = models.PositiveSmallIntegerField(default=0)
    conflicts = models.PositiveSmallIntegerField(default=0)
    quorum_reached = models.BooleanField(default=False)
    label_number = models.CharField(_("numéro de label"), max_length=20, blank=True)
    corrects = models.OneToOneField(
        "self",
        verbose_name=_("corrige la décision"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correction",
    )
    correction_reason = models.TextField(_("raison de la correction"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enregistrée par"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("enregistrée le"), auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name = _("décision")
        verbose_name_plural = _("décisions")
        constraints = [
            # The first decision of a request is unique; later ones are corrections.
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(corrects__isnull=True),
                name="one_original_decision_per_request",
            ),
            models.CheckConstraint(
                condition=Q(corrects__isnull=True) | ~Q(correction_reason=""),
                name="correction_has_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} : {self.get_outcome_display()}"

    @property
    def counted(self) -> int:
        return self.favorable + self.unfavorable + self.abstentions


class LabelCounter(models.Model):
    """The last label number given each year (labels read like "PS-2026-03")."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"
