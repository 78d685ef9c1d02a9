from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projets"

    def ready(self) -> None:
        # messaging registers the messages' section of the dossier page, their personal data
        # and their part of the porteur's export.
        from . import message_sections, messaging  # noqa: F401
        from .status_counts import install_after_migrate

        # The triggers that keep the counts per status, and the counts, put right after every
        # migration (one may have rebuilt the dossiers' table) and every flush.
        post_migrate.connect(install_after_migrate, sender=self)
