from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "coaching"
    verbose_name = "Accompagnement"

    def ready(self) -> None:
        # Registers what coaching holds about people with the dossier's privacy services.
        from . import services  # noqa: F401
