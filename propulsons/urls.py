from django.contrib import admin
from django.urls import include, path

from propulsons import views

admin.site.site_header = "Propulsons! — administration"
admin.site.site_title = "Propulsons!"
admin.site.index_title = "Administration du label"

# French pages in the site's layout; the 500 page needs neither the database nor the session.
handler400 = "propulsons.errors.bad_request"
handler403 = "propulsons.errors.permission_denied"
handler404 = "propulsons.errors.page_not_found"
handler500 = "propulsons.errors.server_error"

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
