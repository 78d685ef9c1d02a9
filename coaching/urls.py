from django.urls import path

from . import views

app_name = "coaching"

urlpatterns = [
    path("accompagnement/", views.dashboard, name="dashboard"),
    path(
        "accompagnement/dossiers/<str:reference>/premier-rendez-vous/",
        views.first_meeting_schedule,
        name="first_meeting_schedule",
    ),
    path(
        "accompagnement/dossiers/<str:reference>/compte-rendu/",
        views.first_meeting_report,
        name="first_meeting_report",
    ),
    path(
        "accompagnement/dossiers/<str:reference>/echanges/nouveau/",
        views.interaction_create,
        name="interaction_create",
    ),
    path("accompagnement/echanges/nouveau/", views.interaction_create, name="quick_interaction"),
    path(
        "accompagnement/dossiers/<str:reference>/prendre/",
        views.project_take,
        name="project_take",
    ),
    path("accompagnement/rappels/<int:pk>/fait/", views.reminder_done, name="reminder_done"),
    path("accompagnement/rappels/<int:pk>/noter/", views.reminder_answer, name="reminder_answer"),
    path(
        "accompagnement/rappels/<int:pk>/reporter/",
        views.reminder_postpone,
        name="reminder_postpone",
    ),
    path("accompagnement/agenda/", views.calendar_settings, name="calendar_settings"),
    path("agenda/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
