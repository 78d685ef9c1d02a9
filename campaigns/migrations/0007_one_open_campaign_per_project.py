from django.db import migrations, models


def cancel_duplicate_preparations(apps, schema_editor):
    """Campaigns prepared twice by concurrent clicks: keep the one the dossier follows (else
    the latest), cancel the other preparations, so that the constraint can be added."""
    Campaign = apps.get_model("campaigns", "Campaign")
    Project = apps.get_model("projects", "Project")
    open_statuses = ["preparing", "running"]
    crowded = (
        Campaign.objects.filter(status__in=open_statuses)
        .values("project")
        .annotate(n=models.Count("id"))
        .filter(n__gt=1)
        .values_list("project", flat=True)
    )
    for project in Project.objects.filter(pk__in=list(crowded)):
        campaigns = Campaign.objects.filter(project=project, status__in=open_statuses)
        keep = (
            campaigns.filter(status="running").order_by("-id").first()
            or campaigns.filter(pk=project.current_campaign_id).first()
            or campaigns.order_by("-id").first()
        )
        campaigns.exclude(pk=keep.pk).filter(status="preparing").update(status="cancelled")
        Project.objects.filter(pk=project.pk).update(current_campaign=keep)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0006_fill_declared_figures"),
        ("projects", "0010_last_interaction_on"),
    ]

    operations = [
        migrations.RunPython(cancel_duplicate_preparations, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="campaign",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["preparing", "running"])),
                fields=("project",),
                name="one_open_campaign_per_project",
                violation_error_message="Une campagne est déjà en préparation ou en cours.",
            ),
        ),
    ]
