from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "coaching"
    verbose_name = "Accompagnement"

    def ready(self) -> None:
        # services registers what coaching holds about people with the dossier's privacy services;
        # sections registers the app's section of the dossier page (projects/sections.py);
        # pipeline the dossier's next action in the team's pipeline (projects/pipeline.py);
        # prefill gives the report's campaign to the form of a new campaign (campaigns/prefill.py).
        # activity gives the dossier's thread the shared notes (projects/messaging.py);
        # presentation gives the report's rewards to the project's public page.
        from . import activity, pipeline, prefill, presentation, sections, services  # noqa: F401
