from django.contrib import admin
from django.urls import include, path

from propulsons import views

admin.site.site_header = "Propulsons! — administration"
admin.site.site_title = "Propulsons!"
admin.site.index_title = "Administration du label"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("mentions-legales/", views.legal_notice, name="legal_notice"),
    path("compte/", include("accounts.urls")),
    path("", include("projects.urls")),
    path("", include("coaching.urls")),
    path("", include("labelling.urls")),
    path("", include("campaigns.urls")),
    path("", include("outbox.urls")),
    path("admin/", admin.site.urls),
]
