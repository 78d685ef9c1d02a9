from django.urls import path

from . import views

app_name = "campaigns"

urlpatterns = [
    path("projets/", views.catalogue, name="catalogue"),
    path("projets/<slug:slug>/", views.project_page, name="project_page"),
    path("carte/", views.project_map, name="map"),
    path("chiffres/", views.figures, name="figures"),
    path("donnees/", views.open_data, name="open_data"),
    path("donnees/projets.csv", views.open_data_csv, name="open_data_csv"),
    path("donnees/projets.json", views.open_data_json, name="open_data_json"),
    path("accompagnement/bilan/", views.report, name="report"),
    path("accompagnement/bilan/export.<str:fmt>", views.report_export, name="report_export"),
    path(
        "accompagnement/dossiers/<str:reference>/campagne/",
        views.campaign_edit,
        name="campaign_edit",
    ),
    path(
        "accompagnement/dossiers/<str:reference>/carte/",
        views.place_on_map,
        name="place_on_map",
    ),
    path(
        "accompagnement/campagnes/<int:pk>/<str:action>/",
        views.campaign_action,
        name="campaign_action",
    ),
    path("campagnes/<int:pk>/chiffres/", views.snapshot_create, name="snapshot_create"),
    path(
        "accompagnement/chiffres/<int:pk>/<str:decision>/",
        views.snapshot_review,
        name="snapshot_review",
    ),
    path(
        "espace/dossiers/<str:reference>/publication/",
        views.publication,
        name="publication",
    ),
]
