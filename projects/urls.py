from django.urls import path

from .views import claims, label, messages, porteur, privacy, public, team

app_name = "projects"

urlpatterns = [
    path("deposer/", public.intake, name="intake"),
    path("deposer/merci/", public.intake_done, name="intake_done"),
    path("espace/", porteur.porteur_space, name="porteur_space"),
    path("espace/mes-donnees.json", privacy.personal_data, name="personal_data"),
    path("espace/effacement/", privacy.deletion_request, name="deletion_request"),
    path(
        "accompagnement/donnees-personnelles/",
        privacy.privacy_requests,
        name="privacy_requests",
    ),
    path("espace/dossiers/<str:reference>/", porteur.porteur_project, name="porteur_project"),
    path("espace/dossiers/<str:reference>/modifier/", porteur.project_edit, name="project_edit"),
    path("espace/rattacher/<str:token>/", porteur.claim, name="claim"),
    path("documents/<int:pk>/", porteur.document_download, name="document_download"),
    path("accompagnement/dossiers/", team.team_pipeline, name="team_pipeline"),
    path("accompagnement/dossiers/<str:reference>/", team.team_project, name="team_project"),
    path(
        "accompagnement/dossiers/<str:reference>/abandonner/",
        team.team_abandon,
        name="team_abandon",
    ),
    path(
        "accompagnement/dossiers/<str:reference>/anonymiser/",
        privacy.team_anonymise,
        name="team_anonymise",
    ),
    path(
        "accompagnement/dossiers/<str:reference>/reorienter/",
        team.team_reorient,
        name="team_reorient",
    ),
    path(
        "espace/en-attente/<str:reference>/rattacher/", claims.pending_claim, name="pending_claim"
    ),
    path(
        "espace/en-attente/<str:reference>/renvoyer-le-lien/",
        claims.pending_resend,
        name="pending_resend",
    ),
    path("label/<str:number>/", label.label_verify, name="label_verify"),
    path("label/<str:number>/badge.<str:fmt>", label.label_badge, name="label_badge"),
    path("dossiers/<str:reference>/messages/", messages.dossier_message, name="dossier_message"),
]
