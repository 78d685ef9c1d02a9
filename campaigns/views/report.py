"""The funder's report (team) and its CSV and XLSX exports."""

import csv
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from projects.models import Category, Project

from .. import selectors
from ..forms import PeriodForm
from ..models import Campaign
from ._common import require_team, safe_cell


def _report(start, end) -> dict:
    launched = selectors.with_figures(
        Campaign.objects.launched().filter(launched_on__gte=start, launched_on__lte=end)
    )
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
        ).order_by("launched_on"),
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


def _report_rows(context):
    categories = dict(Category.choices)
    for campaign in context["campaigns"]:
        yield [
            campaign.project.reference,
            campaign.project.title,
            campaign.project.commune.name,
            str(campaign.project.partner or ""),
            str(categories.get(campaign.project.category, "")),
            campaign.platform.name,
            campaign.launched_on,
            campaign.get_status_display(),
            campaign.goal,
            campaign.collected,
            campaign.backers,
            campaign.jobs_created,
            campaign.jobs_kept,
        ]


@require_safe
@login_required
def report_export(request, fmt: str):
    require_team(request)
    period = PeriodForm(request.GET or None)
    start, end = period.period()
    context = _report(start, end)
    filename = f"propulsons-bilan-{start.isoformat()}-{end.isoformat()}"
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        response.write("\ufeff")
        writer = csv.writer(response, delimiter=";")
        writer.writerow(REPORT_COLUMNS)
        for row in _report_rows(context):
            writer.writerow(
                [safe_cell(v.isoformat() if hasattr(v, "isoformat") else v) for v in row]
            )
        return response
    if fmt != "xlsx":
        raise Http404
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Chiffres clés"
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
        sheet.append([step.label, step.count, step.percent_of_first])
    partners = workbook.create_sheet("Par partenaire")
    partners.append(
        ["Partenaire", "Prises de contact", "Campagnes", "Collecté (€)", "Contributeurs"]
    )
    for row in context["by_partner"]:
        partners.append(
            [
                str(row["label"]),
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
            [str(row["label"]), row["campaigns"], float(row["collected"] or 0), row["backers"] or 0]
        )
    campaigns = workbook.create_sheet("Campagnes")
    campaigns.append(REPORT_COLUMNS)
    for row in _report_rows(context):
        campaigns.append([float(v) if isinstance(v, Decimal) else v for v in row])
    # openpyxl stores a text starting with "=" as a formula: keep every text a text.
    for sheet_ in workbook.worksheets:
        for cells in sheet_.iter_rows():
            for cell in cells:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
