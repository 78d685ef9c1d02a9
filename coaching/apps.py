from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "coaching"
    verbose_name = "Accompagnement"

    def ready(self) -> None:
        # services registers what coaching holds about people with the dossier's privacy services;
        # sections registers the app's section of the dossier page (projects/sections.py), and
        # pipeline the dossier's next action in the team's pipeline (projects/pipeline.py).
        from . import pipeline, sections, services  # noqa: F401
