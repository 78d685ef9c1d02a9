"""The cheffe de projet's group may read the coaching records in the admin."""

from django.db import migrations

from accounts.migration_helpers import grant_permissions

PERMISSIONS = [
    "view_firstmeeting",
    "view_financingline",
    "view_rewardtier",
    "view_interaction",
    "change_interaction",
    "view_reminder",
    "change_reminder",
]


def grant(apps, schema_editor):
    grant_permissions(apps, app_label="coaching", role="cheffe", codenames=PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("coaching", "0001_initial"), ("accounts", "0002_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
