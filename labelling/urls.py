from django.urls import path

from . import views

app_name = "labelling"

urlpatterns = [
    path("comite/", views.index, name="index"),
    path("comite/seances/nouvelle/", views.session_create, name="session_create"),
    path("comite/seances/<int:pk>/", views.session_detail, name="session"),
    path("comite/seances/<int:pk>/proces-verbal/", views.minutes, name="minutes"),
    path(
        "comite/seances/<int:pk>/<str:action>/",
        views.session_action,
        name="session_action",
    ),
    path("comite/demandes/<int:pk>/", views.review, name="review"),
    path("comite/demandes/<int:pk>/avis/", views.opinion, name="opinion"),
    path("comite/demandes/<int:pk>/cloturer/", views.close_vote, name="close_vote"),
    path("comite/demandes/<int:pk>/decision/", views.decide, name="decide"),
    path("comite/decisions/<int:pk>/corriger/", views.correct, name="correct"),
    path("comite/dossiers/<str:reference>/demander/", views.raise_request, name="raise_request"),
]
