from django.apps import AppConfig


class PropulsonsConfig(AppConfig):
    name = "propulsons"
    verbose_name = "Propulsons!"

    def ready(self) -> None:
        from django.contrib import admin
        from django.contrib.admin.models import LogEntry
        from django.db.models.signals import post_save

        from . import checks  # noqa: F401  (registers the deploy checks)
        from .admin import delete_selected_and_refresh
        from .public_cache import admin_change_logged

        # A change made in the admin refreshes the cached public pages.
        post_save.connect(admin_change_logged, sender=LogEntry, dispatch_uid="public-pages")
        # ...and so does a deletion of several objects, journalled in bulk without the signal.
        admin.site.add_action(delete_selected_and_refresh, "delete_selected")
