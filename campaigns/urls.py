from django.urls import path
from django.views.decorators.http import require_safe

from .feeds import LaunchedCampaignsFeed
from .views import map_data, opendata, porteur, presentation, public, report, team

app_name = "campaigns"

urlpatterns = [
    path("projets/", public.catalogue, name="catalogue"),
    path("projets/campagnes.atom", require_safe(LaunchedCampaignsFeed()), name="campaigns_feed"),
    path("projets/<slug:slug>/", public.project_page, name="project_page"),
    path("carte/", public.project_map, name="map"),
    path("carte/points.json", map_data.map_points, name="map_points"),
    path("chiffres/", public.figures, name="figures"),
    path("donnees/", opendata.open_data, name="open_data"),
    path("donnees/projets.csv", opendata.open_data_csv, name="open_data_csv"),
    path("donnees/projets.json", opendata.open_data_json, name="open_data_json"),
    path("donnees/schema.json", opendata.open_data_schema, name="open_data_schema"),
    path("accompagnement/bilan/", report.report, name="report"),
    path("accompagnement/bilan/export.<str:fmt>", report.report_export, name="report_export"),
    path(
        "accompagnement/dossiers/<str:reference>/campagne/",
        team.campaign_edit,
        name="campaign_edit",
    ),
    path(
        "accompagnement/dossiers/<str:reference>/carte/",
        team.place_on_map,
        name="place_on_map",
    ),
    path(
        "accompagnement/campagnes/<int:pk>/<str:action>/",
        team.campaign_action,
        name="campaign_action",
    ),
    path("campagnes/<int:pk>/chiffres/", porteur.snapshot_create, name="snapshot_create"),
    path(
        "accompagnement/chiffres/<int:pk>/<str:decision>/",
        team.snapshot_review,
        name="snapshot_review",
    ),
    path(
        "espace/dossiers/<str:reference>/publication/",
        porteur.publication,
        name="publication",
    ),
]

# A project's public presentation (cover, video, news) and its cover's variants.
urlpatterns += [
    path("projets/<slug:slug>/couverture/<str:name>", presentation.cover, name="cover"),
    path(
        "espace/dossiers/<str:reference>/presentation/",
        presentation.presentation_edit,
        name="presentation",
    ),
    path(
        "accompagnement/dossiers/<str:reference>/presentation/",
        presentation.presentation_edit,
        name="team_presentation",
    ),
    path(
        "espace/dossiers/<str:reference>/nouvelles/<int:pk>/supprimer/",
        presentation.news_delete,
        name="news_delete",
    ),
]
