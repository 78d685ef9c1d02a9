"""Open data: the labelled projects as a page, a CSV file, a JSON file and their Table Schema."""

import json

from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

from .. import opendata
from ._common import safe_cell
from ._streaming import csv_response

JSON_OPTIONS = {"ensure_ascii": False, "indent": 1}
# One project per line, no spaces: the listing is long, its lines short.
ROW_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _rows(request):
    # One reverse() and one absolute address for the whole listing.
    pattern = request.build_absolute_uri(reverse("campaigns:project_page", args=["SLUG"]))
    return opendata.rows(page_url_pattern=pattern)


@require_safe
def open_data(request):
    return render(request, "campaigns/open_data.html", {"columns": opendata.COLUMNS})


# Public data, no secret in the response: compressing it gives BREACH nothing to guess.
@gzip_page
@require_safe
def open_data_csv(request):
    names = [column.name for column in opendata.COLUMNS]
    as_csv, safe = opendata.as_csv_value, safe_cell
    rows = ([safe(as_csv(row[name])) for name in names] for row in _rows(request))
    return csv_response(names, rows, "propulsons-projets-labellises.csv")


def _json_document(request):
    head = {
        "licence": "Licence Ouverte / Open Licence version 2.0 (Etalab)",
        "producteur": "Propulsons! — label de financement participatif du Pas-de-Calais",
        "genere_le": timezone.now().isoformat(),
        "schema": request.build_absolute_uri(reverse("campaigns:open_data_schema")),
        "colonnes": {column.name: column.title for column in opendata.COLUMNS},
    }
    yield json.dumps(head, **JSON_OPTIONS)[:-2] + ',\n "projets": ['
    as_json, encode = opendata.as_json_value, ROW_JSON.encode
    separator = "\n"
    for row in _rows(request):
        yield separator + encode({key: as_json(value) for key, value in row.items()})
        separator = ",\n"
    yield "\n]\n}\n"


@gzip_page
@require_safe
def open_data_json(request):
    return StreamingHttpResponse(_json_document(request), content_type="application/json")


@require_safe
def open_data_schema(request):
    return JsonResponse(opendata.table_schema(), json_dumps_params=JSON_OPTIONS)
