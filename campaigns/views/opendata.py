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
from ._streaming import csv_response, in_pieces

JSON_OPTIONS = {"ensure_ascii": False, "indent": 1}
# One project per line, no spaces: the listing is long, its lines short.
ROW_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _values(request):
    # One reverse() and one absolute address for the whole listing.
    pattern = request.build_absolute_uri(reverse("campaigns:project_page", args=["SLUG"]))
    return opendata.values(page_url_pattern=pattern)


def _positions(column_type: str) -> list[int]:
    return [index for index, column in enumerate(opendata.COLUMNS) if column.type == column_type]


@require_safe
def open_data(request):
    return render(request, "campaigns/open_data.html", {"columns": opendata.COLUMNS})


# Public data, no secret in the response: compressing it gives BREACH nothing to guess.
@gzip_page
@require_safe
def open_data_csv(request):
    # csv.writer writes None as "" and the rest with str() (a date as AAAA-MM-JJ, a Decimal
    # with its point); only text can start a formula (safe_cell), so only text is looked at.
    texts = _positions("string")

    def lines():
        for values in _values(request):
            row = list(values)
            for index in texts:
                row[index] = safe_cell(row[index])
            yield row

    return csv_response(list(opendata.NAMES), lines(), "propulsons-projets-labellises.csv")


def _json_document(request):
    head = {
        "licence": "Licence Ouverte / Open Licence version 2.0 (Etalab)",
        "producteur": "Propulsons! — label de financement participatif du Pas-de-Calais",
        "genere_le": timezone.now().isoformat(),
        "schema": request.build_absolute_uri(reverse("campaigns:open_data_schema")),
        "colonnes": {column.name: column.title for column in opendata.COLUMNS},
    }
    yield json.dumps(head, **JSON_OPTIONS)[:-2] + ',\n "projets": ['
    # Converted column by column (only dates and decimals need it), not value by value.
    dates, numbers, names = _positions("date"), _positions("number"), opendata.NAMES
    as_json, encode = opendata.as_json_value, ROW_JSON.encode
    separator = "\n"
    for values in _values(request):
        row = list(values)
        for index in dates:
            if row[index] is not None:
                row[index] = row[index].isoformat()
        for index in numbers:
            row[index] = as_json(row[index])
        yield separator + encode(dict(zip(names, row, strict=True)))
        separator = ",\n"
    yield "\n]\n}\n"


@gzip_page
@require_safe
def open_data_json(request):
    return StreamingHttpResponse(
        in_pieces(_json_document(request)), content_type="application/json"
    )


@require_safe
def open_data_schema(request):
    return JsonResponse(opendata.table_schema(), json_dumps_params=JSON_OPTIONS)
