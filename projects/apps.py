from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projets"

    def ready(self) -> None:
        # messaging registers the messages' section of the dossier page, their personal data
        # and their part of the porteur's export.
        from . import message_sections, messaging  # noqa: F401
