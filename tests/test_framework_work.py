"""The framework's work repeated per row: reverse() (one per link, ~20 µs each),
get_FOO_display (which hashes every lazy label of the field's choices at each call) and the
templates of crispy-forms and Django's widgets (a dozen per field). On the fixed-size pages it
must not grow with the rows shown: links come from {% row_url %} (one reverse() per pattern),
labels from {{ obj|label:"field" }} (a dict per language), form fields from {% form_field %}.
"""

from unittest import mock

import pytest
from django.db.models import Model
from django.urls.resolvers import URLResolver

from accounts.models import User
from campaigns.selectors import public_projects
from labelling.models import CommitteeSession, LabellingRequest
from projects.models import Project
from propulsons.datagen import generate
from tests.test_query_counts import PAGES

pytestmark = pytest.mark.django_db

FIELD_TEMPLATES = ("bootstrap5/", "django/forms/")
# The pages whose forms are written by {% form_field %} (a dossier's workspace and a review's
# vote keep crispy: their forms are not repeated per row, a fixed number of field templates).
PLAIN_FORMS = {
    "/projets/",
    "/chiffres/",
    "/accompagnement/",
    "/accompagnement/dossiers/",
    "/accompagnement/bilan/",
}
EXPORTS = ("/donnees/projets.json", "/donnees/projets.csv", "/donnees/schema.json")


def framework_work(client, users, targets) -> dict:
    counts = {}
    calls = {"reverse": 0, "display": 0}
    reverse_with_prefix = URLResolver._reverse_with_prefix
    get_display = Model._get_FIELD_display

    def counted_reverse(self, *args, **kwargs):
        calls["reverse"] += 1
        return reverse_with_prefix(self, *args, **kwargs)

    def counted_display(self, field):
        calls["display"] += 1
        return get_display(self, field)

    for role, url in PAGES:
        if url.startswith(EXPORTS) or "export" in url:
            continue
        client.logout()
        if role != "anonyme":
            client.force_login(users[role])
        address = url.format(**targets)
        client.get(address)  # warmed: each pattern of {% row_url %} reversed once per process
        calls.update(reverse=0, display=0)
        with (
            mock.patch.object(URLResolver, "_reverse_with_prefix", counted_reverse),
            mock.patch.object(Model, "_get_FIELD_display", counted_display),
        ):
            response = client.get(address)
        assert response.status_code == 200, address
        fields = [
            t.name for t in response.templates if t.name and t.name.startswith(FIELD_TEMPLATES)
        ]
        counts[(role, url)] = {**calls, "field templates": len(fields)}
    return counts


def test_framework_work_does_not_grow_with_the_rows_shown(client):
    generate(scale=0.6)
    users = {
        "cheffe": User.objects.get(email="cheffe.generee@propulsons.org"),
        "comite": User.objects.filter(email__startswith="membre.genere.").first(),
    }
    project = (
        Project.objects.filter(owner__isnull=False, campaigns__isnull=False).order_by("pk").first()
    )
    users["porteur"] = project.owner
    targets = {
        "slug": public_projects().order_by("pk").first().slug,
        "reference": project.reference,
        "session": CommitteeSession.objects.filter(requests__isnull=False).first().pk,
        "request": LabellingRequest.objects.first().pk,
    }
    small = framework_work(client, users, targets)
    generate(scale=2)
    large = framework_work(client, users, targets)
    grown = {page: (small[page], large[page]) for page in small if small[page] != large[page]}
    assert grown == {}, grown
    displays = {page: n["display"] for page, n in large.items() if n["display"]}
    assert displays == {}, displays
    # The pages whose forms are written by {% form_field %}: no field template at all.
    plain = {
        page: n["field templates"]
        for page, n in large.items()
        if page[1].split("?")[0] in PLAIN_FORMS and n["field templates"]
    }
    assert plain == {}, plain
