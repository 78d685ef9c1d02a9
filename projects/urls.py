from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("deposer/", views.intake, name="intake"),
    path("deposer/merci/", views.intake_done, name="intake_done"),
    path("espace/", views.porteur_space, name="porteur_space"),
    path("espace/mes-donnees.json", views.personal_data, name="personal_data"),
    path("espace/effacement/", views.deletion_request, name="deletion_request"),
    path(
        "accompagnement/donnees-personnelles/",
        views.privacy_requests,
        name="privacy_requests",
    ),
    path("espace/dossiers/<str:reference>/", views.porteur_project, name="porteur_project"),
    path("espace/dossiers/<str:reference>/modifier/", views.project_edit, name="project_edit"),
    path("espace/rattacher/<str:token>/", views.claim, name="claim"),
    path("documents/<int:pk>/", views.document_download, name="document_download"),
    path("accompagnement/dossiers/", views.team_pipeline, name="team_pipeline"),
    path("accompagnement/dossiers/<str:reference>/", views.team_project, name="team_project"),
    path(
        "accompagnement/dossiers/<str:reference>/abandonner/",
        views.team_abandon,
        name="team_abandon",
    ),
    path(
        "accompagnement/dossiers/<str:reference>/anonymiser/",
        views.team_anonymise,
        name="team_anonymise",
    ),
    path(
        "accompagnement/dossiers/<str:reference>/reorienter/",
        views.team_reorient,
        name="team_reorient",
    ),
]
