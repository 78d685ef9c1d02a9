from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campagnes"

    def ready(self) -> None:
        # Registers what campaigns hold about people with the dossier's privacy registry.
        from . import services  # noqa: F401
