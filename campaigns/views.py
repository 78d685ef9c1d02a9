import csv
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Sum
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.services import ServiceRefused
from accounts.submitted_forms import submit_once
from projects.models import Category, Commune, Project, Status
from projects.permissions import can_manage_projects
from propulsons.search import words_filter

from . import selectors, services
from .forms import (
    CampaignForm,
    CatalogueFilterForm,
    FinishForm,
    FollowUpForm,
    MapPlacementForm,
    PeriodForm,
    SnapshotForm,
)
from .models import Campaign, CampaignStatus, FigureSnapshot, FigureSource

PAGE_SIZE = 12


def _with_progress(project: Project) -> Project:
    """Figures the catalogue and the project page print as text (and draw as a bar)."""
    goal, collected = project.campaign_goal, project.campaign_collected
    project.progress = (
        min(round(100 * collected / goal), 999) if goal and collected is not None else None
    )
    project.progress_bar = min(project.progress or 0, 100)
    ends_on = project.campaign_ends_on
    project.days_left = (
        (ends_on - timezone.localdate()).days
        if ends_on and project.campaign_status == CampaignStatus.RUNNING
        else None
    )
    return project


# --- Public pages ---------------------------------------------------------------------------


@require_safe
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
        _with_progress(project)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "campaigns/catalogue.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "commune_names": published_communes.values_list("name", flat=True),
        },
    )


@require_safe
def project_page(request, slug: str):
    project = get_object_or_404(selectors.public_projects().select_related("partner"), slug=slug)
    _with_progress(project)
    return render(request, "campaigns/project_page.html", {"project": project})


@require_safe
def project_map(request):
    rows = selectors.map_rows()
    # One reverse() for the whole list: the map lists every published project.
    pattern = reverse("campaigns:project_page", args=["SLUG"])
    for row in rows:
        row["url"] = pattern.replace("SLUG", row["slug"])
    points = [
        {key: row[key] for key in ("title", "commune", "url", "lat", "lng")}
        for row in rows
        if row["lat"] is not None
    ]
    return render(request, "campaigns/map.html", {"projects": rows, "points": points})


@require_safe
def figures(request):
    period = PeriodForm(request.GET or None)
    start, end = period.period()
    return render(
        request,
        "campaigns/figures.html",
        {
            "all_time": selectors.key_figures(),
            "period_figures": selectors.key_figures(start, end),
            "funnel": selectors.funnel(start, end),
            "period": period,
            "start": start,
            "end": end,
        },
    )


# --- Open data ----------------------------------------------------------------------------

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


# Spreadsheets run a cell that starts with one of these as a formula (CSV/formula injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    """A value safe to open in a spreadsheet: text that would start a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


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
        writer.writerow({key: _cell(value) for key, value in row.items()})
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


# --- The funder's report (staff) ------------------------------------------------------------


def _require_team(request) -> None:
    if not can_manage_projects(request.user):
        raise PermissionDenied


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
    _require_team(request)
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
        ]


@require_safe
@login_required
def report_export(request, fmt: str):
    _require_team(request)
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
            writer.writerow([_cell(v.isoformat() if hasattr(v, "isoformat") else v) for v in row])
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


# --- Managing a dossier's campaign (team; figures also by the porteur) -------------------------


def _project(reference: str) -> Project:
    return get_object_or_404(Project.objects.select_related("commune"), reference=reference)


def _back_to_dossier(project: Project):
    return redirect(reverse("projects:team_project", args=[project.reference]) + "#campagne")


@require_http_methods(["GET", "POST"])
@login_required
def campaign_edit(request, reference: str):
    """Prepare the campaign of a labelled dossier, or edit it while it is not finished."""
    _require_team(request)
    project = _project(reference)
    campaign = (
        project.campaigns.exclude(status=CampaignStatus.CANCELLED, launched_on__isnull=True)
        .order_by("-id")
        .first()
    )
    if campaign is not None and campaign.is_finished:
        campaign = None
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        back = _back_to_dossier(project).url

        def save() -> str:
            if campaign is None:
                services.campaign_create(project=project, actor=request.user, **form.cleaned_data)
            else:
                services.campaign_update(campaign=campaign, actor=request.user, **form.cleaned_data)
            messages.success(request, _("La campagne est enregistrée."))
            return back

        try:
            return submit_once(request, save, fallback=back)
        except ServiceRefused as error:
            messages.error(request, str(error))
    return render(
        request,
        "campaigns/campaign_form.html",
        {"project": project, "form": form, "campaign": campaign},
    )


def _form_errors(form) -> str:
    """A form posted from the dossier page answers with a message: each error with its field."""
    return " ".join(
        f"{form.fields[name].label} : {' '.join(errors)}"
        if name in form.fields
        else " ".join(errors)
        for name, errors in form.errors.items()
    )


@require_POST
@login_required
def campaign_action(request, pk: int, action: str):
    _require_team(request)
    campaign = get_object_or_404(Campaign.objects.select_related("project"), pk=pk)
    try:
        if action == "lancer":
            services.campaign_start(campaign=campaign, actor=request.user)
            messages.success(request, _("La campagne est lancée."))
        elif action == "terminer":
            form = FinishForm(request.POST, campaign=campaign)
            if not form.is_valid():
                raise services.CampaignError(_form_errors(form))
            services.campaign_finish(
                campaign=campaign,
                actor=request.user,
                outcome=form.cleaned_data["outcome"],
                final_amount=form.cleaned_data["final_amount"],
                final_contributors=form.cleaned_data["final_contributors"],
                on=form.cleaned_data["finished_on"],
            )
            messages.success(request, _("Le résultat final est enregistré."))
        elif action == "suivi":
            form = FollowUpForm(request.POST, instance=campaign)
            if not form.is_valid():
                raise services.CampaignError(_form_errors(form))
            carried = request.POST.get("project_carried_out")
            services.campaign_record_follow_up(
                campaign=campaign,
                actor=request.user,
                rewards_delivered=form.cleaned_data["rewards_delivered"],
                rewards_delivered_on=form.cleaned_data["rewards_delivered_on"],
                project_carried_out={"true": True, "false": False}.get(carried),
            )
            messages.success(request, _("Le suivi est enregistré."))
        elif action == "abandonner":
            services.campaign_cancel_preparation(campaign=campaign, actor=request.user)
            messages.success(request, _("La campagne en préparation est abandonnée."))
        else:
            raise Http404
    except ServiceRefused as error:
        # Also a TransitionError: the dossier is not where the campaign expects it (e.g. a
        # campaign prepared while another one runs).
        messages.error(request, str(error))
    return _back_to_dossier(campaign.project)


@require_POST
@login_required
def snapshot_create(request, pk: int):
    """New figures, by the team or by the porteur of the dossier."""
    campaign = get_object_or_404(Campaign.objects.select_related("project"), pk=pk)
    is_owner = campaign.project.owner_id == request.user.pk
    if not (is_owner or can_manage_projects(request.user)):
        raise Http404
    form = SnapshotForm(
        request.POST, porteur=not can_manage_projects(request.user), campaign=campaign
    )
    if form.is_valid():
        day = form.cleaned_data["taken_on"]
        taken_at = (
            timezone.now()
            if not day or day == timezone.localdate()
            else timezone.make_aware(
                timezone.datetime.combine(day, timezone.datetime.min.time()) + timedelta(hours=12)
            )
        )
        back = (
            campaign.project.get_absolute_url() + "#campagne"
            if is_owner
            else _back_to_dossier(campaign.project).url
        )

        def declare() -> str:
            services.snapshot_add(
                campaign=campaign,
                actor=request.user,
                amount=form.cleaned_data["amount"],
                contributors=form.cleaned_data["contributors"],
                source=form.cleaned_data.get("source", FigureSource.PORTEUR),
                taken_at=taken_at,
            )
            messages.success(
                request,
                _("Les chiffres sont enregistrés.")
                if can_manage_projects(request.user)
                else _(
                    "Les chiffres sont enregistrés : ils paraîtront sur le site une fois "
                    "vérifiés par l'équipe."
                ),
            )
            return back

        try:
            return submit_once(request, declare, fallback=back)
        except ServiceRefused as error:
            messages.error(request, str(error))
    else:
        messages.error(request, _form_errors(form))
    if is_owner:
        return redirect(campaign.project.get_absolute_url() + "#campagne")
    return _back_to_dossier(campaign.project)


REVIEW_DECISIONS = {"accepter": True, "refuser": False}


@require_POST
@login_required
def snapshot_review(request, pk: int, decision: str):
    """The team accepts or rejects figures a porteur declared."""
    _require_team(request)
    if decision not in REVIEW_DECISIONS:
        raise Http404
    snapshot = get_object_or_404(FigureSnapshot.objects.select_related("campaign__project"), pk=pk)
    accept = REVIEW_DECISIONS[decision]
    try:
        services.snapshot_review(snapshot=snapshot, actor=request.user, accept=accept)
        messages.success(
            request,
            _("Les chiffres déclarés sont acceptés : ils comptent désormais sur le site.")
            if accept
            else _("Les chiffres déclarés sont refusés : ils ne paraîtront pas sur le site."),
        )
    except services.CampaignError as error:
        messages.error(request, str(error))
    return _back_to_dossier(snapshot.campaign.project)


@require_POST
@login_required
def place_on_map(request, reference: str):
    _require_team(request)
    project = _project(reference)
    form = MapPlacementForm(request.POST)
    if form.is_valid():
        services.project_place_on_map(
            project=project,
            actor=request.user,
            latitude=form.cleaned_data["latitude"],
            longitude=form.cleaned_data["longitude"],
        )
        messages.success(request, _("La position sur la carte est enregistrée."))
    else:
        messages.error(request, " ".join(" ".join(e) for e in form.errors.values()))
    return _back_to_dossier(project)


@require_POST
@login_required
def publication(request, reference: str):
    """The porteur agrees (or no longer agrees) to the public presentation of the project."""
    project = _project(reference)
    if project.owner_id != request.user.pk:
        raise Http404
    agreed = request.POST.get("publish_agreed") == "on"
    services.project_set_publication(project=project, actor=request.user, agreed=agreed)
    messages.success(
        request,
        _("Votre projet pourra être présenté au public.")
        if agreed
        else _("Votre projet ne sera pas présenté au public."),
    )
    return redirect(project.get_absolute_url())


def dossier_campaigns(project: Project, *, for_team: bool) -> dict:
    """What a dossier page shows of its campaigns, with the forms its reader may use."""
    campaigns = list(
        selectors.with_figures(Campaign.objects.filter(project=project))
        .select_related("platform")
        .prefetch_related("snapshots")
        .order_by("-id")
    )
    current = campaigns[0] if campaigns else None
    context = {
        "campaigns": campaigns,
        "current_campaign": current,
        "snapshot_form": SnapshotForm(porteur=not for_team)
        if current and current.status == CampaignStatus.RUNNING
        else None,
    }
    if for_team:
        context["finish_form"] = (
            FinishForm() if current and current.status == CampaignStatus.RUNNING else None
        )
        context["follow_up_form"] = (
            FollowUpForm(instance=current) if current and current.is_finished else None
        )
        context["can_prepare_campaign"] = project.status == Status.LABELLED
        context["map_form"] = MapPlacementForm(
            initial={"latitude": project.latitude, "longitude": project.longitude}
        )
    return context


def home_context() -> dict:
    """The home page's key figures and latest labelled projects."""
    latest = [
        _with_progress(project)
        for project in selectors.public_projects().order_by("-labelled_on", "title")[:3]
    ]
    return {"key_figures": selectors.key_figures(), "latest_projects": latest}
