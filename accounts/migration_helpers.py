"""Helpers for data migrations that give a role's group the permissions of an app's models.

Kept stable on purpose: migrations of several apps import it.
"""

from django.contrib.auth.management import create_permissions


def grant_permissions(apps, *, app_label: str, role: str, codenames: list[str]) -> None:
    # Permissions are normally created after migrate; create them now to attach them.
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=role)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
    )
