"""Load the communes of the Pas-de-Calais from the official list shipped in projects/data/."""

import json
from pathlib import Path

from django.db import migrations

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "communes_62.json"


def load_communes(apps, schema_editor):
    Commune = apps.get_model("projects", "Commune")
    rows = json.loads(DATA_FILE.read_text(encoding="utf-8"))["communes"]
    existing = set(Commune.objects.values_list("insee_code", flat=True))
    Commune.objects.bulk_create(
        [
            Commune(
                insee_code=row["code"],
                name=row["name"],
                postal_codes=row["postal_codes"],
                population=row["population"],
                arrondissement_code=row["arrondissement"],
                arrondissement_name=row["arrondissement_name"],
            )
            for row in rows
            if row["code"] not in existing
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]

    operations = [migrations.RunPython(load_communes, migrations.RunPython.noop)]
