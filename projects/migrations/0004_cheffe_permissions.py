"""The cheffe de projet's group may read and edit dossiers and communes in the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = [
    "view_project",
    "change_project",
    "view_statuschange",
    "view_document",
    "view_commune",
    "change_commune",
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("projects")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="cheffe")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="projects", codename__in=PERMISSIONS)
    )


class Migration(migrations.Migration):
    dependencies = [("projects", "0003_documents"), ("accounts", "0002_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
