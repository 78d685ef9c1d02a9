from django.apps import AppConfig


class PropulsonsConfig(AppConfig):
    name = "propulsons"
    verbose_name = "Propulsons!"

    def ready(self) -> None:
        from django.contrib.admin.models import LogEntry
        from django.db.models.signals import post_save

        from . import checks  # noqa: F401  (registers the deploy checks)
        from .public_cache import admin_change_logged

        # A change made in the admin refreshes the cached public pages.
        post_save.connect(admin_change_logged, sender=LogEntry, dispatch_uid="public-pages")
