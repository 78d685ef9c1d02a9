from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from propulsons.dates import date_in_range


class Platform(models.Model):
    """A crowdfunding platform (Ulule, KissKissBankBank…): a list the team manages in the admin."""

    name = models.CharField(_("nom"), max_length=100, unique=True)
    slug = models.SlugField(_("identifiant"), unique=True)
    website = models.URLField(_("site web"), blank=True)
    is_active = models.BooleanField(_("proposée"), default=True)
    display_order = models.PositiveSmallIntegerField(_("ordre d'affichage"), default=0)

    class Meta:
        ordering = ["display_order", "name"]
        verbose_name = _("plateforme")
        verbose_name_plural = _("plateformes")

    def __str__(self) -> str:
        return self.name


class CampaignStatus(models.TextChoices):
    PREPARING = "preparing", _("En préparation")
    RUNNING = "running", _("En cours")
    SUCCEEDED = "succeeded", _("Réussie")
    FAILED = "failed", _("Échouée")
    # One word on every page: a launched campaign stopped before its end, or one abandoned
    # while being prepared.
    CANCELLED = "cancelled", _("Interrompue")


# A campaign that has not finished: the one the dossier's page follows.
OPEN_CAMPAIGN_STATUSES = [CampaignStatus.PREPARING, CampaignStatus.RUNNING]


class CampaignFinancing(models.TextChoices):
    DONATION = "donation", _("Don")
    DONATION_REWARDS = "donation_rewards", _("Don avec contreparties")
    LOAN = "loan", _("Prêt")
    EQUITY = "equity", _("Capital")
    ROYALTIES = "royalties", _("Royalties")


class CollectionModel(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", _("Tout ou rien")
    KEEP_IT_ALL = "keep_it_all", _("Montant conservé quel que soit le résultat")


class RewardsDelivery(models.TextChoices):
    YES = "yes", _("Oui")
    PARTLY = "partly", _("En partie")
    NO = "no", _("Non")


class CampaignQuerySet(models.QuerySet):
    def launched(self):
        """Campaigns that went live; an interrupted or failed one still counts."""
        return self.filter(launched_on__isnull=False)


class Campaign(models.Model):
    """A labelled project's campaign on an external platform; its money moves there, so its
    figures are declared (snapshots), and the final result is recorded at the end."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="campaigns"
    )
    platform = models.ForeignKey(
        Platform, verbose_name=_("plateforme"), on_delete=models.PROTECT, related_name="campaigns"
    )
    url = models.URLField(_("adresse de la campagne"), blank=True)
    financing_type = models.CharField(
        _("type de financement"), max_length=20, choices=CampaignFinancing.choices
    )
    collection_model = models.CharField(
        _("modèle de collecte"), max_length=20, choices=CollectionModel.choices
    )
    goal = models.DecimalField(
        _("objectif (€)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(1)]
    )
    starts_on = models.DateField(_("début"), null=True, blank=True, validators=[date_in_range])
    ends_on = models.DateField(_("fin"), null=True, blank=True, validators=[date_in_range])
    status = models.CharField(
        _("statut"),
        max_length=20,
        choices=CampaignStatus.choices,
        default=CampaignStatus.PREPARING,
        db_index=True,
    )
    launched_on = models.DateField(
        _("lancée le"), null=True, blank=True, db_index=True, validators=[date_in_range]
    )
    finished_on = models.DateField(
        _("terminée le"), null=True, blank=True, validators=[date_in_range]
    )
    final_amount = models.DecimalField(
        _("montant final (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    final_contributors = models.PositiveIntegerField(_("contributeurs"), null=True, blank=True)
    # The latest declared figures, kept with the campaign by services.snapshot_add so that
    # lists and figures read them without a subquery per campaign.
    declared_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    declared_contributors = models.PositiveIntegerField(null=True, blank=True)
    declared_at = models.DateTimeField(null=True, blank=True)
    rewards_delivered = models.CharField(
        _("contreparties livrées"), max_length=10, choices=RewardsDelivery.choices, blank=True
    )
    rewards_delivered_on = models.DateField(
        _("livrées le"), null=True, blank=True, validators=[date_in_range]
    )
    project_carried_out = models.BooleanField(_("projet réalisé"), null=True, blank=True)
    # The Département funds the label for local jobs: recorded with the final result or later
    # in the follow-up, as the porteur reports them (full-time equivalents are not asked).
    jobs_created = models.PositiveIntegerField(_("emplois créés"), null=True, blank=True)
    jobs_kept = models.PositiveIntegerField(_("emplois maintenus"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("campagne")
        verbose_name_plural = _("campagnes")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_it_starts",
            ),
            models.CheckConstraint(condition=Q(goal__gt=0), name="campaign_goal_positive"),
            # A dossier has one campaign at a time: being prepared or running. Two clicks on
            # "Enregistrer" at once cannot both create one.
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(status__in=OPEN_CAMPAIGN_STATUSES),
                name="one_open_campaign_per_project",
                violation_error_message=_("Une campagne est déjà en préparation ou en cours."),
            ),
        ]
        # The figures of a period (campaigns launched in it, those that succeeded in it) and
        # the funder's report read these instead of every campaign.
        indexes = [
            models.Index(fields=["launched_on"], name="campaign_launched_on"),
            models.Index(fields=["status", "finished_on"], name="campaign_status_finished_on"),
            # The projects creating jobs, counted once over all time (selectors.figures_all_time):
            # the few campaigns that reported some.
            models.Index(
                fields=["project"],
                name="campaign_jobs_created",
                condition=Q(jobs_created__gt=0, launched_on__isnull=False),
            ),
            # The home page's running campaigns, the nearest end first (selectors.
            # home_campaigns), read in this order and stopped after a few rows; its successes,
            # the latest first, from campaign_succeeded_latest (PostgreSQL only: migration 0014).
            models.Index(
                fields=["ends_on"],
                name="campaign_running_ends_on",
                condition=Q(status="running"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} — {self.platform}"

    @property
    def is_finished(self) -> bool:
        return self.status in (
            CampaignStatus.SUCCEEDED,
            CampaignStatus.FAILED,
            CampaignStatus.CANCELLED,
        )


class FigureSource(models.TextChoices):
    PLATFORM = "platform", _("Page de la plateforme")
    PORTEUR = "porteur", _("Déclaré par le porteur")
    EXPORT = "export", _("Export de la plateforme")


class FigureReview(models.TextChoices):
    """Figures a porteur declares wait for the team; the team's own figures are accepted."""

    PENDING = "pending", _("À vérifier par l'équipe")
    ACCEPTED = "accepted", _("Acceptés")
    REJECTED = "rejected", _("Refusés")


class FigureSnapshot(models.Model):
    """The campaign's figures at a moment, as read on the platform or declared.

    Only accepted figures reach the campaign's latest figures (declared_*) and so the public
    pages; every figure entered before moderation existed counts as accepted.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="snapshots")
    taken_at = models.DateTimeField(_("relevé le"), validators=[date_in_range])
    amount = models.DecimalField(
        _("montant collecté (€)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    contributors = models.PositiveIntegerField(_("contributeurs"))
    source = models.CharField(_("source"), max_length=20, choices=FigureSource.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    review = models.CharField(
        _("vérification"),
        max_length=10,
        choices=FigureReview.choices,
        default=FigureReview.ACCEPTED,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vérifiés par"),
    )
    reviewed_at = models.DateTimeField(_("vérifiés le"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-taken_at", "-id"]
        get_latest_by = "taken_at"
        verbose_name = _("relevé des chiffres")
        verbose_name_plural = _("relevés des chiffres")
        indexes = [
            models.Index(fields=["campaign", "-taken_at"]),
            # The team's list of declarations to check: a handful among many accepted rows.
            models.Index(
                fields=["created_at"],
                condition=Q(review="pending"),
                name="snapshot_pending_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="snapshot_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.taken_at:%d/%m/%Y} : {self.amount} €"


class Presentation(models.Model):
    """What a project's public page shows beyond the dossier: a cover image (stored resized in
    the public media folder, see campaigns/covers.py) with its text alternative, and a video."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="presentation"
    )
    # The variants' common stem (covers/<project id>/<random>), "" without a cover; the
    # widths actually made (an image narrower than a variant is not enlarged).
    cover_stem = models.CharField(max_length=120, blank=True)
    cover_widths = models.JSONField(default=list, blank=True)
    cover_alt = models.CharField(_("description de l'image"), max_length=250, blank=True)
    video_url = models.URLField(_("vidéo"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("présentation publique")
        verbose_name_plural = _("présentations publiques")

    def __str__(self) -> str:
        return str(self.project)

    @property
    def has_cover(self) -> bool:
        return bool(self.cover_stem and self.cover_widths)

    @staticmethod
    def erasure_files(rows) -> list:
        """(storage, name) of the variants of these rows' covers, for the anonymisation
        (projects/personal_data.py), which removes them once its deletion has committed."""
        from .covers import file_names, public_storage

        return [
            (public_storage, name)
            for stem, widths in rows.exclude(cover_stem="").values_list(
                "cover_stem", "cover_widths"
            )
            for name in file_names(stem, widths or [])
        ]


class ProjectNews(models.Model):
    """A piece of the project's news, as the porteur (or the team) tells it."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="news")
    published_on = models.DateField(_("date"), validators=[date_in_range])
    text = models.TextField(_("nouvelle"), max_length=3000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_on", "-id"]
        verbose_name = _("nouvelle du projet")
        verbose_name_plural = _("nouvelles du projet")
        indexes = [models.Index(fields=["project", "-published_on"])]

    def __str__(self) -> str:
        return f"{self.project_id} {self.published_on}"
