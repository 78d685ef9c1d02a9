"""Open data: the labelled projects as a page, a CSV file and a JSON file."""

import csv
from decimal import Decimal

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from .. import selectors
from ..models import CampaignStatus
from ._common import safe_cell

OPEN_DATA_COLUMNS = [
    ("reference", "Référence du dossier"),
    ("titre", "Titre du projet"),
    ("structure", "Structure qui porte le projet"),
    ("commune", "Commune"),
    ("code_insee", "Code INSEE de la commune"),
    ("categorie", "Catégorie"),
    ("numero_label", "Numéro de label Propulsons!"),
    ("date_label", "Date de labellisation (AAAA-MM-JJ)"),
    ("plateforme", "Plateforme de la dernière campagne"),
    ("type_financement", "Type de financement de la campagne"),
    ("statut_campagne", "Statut de la campagne"),
    ("objectif_eur", "Objectif de collecte, en euros"),
    ("collecte_eur", "Montant collecté (final, ou dernier relevé), en euros"),
    ("contributeurs", "Nombre de contributeurs"),
    ("debut_campagne", "Début de la campagne"),
    ("fin_campagne", "Fin de la campagne"),
    ("url_page", "Page du projet sur le site de Propulsons!"),
]


def _euros(value) -> str:
    return "" if value is None else f"{Decimal(value):.2f}"


def _open_data_rows(request):
    rows = []
    campaign_status = dict(CampaignStatus.choices)
    for project in selectors.public_projects().order_by("labelled_on", "title"):
        rows.append(
            {
                "reference": project.reference,
                "titre": project.title,
                "structure": project.structure_name,
                "commune": project.commune.name,
                "code_insee": project.commune.insee_code,
                "categorie": project.get_category_display(),
                "numero_label": project.label_number,
                "date_label": project.labelled_on.isoformat() if project.labelled_on else "",
                "plateforme": project.campaign_platform or "",
                "type_financement": project.campaign_financing or "",
                "statut_campagne": str(campaign_status.get(project.campaign_status, "")),
                "objectif_eur": _euros(project.campaign_goal),
                "collecte_eur": _euros(project.campaign_collected),
                "contributeurs": project.campaign_backers
                if project.campaign_backers is not None
                else "",
                "debut_campagne": project.campaign_starts_on.isoformat()
                if project.campaign_starts_on
                else "",
                "fin_campagne": project.campaign_ends_on.isoformat()
                if project.campaign_ends_on
                else "",
                "url_page": request.build_absolute_uri(
                    reverse("campaigns:project_page", args=[project.slug])
                ),
            }
        )
    return rows


@require_safe
def open_data(request):
    return render(request, "campaigns/open_data.html", {"columns": OPEN_DATA_COLUMNS})


@require_safe
def open_data_csv(request):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="propulsons-projets-labellises.csv"'
    response.write("\ufeff")  # so that spreadsheet software reads the accents right
    writer = csv.DictWriter(
        response, fieldnames=[name for name, _ in OPEN_DATA_COLUMNS], delimiter=";"
    )
    writer.writeheader()
    for row in _open_data_rows(request):
        writer.writerow({key: safe_cell(value) for key, value in row.items()})
    return response


@require_safe
def open_data_json(request):
    return JsonResponse(
        {
            "licence": "Licence Ouverte / Open Licence version 2.0 (Etalab)",
            "producteur": "Propulsons! — label de financement participatif du Pas-de-Calais",
            "genere_le": timezone.now().isoformat(),
            "colonnes": dict(OPEN_DATA_COLUMNS),
            "projets": _open_data_rows(request),
        },
        json_dumps_params={"ensure_ascii": False, "indent": 1},
    )
