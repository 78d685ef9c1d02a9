from django.apps import AppConfig


class LabellingConfig(AppConfig):
    name = "labelling"
    verbose_name = "Labellisation"

    def ready(self) -> None:
        # Registers the committee's reminder check with the coaching reminder engine.
        from . import services  # noqa: F401
