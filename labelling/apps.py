from django.apps import AppConfig


class LabellingConfig(AppConfig):
    name = "labelling"
    verbose_name = "Labellisation"

    def ready(self) -> None:
        # services registers the committee's reminder check with the coaching reminder engine;
        # sections registers the app's section of the dossier page (projects/sections.py).
        from . import sections, services  # noqa: F401
