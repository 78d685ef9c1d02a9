from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campagnes"

    def ready(self) -> None:
        # services registers what campaigns hold about people with the dossier's privacy registry;
        # sections registers the app's section of the dossier page (projects/sections.py).
        from . import sections, services  # noqa: F401
