"""The `label` template filter says what get_FOO_display says, without rebuilding the choices
per row; the list pages use it."""

from unittest import mock

import pytest
from django.db.models import Model
from django.template import Context, Template
from django.utils import translation

from projects.models import Category, Project, Status

pytestmark = pytest.mark.django_db


def test_label_says_what_get_display_says_in_the_active_language():
    project = Project(status=Status.COACHING, category=Category.FOOD)
    template = Template(
        '{% load labels %}{{ project|label:"status" }} / {{ project|label:"category" }}'
    )
    with translation.override("fr"):
        assert template.render(Context({"project": project})) == (
            f"{project.get_status_display()} / {project.get_category_display()}"
        )
    # An unknown value is shown as it is, as get_FOO_display does.
    project.status = "inconnu"
    assert (
        Template('{% load labels %}{{ project|label:"status" }}').render(
            Context({"project": project})
        )
        == project.get_status_display()
    )


def test_the_list_pages_do_not_call_get_display_per_row(client, cheffe):
    from tests.campaigns.factories import CampaignFactory

    for index in range(5):
        CampaignFactory(project__title=f"Projet {index}")
    client.force_login(cheffe)
    with mock.patch.object(
        Model, "_get_FIELD_display", side_effect=AssertionError("get_FOO_display in a list")
    ):
        catalogue = client.get("/projets/").content.decode()
        pipeline = client.get("/accompagnement/dossiers/").content.decode()
        assert client.get("/accompagnement/").status_code == 200
    category = Category(Project.objects.get(title="Projet 4").category).label
    assert f"— {category}</p>" in catalogue
    assert "Projet 4" in catalogue and "Projet 4" in pipeline
    assert str(Status.CAMPAIGN_RUNNING.label) in pipeline
