from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0011_anonymisation_failure"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="project",
            constraint=models.UniqueConstraint(
                condition=models.Q(("label_number", ""), _negated=True),
                fields=("label_number",),
                name="one_dossier_per_label_number",
                violation_error_message="Ce numéro de label est déjà celui d'un autre dossier.",
            ),
        ),
    ]
