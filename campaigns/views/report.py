"""The funder's report (team) and its CSV and XLSX exports."""

import tempfile
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from projects.models import Category, Project

from .. import selectors
from ..forms import PeriodForm
from ..models import Campaign, CampaignStatus
from ._common import require_team, safe_cell
from ._streaming import csv_response, gzipped


def _launched(start, end):
    return selectors.with_figures(
        Campaign.objects.launched().filter(launched_on__gte=start, launched_on__lte=end)
    )


def _report(start, end) -> dict:
    launched = _launched(start, end)
    by_partner = (
        launched.values("project__partner__name")
        .annotate(campaigns=Count("id"), collected=Sum("collected"), backers=Sum("backers"))
        .order_by("project__partner__name")
    )
    by_category = (
        launched.values("project__category")
        .annotate(campaigns=Count("id"), collected=Sum("collected"), backers=Sum("backers"))
        .order_by("project__category")
    )
    categories = dict(Category.choices)
    contacts_by_partner = dict(
        Project.objects.filter(
            created_at__gte=selectors.day_start(start),
            created_at__lt=selectors.day_start(end + timedelta(days=1)),
        )
        .values_list("partner__name")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {
        "start": start,
        "end": end,
        "figures": selectors.key_figures(start, end),
        "funnel": selectors.funnel(start, end),
        "by_partner": [
            {
                **row,
                "label": row["project__partner__name"] or _("Sans partenaire"),
                "contacts": contacts_by_partner.get(row["project__partner__name"], 0),
            }
            for row in by_partner
        ],
        "by_category": [
            {**row, "label": categories.get(row["project__category"], row["project__category"])}
            for row in by_category
        ],
        "campaigns": launched.select_related(
            "project__commune", "project__partner", "platform"
        ).order_by("launched_on", "pk"),
    }


@require_safe
@login_required
def report(request):
    require_team(request)
    period = PeriodForm(request.GET or None)
    start, end = period.period()
    context = _report(start, end)
    context["period"] = period
    context["export_query"] = f"start={start.isoformat()}&end={end.isoformat()}"
    # The page lists the latest campaigns; the exports carry them all.
    context["campaigns_shown"] = context["campaigns"].order_by("-launched_on")[:REPORT_LISTED]
    return render(request, "campaigns/report.html", context)


REPORT_LISTED = 100

REPORT_COLUMNS = [
    "Référence",
    "Projet",
    "Commune",
    "Partenaire",
    "Catégorie",
    "Plateforme",
    "Lancée le",
    "Statut",
    "Objectif (€)",
    "Collecté (€)",
    "Contributeurs",
    "Emplois créés",
    "Emplois maintenus",
]


EXPORT_FIELDS = (
    "project__reference",
    "project__title",
    "project__commune__name",
    "project__partner__name",
    "project__category",
    "platform__name",
    "launched_on",
    "status",
    "goal",
    "collected",
    "backers",
    "jobs_created",
    "jobs_kept",
)
EXPORT_CHUNK_SIZE = 500


def _report_rows(campaigns):
    """The exported campaigns as lists of values, read in chunks (plain values, no model
    instance per row; labels from dicts built once)."""
    categories = {value: str(label) for value, label in Category.choices}
    statuses = {value: str(label) for value, label in CampaignStatus.choices}
    rows = (
        campaigns.order_by("launched_on", "pk")
        .values_list(*EXPORT_FIELDS)
        .iterator(chunk_size=EXPORT_CHUNK_SIZE)
    )
    for row in rows:
        row = list(row)
        row[3] = row[3] or ""
        row[4] = categories.get(row[4], "")
        row[7] = statuses.get(row[7], row[7])
        yield row


def _text_cell(sheet, value):
    """openpyxl stores a text starting with "=" as a formula: keep every text a text."""
    if not (isinstance(value, str) and value.startswith("=")):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    return cell


def _csv_value(value):
    return safe_cell(value.isoformat() if hasattr(value, "isoformat") else value)


@require_safe
@login_required
def report_export(request, fmt: str):
    require_team(request)
    period = PeriodForm(request.GET or None)
    start, end = period.period()
    filename = f"propulsons-bilan-{start.isoformat()}-{end.isoformat()}"
    if fmt == "csv":
        # The campaigns only: the figures, the funnel and the breakdowns are the XLSX's.
        campaigns = _launched(start, end)
        rows = ([_csv_value(value) for value in row] for row in _report_rows(campaigns))
        # No secret in the file (no token, nothing echoed from the request): safe to compress.
        return gzipped(request, csv_response(REPORT_COLUMNS, rows, f"{filename}.csv"))
    if fmt != "xlsx":
        raise Http404
    context = _report(start, end)
    from openpyxl import Workbook

    # Write-only: rows go to a temporary file as they are appended, not into a tree in memory.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Chiffres clés")
    figures = context["figures"]
    sheet.append(["Période", f"du {start:%d/%m/%Y} au {end:%d/%m/%Y}"])
    sheet.append(["Campagnes lancées", figures.launched])
    sheet.append(["Citoyens contributeurs", figures.contributors])
    sheet.append(["Montant collecté (€)", float(figures.collected)])
    sheet.append(["Taux de réussite (%)", figures.success_rate])
    sheet.append(["Contribution moyenne (€)", float(figures.average_contribution or 0)])
    sheet.append([])
    sheet.append(["Entonnoir", "Nombre", "% des prises de contact"])
    for step in context["funnel"]:
        sheet.append([_text_cell(sheet, step.label), step.count, step.percent_of_first])
    partners = workbook.create_sheet("Par partenaire")
    partners.append(
        ["Partenaire", "Prises de contact", "Campagnes", "Collecté (€)", "Contributeurs"]
    )
    for row in context["by_partner"]:
        partners.append(
            [
                _text_cell(partners, str(row["label"])),
                row["contacts"],
                row["campaigns"],
                float(row["collected"] or 0),
                row["backers"] or 0,
            ]
        )
    categories = workbook.create_sheet("Par catégorie")
    categories.append(["Catégorie", "Campagnes", "Collecté (€)", "Contributeurs"])
    for row in context["by_category"]:
        categories.append(
            [
                _text_cell(categories, str(row["label"])),
                row["campaigns"],
                float(row["collected"] or 0),
                row["backers"] or 0,
            ]
        )
    campaigns = workbook.create_sheet("Campagnes")
    campaigns.append(REPORT_COLUMNS)
    for row in _report_rows(context["campaigns"]):
        campaigns.append(
            [float(v) if isinstance(v, Decimal) else _text_cell(campaigns, v) for v in row]
        )
    file = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it once sent)
    workbook.save(file)
    file.seek(0)
    response = FileResponse(
        file,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
