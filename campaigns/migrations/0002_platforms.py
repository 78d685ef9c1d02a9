"""The crowdfunding platforms porteurs use, as a starting list the team edits in the admin."""

from django.db import migrations

PLATFORMS = [
    ("ulule", "Ulule", "https://fr.ulule.com"),
    ("kisskissbankbank", "KissKissBankBank", "https://www.kisskissbankbank.com"),
    ("helloasso", "HelloAsso", "https://www.helloasso.com"),
    ("miimosa", "Miimosa", "https://miimosa.com"),
    ("wedogood", "WeDoGood", "https://www.wedogood.co"),
    ("zeste", "Zeste", "https://www.zeste.coop"),
    ("lendosphere", "Lendosphère", "https://www.lendosphere.com"),
    ("tudigo", "Tudigo", "https://www.tudigo.co"),
    ("wiseed", "WiSEED", "https://www.wiseed.com"),
    ("lita-co", "LITA.co", "https://fr.lita.co"),
    ("autre", "Autre", ""),
]


def create_platforms(apps, schema_editor):
    Platform = apps.get_model("campaigns", "Platform")
    for order, (slug, name, website) in enumerate(PLATFORMS):
        Platform.objects.update_or_create(
            slug=slug, defaults={"name": name, "website": website, "display_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial")]

    operations = [migrations.RunPython(create_platforms, migrations.RunPython.noop)]
