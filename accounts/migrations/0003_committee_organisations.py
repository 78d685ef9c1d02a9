"""The six members of the labelling committee, as described by Propulsons!.

Reference data, not demo data: production needs them too. Edited afterwards in the admin.
"""

from django.db import migrations

ORGANISATIONS = [
    {
        "slug": "conseil-departemental-62",
        "name": "Conseil départemental du Pas-de-Calais",
        "short_name": "Département",
        "description": (
            "Soutient et finance Propulsons!, né d'une réflexion du Conseil départemental de "
            "l'Économie sociale et solidaire (CDESS) du Pas-de-Calais."
        ),
        "is_prescribing_partner": False,
    },
    {
        "slug": "initiative-pas-de-calais",
        "name": "Initiative Pas-de-Calais",
        "short_name": "Initiative",
        "description": (
            "Une institution financière qui accompagne les créateurs, repreneurs et développeurs "
            "d'entreprises locales via des prêts d'honneur sans intérêt et sans garantie "
            "personnelle, une mise en réseau et du parrainage."
        ),
        "is_prescribing_partner": True,
    },
    {
        "slug": "pas-de-calais-actif",
        "name": "Pas-de-Calais Actif",
        "short_name": "France Active",
        "description": (
            "Le représentant du réseau France Active dans le Pas-de-Calais, qui accompagne, met en "
            "réseau et finance les entrepreneurs qui s'engagent sur leur territoire via les "
            "financements les plus adaptés à leur projet."
        ),
        "is_prescribing_partner": True,
    },
    {
        "slug": "cigales",
        "name": "Les Cigales du Pas-de-Calais",
        "short_name": "Cigales",
        "description": (
            "Des clubs d'investisseurs citoyens, visant à investir pendant 5 ans dans des projets "
            "d'intérêt social et/ou environnemental, à l'échelle locale."
        ),
        "is_prescribing_partner": True,
    },
    {
        "slug": "caisse-solidaire",
        "name": "Caisse solidaire",
        "short_name": "Caisse solidaire",
        "description": (
            "Un établissement de crédit spécialisé agréé « entreprise solidaire d'utilité "
            "sociale » ayant pour mission de faciliter le financement des TPE/PME."
        ),
        "is_prescribing_partner": True,
    },
    {
        "slug": "autonomie-et-solidarite",
        "name": "Autonomie et Solidarité",
        "short_name": "Autonomie et Solidarité",
        "description": (
            "Une société anonyme qui investit ou propose des prêts dans des entreprises souhaitant "
            "créer des emplois, ou proposer des produits à impact positif d'un point de vue "
            "social et/ou environnemental."
        ),
        "is_prescribing_partner": True,
    },
]


def create_organisations(apps, schema_editor):
    Organisation = apps.get_model("accounts", "Organisation")
    for order, data in enumerate(ORGANISATIONS):
        Organisation.objects.update_or_create(
            slug=data["slug"],
            defaults={**data, "is_committee_member": True, "display_order": order},
        )


def delete_organisations(apps, schema_editor):
    slugs = [data["slug"] for data in ORGANISATIONS]
    apps.get_model("accounts", "Organisation").objects.filter(slug__in=slugs).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_roles")]

    operations = [migrations.RunPython(create_organisations, delete_organisations)]
