"""The four criteria of the Propulsons! label, and the cheffe's admin permissions."""

from django.db import migrations

from accounts.migration_helpers import grant_permissions

CRITERIA = [
    ("viable", "Le projet est économiquement viable"),
    ("solidaire", "Le projet est solidaire, de proximité et a un impact positif sur le territoire"),
    ("pas-de-calais", "Le projet est situé dans le Pas-de-Calais"),
    ("partenaire", "Le projet est suivi, accompagné ou prescrit par un partenaire de Propulsons!"),
]

PERMISSIONS = [
    "view_committeesession",
    "view_labellingrequest",
    "view_vote",
    "view_criterionassessment",
    "view_decision",
    "view_criterion",
]


def create_criteria(apps, schema_editor):
    Criterion = apps.get_model("labelling", "Criterion")
    for order, (code, label) in enumerate(CRITERIA, start=1):
        Criterion.objects.update_or_create(
            code=code, defaults={"label": label, "display_order": order}
        )


def grant(apps, schema_editor):
    grant_permissions(apps, app_label="labelling", role="cheffe", codenames=PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("labelling", "0001_initial"), ("accounts", "0002_roles")]

    operations = [
        migrations.RunPython(create_criteria, migrations.RunPython.noop),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
