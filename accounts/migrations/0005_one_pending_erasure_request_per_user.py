from django.db import migrations, models


def drop_duplicate_pending_requests(apps, schema_editor):
    """Requests sent twice by concurrent clicks: the first one stays, the copies go."""
    DeletionRequest = apps.get_model("accounts", "DeletionRequest")
    first_pending = {}
    for item in DeletionRequest.objects.filter(
        processed_at__isnull=True, user__isnull=False
    ).order_by("requested_at", "id"):
        if item.user_id in first_pending:
            item.delete()
        else:
            first_pending[item.user_id] = item


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_deletion_requests"),
    ]

    operations = [
        migrations.RunPython(drop_duplicate_pending_requests, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="deletionrequest",
            constraint=models.UniqueConstraint(
                condition=models.Q(("processed_at__isnull", True)),
                fields=("user",),
                name="one_pending_erasure_request_per_user",
                violation_error_message=(
                    "Une demande d'effacement de cette personne attend déjà d'être traitée."
                ),
            ),
        ),
    ]
