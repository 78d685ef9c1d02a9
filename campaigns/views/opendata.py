"""Open data: the labelled projects as a page, a CSV file, a JSON file and their Table Schema."""

import csv

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from .. import opendata
from ._common import safe_cell

JSON_OPTIONS = {"ensure_ascii": False, "indent": 1}


def _rows(request):
    def page_url(slug: str) -> str:
        return request.build_absolute_uri(reverse("campaigns:project_page", args=[slug]))

    return opendata.rows(page_url=page_url)


@require_safe
def open_data(request):
    return render(request, "campaigns/open_data.html", {"columns": opendata.COLUMNS})


@require_safe
def open_data_csv(request):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="propulsons-projets-labellises.csv"'
    response.write("\ufeff")  # so that spreadsheet software reads the accents right
    writer = csv.DictWriter(
        response, fieldnames=[column.name for column in opendata.COLUMNS], delimiter=";"
    )
    writer.writeheader()
    for row in _rows(request):
        writer.writerow(
            {key: safe_cell(opendata.as_csv_value(value)) for key, value in row.items()}
        )
    return response


@require_safe
def open_data_json(request):
    return JsonResponse(
        {
            "licence": "Licence Ouverte / Open Licence version 2.0 (Etalab)",
            "producteur": "Propulsons! — label de financement participatif du Pas-de-Calais",
            "genere_le": timezone.now().isoformat(),
            "schema": request.build_absolute_uri(reverse("campaigns:open_data_schema")),
            "colonnes": {column.name: column.title for column in opendata.COLUMNS},
            "projets": [
                {key: opendata.as_json_value(value) for key, value in row.items()}
                for row in _rows(request)
            ],
        },
        json_dumps_params=JSON_OPTIONS,
    )


@require_safe
def open_data_schema(request):
    return JsonResponse(opendata.table_schema(), json_dumps_params=JSON_OPTIONS)
