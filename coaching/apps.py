from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "coaching"
    verbose_name = "Accompagnement"

    def ready(self) -> None:
        # services registers what coaching holds about people with the dossier's privacy services;
        # sections registers the app's section of the dossier page (projects/sections.py).
        from . import sections, services  # noqa: F401
