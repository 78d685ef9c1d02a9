import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from propulsons.dates import date_in_range

from .uploads import name_for_type, private_storage, remove_files_on_commit

PAS_DE_CALAIS = "62"


class Commune(models.Model):
    """A commune of the Pas-de-Calais, from the official INSEE list (loaded by a migration)."""

    insee_code = models.CharField(_("code INSEE"), max_length=5, unique=True)
    name = models.CharField(_("nom"), max_length=100, db_index=True)
    postal_codes = models.JSONField(_("codes postaux"), default=list)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    arrondissement_code = models.CharField(_("code de l'arrondissement"), max_length=3)
    arrondissement_name = models.CharField(_("arrondissement"), max_length=60)
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """How the commune reads in a list: "Béthune (62400)"."""
        return f"{self.name} ({', '.join(self.postal_codes)})"


class Status(models.TextChoices):
    """The dossier's life cycle. Codes are stable: logic never compares translated labels."""

    CONTACT = "contact", _("Prise de contact")
    FIRST_MEETING_DONE = "first_meeting_done", _("Premier rendez-vous réalisé")
    COACHING = "coaching", _("En accompagnement")
    LABELLING_REQUESTED = "labelling_requested", _("Demande de labellisation")
    IN_COMMITTEE = "in_committee", _("En comité")
    LABELLED = "labelled", _("Labellisé")
    NOT_LABELLED = "not_labelled", _("Non labellisé")
    POSTPONED = "postponed", _("Ajourné")
    CAMPAIGN_RUNNING = "campaign_running", _("Campagne en cours")
    CAMPAIGN_ENDED = "campaign_ended", _("Campagne terminée")
    CLOSED = "closed", _("Clos")
    ABANDONED = "abandoned", _("Abandonné")
    REORIENTED = "reoriented", _("Réorienté")


# The life cycle of a dossier that goes all the way, from the first contact to the end.
MAIN_PATH = (
    Status.CONTACT,
    Status.FIRST_MEETING_DONE,
    Status.COACHING,
    Status.LABELLING_REQUESTED,
    Status.IN_COMMITTEE,
    Status.LABELLED,
    Status.CAMPAIGN_RUNNING,
    Status.CAMPAIGN_ENDED,
    Status.CLOSED,
)

# Statuses from which a dossier can still move forward; "abandonné" and "réorienté" can be
# reached from any of them.
ACTIVE_STATUSES = frozenset(
    {
        Status.CONTACT,
        Status.FIRST_MEETING_DONE,
        Status.COACHING,
        Status.LABELLING_REQUESTED,
        Status.IN_COMMITTEE,
        Status.LABELLED,
        Status.POSTPONED,
        Status.CAMPAIGN_RUNNING,
    }
)

# What the team's searches look into (the pipeline and the admin): who and which dossier.
TEAM_SEARCH_FIELDS = [
    "reference",
    "title",
    "structure_name",
    "contact_last_name",
    "contact_first_name",
    "contact_email",
]

# The one map of allowed transitions: current status -> statuses it may move to.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.CONTACT: frozenset({Status.FIRST_MEETING_DONE}),
    Status.FIRST_MEETING_DONE: frozenset({Status.COACHING}),
    Status.COACHING: frozenset({Status.LABELLING_REQUESTED}),
    Status.LABELLING_REQUESTED: frozenset({Status.IN_COMMITTEE, Status.COACHING}),
    Status.IN_COMMITTEE: frozenset({Status.LABELLED, Status.NOT_LABELLED, Status.POSTPONED}),
    Status.POSTPONED: frozenset({Status.COACHING, Status.LABELLING_REQUESTED}),
    Status.LABELLED: frozenset({Status.CAMPAIGN_RUNNING}),
    Status.CAMPAIGN_RUNNING: frozenset({Status.CAMPAIGN_ENDED}),
    Status.CAMPAIGN_ENDED: frozenset({Status.CLOSED}),
    Status.NOT_LABELLED: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset(),
    Status.ABANDONED: frozenset(),
    Status.REORIENTED: frozenset(),
}
for _status in ACTIVE_STATUSES:
    ALLOWED_TRANSITIONS[_status] = ALLOWED_TRANSITIONS[_status] | {
        Status.ABANDONED,
        Status.REORIENTED,
    }

# What the porteur reads in their space for each status, in plain words. What comes next
# depends on the dossier's facts too: projects/next_steps.py decides it.
STATUS_EXPLANATIONS: dict[str, str] = {
    Status.CONTACT: _("Nous avons bien reçu votre projet."),
    Status.FIRST_MEETING_DONE: _("Le premier rendez-vous a eu lieu."),
    Status.COACHING: _("Vous êtes accompagné par Propulsons!"),
    Status.LABELLING_REQUESTED: _("Votre demande de labellisation est enregistrée."),
    Status.IN_COMMITTEE: _("Votre projet est examiné par le comité de labellisation."),
    Status.LABELLED: _("Votre projet est labellisé Propulsons!"),
    Status.NOT_LABELLED: _("Le comité n'a pas labellisé votre projet."),
    Status.POSTPONED: _("Le comité a ajourné sa décision."),
    Status.CAMPAIGN_RUNNING: _("Votre campagne est en cours."),
    Status.CAMPAIGN_ENDED: _("Votre campagne est terminée."),
    Status.CLOSED: _("Le dossier est clos."),
    Status.ABANDONED: _("Le dossier est abandonné."),
    Status.REORIENTED: _("Le dossier a été réorienté vers un autre dispositif."),
}


class LegalForm(models.TextChoices):
    ASSOCIATION = "association", _("Association")
    SCIC = "scic", _("SCIC")
    SCOP = "scop", _("SCOP")
    COMPANY = "company", _("SARL, SAS ou SA")
    SOLE_TRADER = "sole_trader", _("Entreprise individuelle ou micro-entreprise")
    LOCAL_AUTHORITY = "local_authority", _("Collectivité")
    OTHER = "other", _("Autre")


class Category(models.TextChoices):
    CIRCULAR_ECONOMY = "circular_economy", _("Économie circulaire")
    FOOD = "food", _("Alimentation et agriculture")
    CULTURE = "culture", _("Culture")
    MOBILITY = "mobility", _("Mobilité")
    DIGITAL = "digital", _("Numérique")
    INCLUSION = "inclusion", _("Insertion et emploi")
    ENVIRONMENT = "environment", _("Environnement et énergie")
    LOCAL_SHOP = "local_shop", _("Commerce de proximité")
    OTHER = "other", _("Autre")


class FinancingType(models.TextChoices):
    DONATION = "donation", _("Don")
    DONATION_REWARDS = "donation_rewards", _("Don avec contreparties")
    LOAN = "loan", _("Prêt")
    EQUITY = "equity", _("Capital")
    ROYALTIES = "royalties", _("Royalties")
    UNKNOWN = "unknown", _("Je ne sais pas encore")


class HeardFrom(models.TextChoices):
    PARTNER = "partner", _("Par un partenaire de Propulsons!")
    WORD_OF_MOUTH = "word_of_mouth", _("Par le bouche-à-oreille")
    PRESS = "press", _("Par la presse")
    SOCIAL = "social", _("Par les réseaux sociaux")
    EVENT = "event", _("Lors d'un événement")
    SEARCH = "search", _("En cherchant sur Internet")
    OTHER = "other", _("Autrement")


class ProjectQuerySet(models.QuerySet):
    def owned_by(self, user) -> "ProjectQuerySet":
        return self.filter(owner=user)

    def awaiting_claim_by(self, user) -> "ProjectQuerySet":
        """Dossiers submitted with `user`'s address and not yet attached to any account."""
        return self.filter(
            owner__isnull=True, anonymised_at__isnull=True, contact_email__iexact=user.email
        )

    def with_list_relations(self) -> "ProjectQuerySet":
        return self.select_related("commune", "partner", "owner")

    def published(self) -> "ProjectQuerySet":
        """What the public catalogue shows (PUBLISHED), without joins: its counts and lists
        are then read from the small partial indexes below."""
        return self.filter(PUBLISHED)


# A dossier the public catalogue shows: labelled, and its porteur agreed to publication.
# "Labelled" is written `label_number > ''` (every number sorts after the empty string), not
# `<> ''`: PostgreSQL estimates a `<>` on this column as matching every row, and chose plans
# for the catalogue's filters as if every dossier were published; a `>` reads the statistics.
PUBLISHED = Q(publish_agreed=True) & Q(label_number__gt="")


class Project(models.Model):
    """A porteur's dossier, from the first contact to the end of the campaign's follow-up."""

    reference = models.CharField(_("référence"), max_length=20, unique=True)
    status = models.CharField(
        _("statut"), max_length=30, choices=Status.choices, default=Status.CONTACT, db_index=True
    )
    status_changed_at = models.DateTimeField(_("statut modifié le"), auto_now_add=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte du porteur"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        help_text=_("Vide tant que le porteur n'a pas confirmé son adresse électronique."),
    )

    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cheffe de projet"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coached_projects",
        limit_choices_to={"role": "cheffe"},
        help_text=_("Celle qui accompagne le dossier et reçoit ses rappels."),
    )

    # Vous
    contact_first_name = models.CharField(_("prénom"), max_length=100)
    contact_last_name = models.CharField(_("nom"), max_length=100)
    contact_email = models.EmailField(_("adresse électronique"), db_index=True)
    contact_phone = models.CharField(_("téléphone"), max_length=20)

    # Votre structure
    structure_name = models.CharField(_("nom de la structure"), max_length=200)
    legal_form = models.CharField(_("forme juridique"), max_length=30, choices=LegalForm.choices)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)

    # Votre projet
    title = models.CharField(_("titre du projet"), max_length=150)
    summary = models.CharField(_("résumé"), max_length=300)
    description = models.TextField(_("description"))
    category = models.CharField(_("catégorie"), max_length=30, choices=Category.choices)
    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="projects"
    )

    # Financement
    total_budget = models.DecimalField(
        _("budget total du projet (€)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    crowdfunding_amount = models.DecimalField(
        _("montant visé en financement participatif (€)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    financing_type = models.CharField(
        _("type de financement envisagé"), max_length=30, choices=FinancingType.choices
    )
    wished_campaign_start = models.DateField(
        _("début de campagne souhaité"), null=True, blank=True, validators=[date_in_range]
    )

    # Accompagnement
    partner = models.ForeignKey(
        Organisation,
        verbose_name=_("partenaire qui suit le projet"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followed_projects",
    )
    heard_from = models.CharField(
        _("comment nous avez-vous connus ?"), max_length=30, choices=HeardFrom.choices
    )

    slug = models.SlugField(_("adresse publique"), max_length=120, unique=True, null=True)
    publish_agreed = models.BooleanField(
        _("présentation publique acceptée"),
        default=False,
        help_text=_("Le porteur accepte que le projet soit présenté au public s'il est labellisé."),
    )
    # Where the map shows the project, when the cheffe places it by hand (else: the commune).
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    # The campaign the public pages show (the latest one prepared), kept by campaigns.services.
    current_campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campagne en cours de suivi"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Set by the committee's decision (labelling app).
    labelled_on = models.DateField(
        _("labellisé le"), null=True, blank=True, validators=[date_in_range]
    )
    label_number = models.CharField(_("numéro de label"), max_length=20, blank=True)
    # When the link to attach the dossier to an existing account was last emailed: resending
    # it is throttled on this (services.project_claim_link_resend).
    claim_link_sent_at = models.DateTimeField(
        _("lien de rattachement envoyé le"), null=True, blank=True
    )

    consent_at = models.DateTimeField(_("consentement donné le"))
    # The date of the latest coaching exchange, kept by coaching.services.interaction_record
    # so that the dashboard and the reminder scan need no aggregate over every exchange.
    last_interaction_on = models.DateField(
        _("dernier échange le"), null=True, blank=True, db_index=True, validators=[date_in_range]
    )
    # Personal data erased (on request, or after the retention period); statistics kept.
    anonymised_at = models.DateTimeField(_("anonymisé le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        constraints = [
            models.CheckConstraint(
                condition=Q(crowdfunding_amount__lte=models.F("total_budget")),
                name="crowdfunding_within_budget",
                violation_error_message=_(
                    "Le montant visé en financement participatif ne peut dépasser le budget."
                ),
            ),
            # A label number names one dossier (labelling gives them from a yearly counter).
            models.UniqueConstraint(
                fields=["label_number"],
                condition=~Q(label_number=""),
                name="one_dossier_per_label_number",
                violation_error_message=_("Ce numéro de label est déjà celui d'un autre dossier."),
            ),
        ]
        # The public catalogue's projects (labelled, publication agreed; see
        # campaigns.selectors.public_projects): a page of them in the published order, and
        # the communes and categories that have some, read from these small partial indexes.
        indexes = [
            models.Index(
                fields=["-labelled_on", "title"],
                name="project_published_order",
                condition=PUBLISHED,
            ),
            models.Index(fields=["commune"], name="project_published_commune", condition=PUBLISHED),
            models.Index(
                fields=["category", "-labelled_on", "title"],
                name="project_published_category",
                condition=PUBLISHED,
            ),
            # The catalogue's filters on the campaign (its state, financing, platform): the
            # published projects joined to their campaigns from this index alone.
            models.Index(
                fields=["current_campaign"],
                name="project_published_campaign",
                condition=PUBLISHED,
            ),
            # The figures' dossiers received per arrondissement in a period, read from the
            # index alone (the dossiers of a year are scattered over the whole table).
            models.Index(fields=["created_at", "commune"], name="project_created_commune"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("projects:porteur_project", args=[self.reference])

    @property
    def contact_name(self) -> str:
        return f"{self.contact_first_name} {self.contact_last_name}"

    @property
    def crowdfunding_share(self) -> Decimal | None:
        """The crowdfunding part of the budget, in percent (one decimal)."""
        if not self.total_budget:
            return None
        return (self.crowdfunding_amount * 100 / self.total_budget).quantize(Decimal("0.1"))

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def allowed_next_statuses(self) -> frozenset[str]:
        return ALLOWED_TRANSITIONS[self.status]

    @property
    def status_explanation(self) -> str:
        return STATUS_EXPLANATIONS[self.status]


class StatusCount(models.Model):
    """The number of dossiers in a status, kept exact by triggers on the dossiers' table
    (projects/status_counts.py): the pipeline reads it instead of counting every dossier."""

    status = models.CharField(max_length=30, primary_key=True)
    n = models.IntegerField(default=0)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.status}: {self.n}"


class StatusChange(models.Model):
    """One row per transition: the dossier's history, shown to staff and to the porteur."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("dossier")
    )
    from_status = models.CharField(
        _("ancien statut"), max_length=30, choices=Status.choices, blank=True
    )
    to_status = models.CharField(_("nouveau statut"), max_length=30, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("date"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("changement de statut")
        verbose_name_plural = _("changements de statut")
        # The figures' funnel counts the dossiers reaching each step in a period: with the
        # dossier in the index, PostgreSQL reads the period's changes from the index alone
        # (an index-only scan), never the rows themselves.
        indexes = [
            models.Index(fields=["to_status", "created_at", "project"], name="statuschange_funnel")
        ]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.from_status or '—'} → {self.to_status}"


class ReferenceCounter(models.Model):
    """The last dossier number given each year, for references like P-2026-0042."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("compteur de références")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


def _document_path(document: "Document", filename: str) -> str:
    # A random name: the porteur's file name is kept in `original_name`, never used on disk.
    return f"projects/{document.project_id}/{uuid.uuid4().hex}"


class DocumentKind(models.TextChoices):
    FINANCING_PLAN = "financing_plan", _("Plan de financement")
    CAMPAIGN_TEXT = "campaign_text", _("Texte de présentation de la campagne")
    VISUAL = "visual", _("Visuel")
    VIDEO = "video", _("Lien vers une vidéo")
    OTHER = "other", _("Autre document")


class Document(models.Model):
    """A file (or a video link) attached to a dossier by its porteur or the team."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="documents", verbose_name=_("dossier")
    )
    kind = models.CharField(_("type de document"), max_length=30, choices=DocumentKind.choices)
    file = models.FileField(
        _("fichier"), upload_to=_document_path, storage=private_storage, blank=True
    )
    url = models.URLField(_("lien"), blank=True)
    original_name = models.CharField(_("nom du fichier"), max_length=200, blank=True)
    content_type = models.CharField(_("type de contenu"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("taille (octets)"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("déposé par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            # Exactly one of a file or a link.
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(url="")) | (~Q(file="") & Q(url="")),
                name="document_is_a_file_or_a_link",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name or self.url

    @property
    def is_link(self) -> bool:
        return bool(self.url)

    @property
    def served_name(self) -> str:
        """The name the file is downloaded under: its extension is that of its detected type
        (rows stored before names were corrected included)."""
        return name_for_type(self.original_name or "document", self.content_type)


@receiver(post_delete, sender=Document, dispatch_uid="projects.document_file_removed")
def _remove_the_file_once_the_deletion_commits(sender, instance: Document, **kwargs) -> None:
    # Bookkeeping, not a business rule: every deletion of a row passes here (a service, the
    # admin deleting a dossier, any cascade), so no file outlives its row, and a deletion that
    # rolls back keeps its file.
    if instance.file:
        remove_files_on_commit([instance.file.name])


class AnonymisationFailure(models.Model):
    """A dossier whose anonymisation failed (nothing of it was changed): shown to the team
    until a later attempt succeeds, which deletes this row."""

    project = models.OneToOneField(
        Project,
        on_delete=models.CASCADE,
        related_name="anonymisation_failure",
        verbose_name=_("dossier"),
    )
    first_failed_at = models.DateTimeField(_("premier échec le"), auto_now_add=True)
    last_failed_at = models.DateTimeField(_("dernier échec le"))
    attempts = models.PositiveIntegerField(_("tentatives"), default=1)
    # The kind of error and its first line only: a database's detail line may quote the row.
    error = models.CharField(_("erreur"), max_length=300)

    class Meta:
        ordering = ["-last_failed_at"]
        verbose_name = _("anonymisation en échec")
        verbose_name_plural = _("anonymisations en échec")

    def __str__(self) -> str:
        return f"{self.project_id} : {self.error}"


class MessageSide(models.TextChoices):
    """Who wrote a message on the dossier: its porteur, or the team (a cheffe de projet)."""

    PORTEUR = "porteur", _("Porteur")
    TEAM = "team", _("Équipe")


class MessageKind(models.TextChoices):
    """A message, or a typed request for a meeting that the cheffe answers."""

    MESSAGE = "message", _("Message")
    PRESS = "press", _("Demande de rencontre : presse")
    JOURNALIST = "journalist", _("Demande de rencontre : journaliste")
    RELAY = "relay", _("Demande de rencontre : relais")
    OTHER_MEETING = "other_meeting", _("Demande de rencontre : autre")


MEETING_REQUEST_KINDS = frozenset(
    {MessageKind.PRESS, MessageKind.JOURNALIST, MessageKind.RELAY, MessageKind.OTHER_MEETING}
)


class DossierMessageQuerySet(models.QuerySet):
    def unread_by(self, side: str) -> "DossierMessageQuerySet":
        """The messages the other side wrote that `side` has not opened yet."""
        return self.exclude(sender=side).filter(read_at__isnull=True)

    def open_requests(self) -> "DossierMessageQuerySet":
        return self.filter(kind__in=MEETING_REQUEST_KINDS, answered_at__isnull=True)


class DossierMessage(models.Model):
    """A message between the porteur and the team on a dossier (projects/messaging.py)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="messages", verbose_name=_("dossier")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    sender = models.CharField(_("écrit par"), max_length=10, choices=MessageSide.choices)
    kind = models.CharField(
        _("type"), max_length=20, choices=MessageKind.choices, default=MessageKind.MESSAGE
    )
    body = models.TextField(_("message"))
    # The attached file is a document of the dossier: same checks, same permission-checked
    # download (document_download).
    document = models.ForeignKey(
        Document,
        verbose_name=_("pièce jointe"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("envoyé le"), auto_now_add=True, db_index=True)
    # When the other side opened the thread after this message.
    read_at = models.DateTimeField(_("lu le"), null=True, blank=True)
    # A meeting request: when the team answered it (by a message marked as its answer).
    answered_at = models.DateTimeField(_("répondu le"), null=True, blank=True)

    objects = DossierMessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message du dossier")
        verbose_name_plural = _("messages des dossiers")
        indexes = [models.Index(fields=["project", "sender", "read_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | Q(kind__in=sorted(MEETING_REQUEST_KINDS)),
                name="only_requests_are_answered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.get_sender_display()} {self.created_at:%d/%m/%Y}"

    @property
    def is_request(self) -> bool:
        return self.kind in MEETING_REQUEST_KINDS
