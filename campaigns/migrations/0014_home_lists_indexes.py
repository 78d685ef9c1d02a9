"""The home page's lists read in the order of an index (campaigns.selectors.home_campaigns).

Running campaigns by end date (the nearest first), declared in the model. Successes by finish
date, the latest first and those without one last (DESC NULLS LAST, as the page sorts them:
campaign_status_finished_on read backwards puts NULLs first, so the planner sorted every
success): written for PostgreSQL only, as SQLite knows no NULLS LAST in an index (there the
page sorts the rows, as it always did)."""

from django.db import migrations, models


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS campaign_succeeded_latest ON campaigns_campaign "
        "(finished_on DESC NULLS LAST) WHERE status = 'succeeded'"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS campaign_succeeded_latest")


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0013_jobs_created_index"),
        ("projects", "0019_catalogue_search_trigram_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="campaign",
            index=models.Index(
                condition=models.Q(("status", "running")),
                fields=["ends_on"],
                name="campaign_running_ends_on",
            ),
        ),
        migrations.RunPython(create, drop, elidable=False),
    ]
