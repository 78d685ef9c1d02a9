from django.urls import path

from .views import committee, porteur, team

app_name = "labelling"

urlpatterns = [
    path("comite/", committee.index, name="index"),
    path("comite/seances/nouvelle/", team.session_create, name="session_create"),
    path("comite/seances/<int:pk>/", committee.session_detail, name="session"),
    path("comite/seances/<int:pk>/proces-verbal/", committee.minutes, name="minutes"),
    path(
        "comite/seances/<int:pk>/<str:action>/",
        team.session_action,
        name="session_action",
    ),
    path("comite/demandes/<int:pk>/", committee.review, name="review"),
    path("comite/demandes/<int:pk>/avis/", team.opinion, name="opinion"),
    path("comite/demandes/<int:pk>/cloturer/", team.close_vote, name="close_vote"),
    path("comite/demandes/<int:pk>/decision/", committee.decide, name="decide"),
    path("comite/decisions/<int:pk>/corriger/", team.correct, name="correct"),
    path("comite/dossiers/<str:reference>/demander/", porteur.raise_request, name="raise_request"),
]
