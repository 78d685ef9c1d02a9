"""Fill the campaigns' latest declared figures and the projects' current campaign."""

from django.db import migrations


def fill(apps, schema_editor):
    Campaign = apps.get_model("campaigns", "Campaign")
    FigureSnapshot = apps.get_model("campaigns", "FigureSnapshot")
    Project = apps.get_model("projects", "Project")
    for campaign in Campaign.objects.all():
        latest = (
            FigureSnapshot.objects.filter(campaign=campaign).order_by("-taken_at", "-id").first()
        )
        if latest is not None:
            Campaign.objects.filter(pk=campaign.pk).update(
                declared_amount=latest.amount,
                declared_contributors=latest.contributors,
                declared_at=latest.taken_at,
            )
    for project in Project.objects.filter(campaigns__isnull=False).distinct():
        current = (
            Campaign.objects.filter(project=project)
            .exclude(status="cancelled", launched_on__isnull=True)
            .order_by("-id")
            .first()
        )
        Project.objects.filter(pk=project.pk).update(current_campaign=current)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0005_declared_figures"),
        ("projects", "0009_current_campaign"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
