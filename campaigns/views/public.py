"""Public pages: the catalogue, a project's page, the map and the key figures."""

import html
from datetime import date

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import formats
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.views.decorators.http import require_safe

from projects.models import Commune, Project
from propulsons import public_cache, typography
from propulsons.pagination import CountedPaginator
from propulsons.public_cache import public_page
from propulsons.search import SearchTerms, words_filter

from .. import charts, covers, selectors, sharing, videos
from .. import presentation as presentation_registry
from ..forms import CatalogueFilterForm, PeriodForm
from ..models import CampaignFinancing, Platform
from ..selectors import with_progress
from . import map_data

PAGE_SIZE = 12
# The filters a phone folds behind "Plus de filtres" (the search box stays).
FOLDED_FILTERS = [
    "commune",
    "arrondissement",
    "category",
    "status",
    "financing",
    "platform",
    "sort",
]


@require_safe
@public_page
def catalogue(request):
    # The filters apply to the published projects without the annotations (matching): the
    # page's count, and the communes and arrondissements that have projects, are then read
    # from the catalogue's partial indexes, not through the campaign and platform joins.
    published = matching = Project.objects.published()
    choices = public_cache.versioned_data("catalogue-choices", _catalogue_choices)
    published_communes = choices["communes"]
    arrondissements = sorted(
        {(code, name) for _pk, _name, code, name in published_communes},
        key=lambda item: item[1],
    )
    filters = CatalogueFilterForm(
        request.GET or None, arrondissements=arrondissements, platforms=choices["platforms"]
    )
    if filters.is_valid():
        data = filters.cleaned_data
        if data["q"]:
            matching = matching.filter(_search(data["q"], published_communes))
        if data["commune"]:
            matching = matching.filter(commune__name__iexact=data["commune"].strip())
        if data["arrondissement"]:
            matching = matching.filter(commune__arrondissement_code=data["arrondissement"])
        if data["category"]:
            matching = matching.filter(category=data["category"])
        if data["financing"]:
            matching = matching.filter(current_campaign__financing_type=data["financing"])
        if data["platform"]:
            matching = matching.filter(current_campaign__platform_id=data["platform"].pk)
        matching = selectors.filter_public_status(matching, data["status"])
        order = {
            "title": ["title"],
            "collected": [F("campaign_collected").desc(nulls_last=True), "title"],
            "ending": [F("campaign_ends_on").asc(nulls_last=True), "title"],
        }.get(data["sort"], ["-labelled_on", "title"])
    else:
        order = ["-labelled_on", "title"]
    projects = selectors.public_projects(matching).order_by(*order)
    page = CountedPaginator(
        projects,
        PAGE_SIZE,
        counted=selectors.published_count() if matching is published else matching,
    ).get_page(request.GET.get("page"))
    for project in page:
        with_progress(project)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "campaigns/catalogue.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            # Safe: written from escaped names (_catalogue_choices).
            "commune_options": SafeString(choices["commune_options"]),
            # A folded filter in use would hide why the list is short: they stay open then.
            "filters_in_use": any(
                request.GET.get(name) for name in FOLDED_FILTERS if name in filters.fields
            )
            or bool(filters.errors),
        },
    )


def _catalogue_choices() -> dict:
    """What the catalogue's filters offer: the same for every page of the catalogue until the
    public content changes, so read once per content version (public_cache.
    versioned_data) rather than at every page rendered (with the unfiltered total, read
    the same way, two thirds of the page's SQL at 50 000 dossiers: a probe of the partial
    index per commune, and a count of the published projects).

    - communes: those with published projects, with their arrondissements (pk, name,
      arrondissement code and name), by name, and commune_options, their <option>s;
    - platforms: every platform (slug, name), in the platforms' order, as the platform
      filter (a ModelChoiceField) listed them."""
    published = Project.objects.published()
    communes = list(
        Commune.objects.filter(Exists(published.filter(commune=OuterRef("pk"))))
        .order_by("name")
        .values_list("pk", "name", "arrondissement_code", "arrondissement_name")
    )
    return {
        "communes": communes,
        # The suggestions of the commune filter, one per published commune (800 of them at
        # scale), written once: joined in Python, not by a template loop (~15 µs per option),
        # each name escaped by html.escape as Django's escape() does, without format_html's
        # per-value wrapping (4 µs per option).
        "commune_options": "".join(
            [f'<option value="{html.escape(name)}"></option>' for _pk, name, *_rest in communes]
        ),
        "platforms": list(Platform.objects.values_list("slug", "name")),
    }


def _search(terms: SearchTerms, communes: list[tuple]) -> Q:
    """Every word in the title, the summary, the structure's name or the commune's name.

    The communes a word names are found here, among the communes with published projects
    the page has read anyway, so that the condition stays on the project's own columns:
    PostgreSQL then combines the trigram indexes of the published projects' texts (projects
    migration 0019) with the commune index, instead of reading every published project to
    match its text and its commune (an OR across a join)."""
    condition = Q()
    for word in terms.words:
        # UPPER(…) LIKE UPPER(…), as icontains on PostgreSQL.
        named = [pk for pk, name, *_rest in communes if word.upper() in name.upper()]
        condition &= words_filter(
            SearchTerms(words=(word,)), ["title", "summary", "structure_name"]
        ) | Q(commune_id__in=named)
    return condition


@require_safe
@public_page
def project_page(request, slug: str):
    project = selectors.public_project(slug)
    if project is None:
        raise Http404
    with_progress(project)
    presentation = getattr(project, "presentation", None)
    cover = covers.cover_context(project.slug, presentation)
    page_url = settings.SITE_URL + request.path
    description = Truncator(project.summary or project.description).chars(200)
    return render(
        request,
        "campaigns/project_page.html",
        {
            "project": project,
            "curve": _collection_curve(project),
            "cover": cover,
            "video": videos.parse(presentation.video_url)
            if presentation and presentation.video_url
            else None,
            "rewards": presentation_registry.project_rewards(project.pk),
            "financing_label": CampaignFinancing(project.campaign_financing).label
            if project.campaign_financing in CampaignFinancing.values
            else "",
            "carried_by": presentation_registry.carried_by(
                project.structure_name, project.legal_form
            ),
            "news": selectors.project_news(project.pk),
            "page_url": page_url,
            "meta_description": description,
            "og_image": settings.SITE_URL + cover["social"] if cover else "",
            "share_links": sharing.share_links(
                url=page_url, title=project.title, text=project.summary
            ),
        },
    )


def _collection_curve(project):
    """The campaign's checked figures over time, and its final result once it ended."""
    if not project.current_campaign_id or not project.campaign_starts_on:
        return None
    points = selectors.collection_curve(project.current_campaign_id)
    if project.campaign_status in ("succeeded", "failed", "cancelled") and project.campaign_ends_on:
        points.append(
            (project.campaign_ends_on, project.campaign_collected, project.campaign_backers)
        )
    if not points:
        return None
    return {
        "chart": charts.collection_curve(
            points=points,
            starts_on=project.campaign_starts_on,
            ends_on=project.campaign_ends_on or points[-1][0],
            goal=project.campaign_goal,
        ),
        "rows": _curve_table_rows(points),
    }


def _curve_table_rows(points: list[tuple]) -> SafeString:
    """The rows of the table under the curve, one per checked figure (50 on a two-month
    campaign): written here with the filters' own functions (day, euros, and the number as
    {{ }} localises it) rather than by a template loop, three filters a row, that was a third
    of the page's time. Safe: every value escaped."""
    return SafeString(
        "".join(
            [
                f"<tr><td>{html.escape(typography.day(day))}</td>"
                f'<td class="text-end">{html.escape(typography.euros(amount))}</td>'
                f'<td class="text-end">{html.escape(str(formats.localize(backers)))}</td></tr>'
                for day, amount, backers in points
            ]
        )
    )


@require_safe
@public_page
def project_map(request):
    # The markers come from /carte/points.json (views/map_data.py); the page keeps the list as
    # a table (the map's text alternative, and what works without JavaScript), a page of
    # MAP_TABLE_PAGE projects at a time so that the HTML does not grow with the catalogue.
    # The table's total and the legend's counts are read once per public content version.
    page = CountedPaginator(
        selectors.map_values(), MAP_TABLE_PAGE, counted=selectors.published_count()
    ).get_page(request.GET.get("page"))
    counts = selectors.map_legend_counts()
    legend = [
        {"status": status, "label": label, "count": counts[status]}
        for status, label in selectors.MapStatus.CHOICES
    ]
    return render(
        request,
        "campaigns/map.html",
        {
            "projects": list(map_data.decorated(selectors.map_rows(page.object_list))),
            "page": page,
            "legend": legend,
        },
    )


MAP_TABLE_PAGE = 100


@require_safe
@public_page
def figures(request):
    period = PeriodForm(request.GET or None)
    chosen = period.chosen()
    start, end = chosen.start, chosen.end
    return render(
        request,
        "campaigns/figures.html",
        {
            **public_cache.versioned_data(
                "figures", lambda: _figures(start, end), start.isoformat(), end.isoformat()
            ),
            "period": period,
            "chosen": chosen,
            "start": start,
            "end": end,
        },
    )


def _figures(start: date, end: date) -> dict:
    """The page's figures and charts, rendered: the same for every visitor choosing this
    period until the public content changes (every service that changes a campaign's figures
    or a dossier's status raises its version), so a page rendered afresh costs a cache read
    and its shell, not the aggregates over every campaign and status change nor the ~100 rows
    of charts and tables drawn by the template engine. The part since the start, the same
    for every period, is kept apart: a period not seen yet costs only its own queries."""
    arrondissements = selectors.figures_per_arrondissement(start, end)
    return {
        "all_time_html": public_cache.versioned_data("figures-all-time", _figures_all_time),
        "period_html": render_to_string(
            "campaigns/_figures_period.html",
            {
                "start": start,
                "end": end,
                "period_figures": selectors.key_figures(start, end),
                "funnel": selectors.funnel(start, end),
                "arrondissements": arrondissements,
                "arrondissement_chart": charts.collected_per_arrondissement(arrondissements),
            },
        ),
    }


def _figures_all_time() -> SafeString:
    all_time, years = selectors.figures_all_time()
    return render_to_string(
        "campaigns/_figures_all_time.html",
        {
            "all_time": all_time,
            "years": years,
            "collected_per_year": charts.collected_per_year(years),
            "launched_per_year": charts.launched_per_year(years),
        },
    )
