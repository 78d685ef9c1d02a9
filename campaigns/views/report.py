"""The funder's report (team) and its CSV and XLSX exports."""

import hashlib
import io
from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from xlsxwriter import Workbook
from xlsxwriter.worksheet import Worksheet

from projects.models import Category, Project
from propulsons.public_cache import code_version

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


XLSX_OPTIONS = {
    # Every text stays a text: a porteur's title "=HYPERLINK(…)" must not become a live formula
    # (formula injection), nor an address a link, nor digits a number.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    # Each sheet's rows go to a temporary file as they are written: one row in memory at a time.
    "constant_memory": True,
    # The dates' format of the export written by openpyxl before: the same cells for the funder.
    "default_date_format": "yyyy-mm-dd",
}
# Column widths in characters, for the longest values usually met.
FIGURES_WIDTHS = (30, 28, 24)
PARTNERS_WIDTHS = (36, 18, 12, 14, 14)
CATEGORIES_WIDTHS = (30, 12, 14, 14)
CAMPAIGNS_WIDTHS = (14, 40, 24, 28, 26, 16, 12, 14, 13, 13, 14, 14, 18)


def _rich_text_markup_kept_as_text(sheet: Worksheet, row: int, col: int, text: str, *args):
    """XlsxWriter copies a text shaped like its own rich-text markup ("<r>…</r>") into the file
    as XML, unescaped: a porteur's title could slip a live formula into the sheet that way.
    Such a text is written as a rich string of plain runs, each escaped; any other text goes
    the usual way (None)."""
    if not (text.startswith("<r>") and text.endswith("</r>")):
        return None
    # write_rich_string wants more than two pieces; "<r></r>" has seven characters at least.
    return sheet.write_rich_string(row, col, text[:1], text[1:2], text[2:], *filter(None, args))


def _sheet(workbook: Workbook, name: str, header: list[str], widths: tuple[int, ...], bold):
    sheet = workbook.add_worksheet(name)
    sheet.add_write_handler(str, _rich_text_markup_kept_as_text)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    if header:
        sheet.write_row(0, 0, header, bold)
    return sheet


def _summary_sheets(start: date, end: date, context: dict) -> list[tuple]:
    """The three short sheets (key figures and funnel, by partner, by category) as
    (title, header, widths, rows), a row being its cells' values or (values, bold)."""
    figures = context["figures"]
    key_figures = [
        ["Période", f"du {start:%d/%m/%Y} au {end:%d/%m/%Y}"],
        ["Campagnes lancées", figures.launched],
        ["Citoyens contributeurs", figures.contributors],
        ["Montant collecté (€)", figures.collected],
        ["Taux de réussite (%)", figures.success_rate],
        ["Contribution moyenne (€)", figures.average_contribution or 0],
        [],
        (["Entonnoir", "Nombre", "% des prises de contact"], True),
        *([str(step.label), step.count, step.percent_of_first] for step in context["funnel"]),
    ]

    def breakdown(groups, before_campaigns: tuple[str, ...]) -> list[list]:
        return [
            [
                str(group["label"]),
                *(group[name] for name in before_campaigns),
                group["campaigns"],
                group["collected"] or 0,
                group["backers"] or 0,
            ]
            for group in groups
        ]

    return [
        ("Chiffres clés", [], FIGURES_WIDTHS, key_figures),
        (
            "Par partenaire",
            ["Partenaire", "Prises de contact", "Campagnes", "Collecté (€)", "Contributeurs"],
            PARTNERS_WIDTHS,
            breakdown(context["by_partner"], ("contacts",)),
        ),
        (
            "Par catégorie",
            ["Catégorie", "Campagnes", "Collecté (€)", "Contributeurs"],
            CATEGORIES_WIDTHS,
            breakdown(context["by_category"], ()),
        ),
    ]


def _write_report_xlsx(file, summary: list[tuple], campaigns) -> None:
    """The report in four sheets: the summary's three, then the campaigns. Numbers are
    written as numbers and dates as dates."""
    # Closed on the way out even after an error: constant_memory's temporary files are removed.
    with Workbook(file, XLSX_OPTIONS) as workbook:
        bold = workbook.add_format({"bold": True})
        for title, header, widths, rows in summary:
            sheet = _sheet(workbook, title, header, widths, bold)
            for row, values in enumerate(rows, start=1 if header else 0):
                values, in_bold = values if isinstance(values, tuple) else (values, False)
                sheet.write_row(row, 0, values, bold if in_bold else None)
        sheet = _sheet(workbook, "Campagnes", REPORT_COLUMNS, CAMPAIGNS_WIDTHS, bold)
        for row, values in enumerate(_report_rows(campaigns), start=1):
            sheet.write_row(row, 0, values)


# How long a built spreadsheet is kept. Its key is a digest of every value it holds, so a
# kept file is never stale: this only bounds the room old files take in the cache.
XLSX_KEPT_SECONDS = 24 * 3600
# A larger file is built at each request rather than held in the cache.
XLSX_KEPT_MAX_BYTES = 8 * 1024 * 1024


def _xlsx_key(summary: list[tuple], campaigns) -> str:
    """A digest of everything the file would hold: the summary's values, then every
    campaign's row as the export reads it (a second read of the rows, in chunks, costs a few
    µs a row against about 60 µs to write one), the language and the deployed code. Any
    change of a value, however it was made (a service, the admin, a fix in SQL), gives
    another key: a file is built again exactly when what it would show changed."""
    digest = hashlib.sha256(f"{code_version()}:{get_language()}:{summary!r}".encode())
    for row in _report_rows(campaigns):
        digest.update(repr(row).encode())
    return f"report-xlsx:{digest.hexdigest()}"


def _report_xlsx(start: date, end: date, context: dict) -> bytes:
    """The spreadsheet's bytes: the copy kept for the same values, else built (XlsxWriter
    costs some 60 µs of CPU a campaign, the bulk of the export) and kept."""
    summary = _summary_sheets(start, end, context)
    key = _xlsx_key(summary, context["campaigns"])
    content = cache.get(key)
    if content is None:
        file = io.BytesIO()
        _write_report_xlsx(file, summary, context["campaigns"])
        content = file.getvalue()
        if len(content) <= XLSX_KEPT_MAX_BYTES:
            cache.set(key, content, XLSX_KEPT_SECONDS)
    return content


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
    response = HttpResponse(
        _report_xlsx(start, end, _report(start, end)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
