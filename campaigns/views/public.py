"""Public pages: the catalogue, a project's page, the map and the key figures."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404
from django.shortcuts import render
from django.utils.html import format_html_join
from django.utils.text import Truncator
from django.views.decorators.http import require_safe

from projects.models import Commune
from propulsons.public_cache import public_page
from propulsons.search import words_filter

from .. import charts, covers, selectors, sharing, videos
from .. import presentation as presentation_registry
from ..forms import CatalogueFilterForm, PeriodForm
from ..models import CampaignFinancing
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
    projects = selectors.public_projects()
    published_communes = Commune.objects.filter(pk__in=projects.values("commune_id")).order_by(
        "name"
    )
    arrondissements = (
        published_communes.values_list("arrondissement_code", "arrondissement_name")
        .distinct()
        .order_by("arrondissement_name")
    )
    filters = CatalogueFilterForm(request.GET or None, arrondissements=list(arrondissements))
    if filters.is_valid():
        data = filters.cleaned_data
        if data["q"]:
            projects = projects.filter(
                words_filter(data["q"], ["title", "summary", "structure_name", "commune__name"])
            )
        if data["commune"]:
            projects = projects.filter(commune__name__iexact=data["commune"].strip())
        if data["arrondissement"]:
            projects = projects.filter(commune__arrondissement_code=data["arrondissement"])
        if data["category"]:
            projects = projects.filter(category=data["category"])
        if data["financing"]:
            projects = projects.filter(campaign_financing=data["financing"])
        if data["platform"]:
            projects = projects.filter(campaign_platform_slug=data["platform"].slug)
        projects = selectors.filter_public_status(projects, data["status"])
        order = {
            "title": ["title"],
            "collected": [F("campaign_collected").desc(nulls_last=True), "title"],
            "ending": [F("campaign_ends_on").asc(nulls_last=True), "title"],
        }.get(data["sort"], ["-labelled_on", "title"])
    else:
        order = ["-labelled_on", "title"]
    page = Paginator(projects.order_by(*order), PAGE_SIZE).get_page(request.GET.get("page"))
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
            # The suggestions of the commune filter, one per published commune (hundreds of
            # them at scale): joined in Python, not by a template loop (~15 µs per option).
            "commune_options": format_html_join(
                "",
                '<option value="{}"></option>',
                ((name,) for name in published_communes.values_list("name", flat=True)),
            ),
            # A folded filter in use would hide why the list is short: they stay open then.
            "filters_in_use": any(
                request.GET.get(name) for name in FOLDED_FILTERS if name in filters.fields
            )
            or bool(filters.errors),
        },
    )


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
        "rows": points,
    }


@require_safe
@public_page
def project_map(request):
    # The markers come from /carte/points.json (views/map_data.py); the page keeps the list as
    # a table (the map's text alternative, and what works without JavaScript), a page of
    # MAP_TABLE_PAGE projects at a time so that the HTML does not grow with the catalogue.
    page = Paginator(selectors.map_values(), MAP_TABLE_PAGE).get_page(request.GET.get("page"))
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
    years = selectors.figures_per_year()
    arrondissements = selectors.figures_per_arrondissement(start, end)
    return render(
        request,
        "campaigns/figures.html",
        {
            "all_time": selectors.key_figures(),
            "years": years,
            "collected_per_year": charts.collected_per_year(years),
            "launched_per_year": charts.launched_per_year(years),
            "period_figures": selectors.key_figures(start, end),
            "funnel": selectors.funnel(start, end),
            "arrondissements": arrondissements,
            "arrondissement_chart": charts.collected_per_arrondissement(arrondissements),
            "period": period,
            "chosen": chosen,
            "start": start,
            "end": end,
        },
    )
