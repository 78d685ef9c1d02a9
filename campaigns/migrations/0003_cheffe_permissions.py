"""The cheffe de projet's group manages the list of platforms in the admin."""

from django.db import migrations

from accounts.migration_helpers import grant_permissions

PERMISSIONS = ["view_platform", "add_platform", "change_platform"]


def grant(apps, schema_editor):
    grant_permissions(apps, app_label="campaigns", role="cheffe", codenames=PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0002_platforms"), ("accounts", "0002_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
