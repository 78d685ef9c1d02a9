from django.urls import path

from . import views

app_name = "outbox"

urlpatterns = [
    path("accompagnement/e-mails-en-echec/", views.failed_emails, name="failed"),
    path("accompagnement/e-mails/<int:pk>/renvoyer/", views.email_resend, name="resend"),
]
