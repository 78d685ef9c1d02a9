from django.db import models
from django.utils.translation import gettext_lazy as _


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
