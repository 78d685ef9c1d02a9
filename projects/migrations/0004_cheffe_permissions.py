"""The cheffe de projet's group may read and edit dossiers and communes in the admin."""

from django.db import migrations

from accounts.migration_helpers import grant_permissions

PERMISSIONS = [
    "view_project",
    "change_project",
    "view_statuschange",
    "view_document",
    "view_commune",
    "change_commune",
]


def grant(apps, schema_editor):
    grant_permissions(apps, app_label="projects", role="cheffe", codenames=PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("projects", "0003_documents"), ("accounts", "0002_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
