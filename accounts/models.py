from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """A member of the labelling committee and/or a partner that follows or prescribes projects.

    The six committee members (the Conseil départemental and the five solidarity-finance
    founders) are created by a data migration and edited in the admin.
    """

    name = models.CharField(_("nom"), max_length=200, unique=True)
    short_name = models.CharField(_("nom court"), max_length=60)
    slug = models.SlugField(_("identifiant"), unique=True)
    description = models.TextField(_("présentation"), blank=True)
    website = models.URLField(_("site web"), blank=True)
    is_committee_member = models.BooleanField(_("membre du comité de labellisation"), default=False)
    is_prescribing_partner = models.BooleanField(
        _("partenaire prescripteur"),
        default=False,
        help_text=_("Peut suivre, accompagner ou prescrire un projet (critère 4)."),
    )
    display_order = models.PositiveSmallIntegerField(_("ordre d'affichage"), default=0)

    class Meta:
        ordering = ["display_order", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """Stable codes: logic compares codes, never the translated labels."""

    PORTEUR = "porteur", _("Porteur de projet")
    CHEFFE = "cheffe", _("Cheffe de projet")
    COMITE = "comite", _("Membre du comité")
    ADMIN = "admin", _("Administrateur")


# Roles whose holders work in the Django admin (the Django "staff" flag follows the role).
STAFF_ROLES = {Role.CHEFFE, Role.ADMIN}


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("Une adresse électronique est obligatoire.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("role", Role.PORTEUR)
        extra.setdefault("is_staff", extra["role"] in STAFF_ROLES)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(role=Role.ADMIN, is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who logs in with their email address; what they may do follows from `role`."""

    username = None
    email = models.EmailField(_("adresse électronique"), unique=True)
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.PORTEUR)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        help_text=_("Obligatoire pour un membre du comité : l'organisation qu'il représente."),
    )
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    # Set when the person opened a link mailed to `email` (choosing their password, attaching
    # a dossier); cleared when an administrator changes the address. An account an
    # administrator gave a password to has not proved its address (accounts.services).
    email_verified_at = models.DateTimeField(_("adresse vérifiée le"), null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    objects = UserManager()

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        constraints = [
            # A committee vote is an organisation's vote: a member without one cannot vote.
            models.CheckConstraint(
                condition=~Q(role="comite") | Q(organisation__isnull=False),
                name="committee_member_has_organisation",
                violation_error_message=_(
                    "Un membre du comité doit être rattaché à une organisation."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def is_porteur(self) -> bool:
        return self.role == Role.PORTEUR

    @property
    def is_cheffe(self) -> bool:
        return self.role == Role.CHEFFE

    @property
    def is_committee_member(self) -> bool:
        return self.role == Role.COMITE

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_team(self) -> bool:
        """The Propulsons! team: the cheffes de projet and the administrators."""
        return self.role in STAFF_ROLES


class DeletionRequest(models.Model):
    """A porteur's request that their personal data be erased, until the team processes it."""

    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="deletion_requests"
    )
    email = models.EmailField(_("adresse du demandeur"))
    message = models.TextField(_("précisions"), blank=True)
    requested_at = models.DateTimeField(_("demandée le"), auto_now_add=True)
    processed_at = models.DateTimeField(_("traitée le"), null=True, blank=True)
    processed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["processed_at", "-requested_at"]
        verbose_name = _("demande d'effacement")
        verbose_name_plural = _("demandes d'effacement")
        constraints = [
            # A second click, or a second tab, adds nothing while the first is pending.
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(processed_at__isnull=True),
                name="one_pending_erasure_request_per_user",
                violation_error_message=_(
                    "Une demande d'effacement de cette personne attend déjà d'être traitée."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.email


class SubmittedForm(models.Model):
    """A form that was sent, by the random key rendered in it: the same form sent again (a
    double click, a retried request, a reload) is recognised and answered as the first time,
    instead of creating a second dossier, exchange or campaign."""

    # "<user id or ->:<token>": a key only counts for the person it was rendered to.
    key = models.CharField(max_length=100, unique=True)
    result_path = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("formulaire envoyé")
        verbose_name_plural = _("formulaires envoyés")

    def __str__(self) -> str:
        return self.result_path
