"""In the Django admin, the fields the workflow owns are read-only for everyone.

Status, label number and date, publication consent, owner, current campaign, anonymisation,
reminders' state, votes and decisions change only through the services (their checks, their
history, their emails). Checked on every model registered in the admin, and by posting the
change forms with those fields set.
"""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.utils import timezone

from coaching.models import Reminder
from projects.models import Project, Status
from tests.accounts.admin_forms import change_form_data
from tests.factories import OrganisationFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

# Never editable in the admin, by anyone, whatever the model.
WORKFLOW_FIELDS = {
    "status",
    "status_changed_at",
    "label_number",
    "labelled_on",
    "publish_agreed",
    "owner",
    "current_campaign",
    "anonymised_at",
    "consent_at",
    "slug_public",
    "vote_closed_at",
    "closed_at",
    "invited_at",
    "overall",
    "outcome",
    "reported_at",
    "sent_at",
    "done_at",
    "due_at",
    "recipient",
    "processed_at",
    "processed_by",
    "password",
    "is_superuser",
    "is_staff",
    "groups",
    "user_permissions",
}
# Only the administrator changes them (on users; and which organisations vote).
CREDENTIAL_FIELDS = {"email", "role", "organisation", "is_active", "is_committee_member"}


def editable_fields(model_admin, user, obj) -> set[str]:
    request = RequestFactory().get("/admin/")
    request.user = user
    fields = set()
    if model_admin.has_change_permission(request, obj):
        fields |= set(model_admin.get_form(request, obj, change=True).base_fields)
    for inline in model_admin.get_inline_instances(request, obj):
        if inline.has_change_permission(request, obj) or inline.has_add_permission(request, obj):
            fields |= set(inline.get_formset(request, obj).form.base_fields)
    return fields - {"id", "DELETE"}


@pytest.fixture
def one_of_each(cheffe, committee_member, porteur):
    """A row for every registered model, so that each change form can be built."""
    from tests.labelling.factories import LabellingRequestFactory

    project = ProjectFactory(owner=porteur)
    LabellingRequestFactory()
    return project


def test_no_registered_admin_lets_anyone_edit_a_workflow_field(cheffe, admin_user, one_of_each):
    admin_user.is_superuser = True
    checked = []
    for model, model_admin in admin.site._registry.items():
        obj = model._default_manager.first()
        for user in (cheffe, admin_user):
            editable = editable_fields(model_admin, user, obj)
            if model._meta.label == "accounts.User" and user.is_superuser:
                # The administrator manages accounts: email, role, organisation, activity.
                assert not editable & (WORKFLOW_FIELDS - CREDENTIAL_FIELDS), model
                continue
            assert not editable & WORKFLOW_FIELDS, (model._meta.label, user.role, editable)
            if not user.is_superuser and model._meta.app_label == "accounts":
                assert not editable & CREDENTIAL_FIELDS, (model._meta.label, editable)
            assert not set(model_admin.list_editable) & WORKFLOW_FIELDS
        checked.append(model._meta.label)
    assert {"projects.Project", "accounts.User", "labelling.Vote", "coaching.Reminder"} <= set(
        checked
    )


@pytest.mark.parametrize("role", ["cheffe", "admin"])
def test_posting_the_dossier_form_cannot_label_publish_or_move_a_dossier(
    client, cheffe, admin_user, porteur, other_porteur, role
):
    project = ProjectFactory(owner=porteur, status=Status.CONTACT, title="Quokka zéphyrien")
    user = cheffe if role == "cheffe" else admin_user
    client.force_login(user)
    url = f"/admin/projects/project/{project.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    before = Project.objects.values().get(pk=project.pk)
    data = change_form_data(
        page,
        title="Quokka zéphyrien solidaire",
        status=Status.LABELLED,
        label_number="PS-2026-99",
        labelled_on="2026-01-15",
        publish_agreed="on",
        owner=other_porteur.pk,
        slug="piratage",
        anonymised_at="2026-01-15 10:00",
        reference="PS-HACK",
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    after = Project.objects.values().get(pk=project.pk)
    assert after["title"] == "Quokka zéphyrien solidaire"  # the post itself was accepted
    for name in (
        "status",
        "label_number",
        "labelled_on",
        "publish_agreed",
        "owner_id",
        "slug",
        "anonymised_at",
        "reference",
    ):
        assert after[name] == before[name], name
    # And the public catalogue does not show it as labelled.
    assert "Quokka" not in Client().get("/projets/").content.decode()


def test_the_dossier_change_page_shows_the_workflow_fields_as_text(client, cheffe, porteur):
    project = ProjectFactory(owner=porteur, label_number="")
    client.force_login(cheffe)
    html = client.get(f"/admin/projects/project/{project.pk}/change/").content.decode()
    for name in ("status", "label_number", "labelled_on", "publish_agreed", "owner"):
        assert f'name="{name}"' not in html, name
    assert 'name="title"' in html


def test_reminders_state_cannot_be_changed_in_the_admin(client, cheffe, porteur):
    project = ProjectFactory(owner=porteur)
    due = timezone.now() + timedelta(days=3)
    reminder = Reminder.objects.create(
        project=project,
        recipient=cheffe,
        kind="next_action",
        key="k",
        message="Appeler",
        due_at=due,
    )
    other = UserFactory(email="autre.cheffe@propulsons.org", role="cheffe")
    client.force_login(cheffe)
    url = f"/admin/coaching/reminder/{reminder.pk}/change/"
    data = change_form_data(
        client.get(url),
        message="Appeler la porteuse",
        recipient=other.pk,
        due_at_0="01/01/2020",
        due_at_1="10:00",
        done_at_0="01/01/2020",
        done_at_1="10:00",
    )
    assert client.post(url, data).status_code == 302
    reminder.refresh_from_db()
    assert reminder.message == "Appeler la porteuse"
    assert (reminder.recipient, reminder.due_at, reminder.done_at) == (cheffe, due, None)


def test_only_the_administrator_decides_which_organisations_vote(client, cheffe, admin_user):
    organisation = OrganisationFactory(slug="nouvelle", is_committee_member=False)
    url = f"/admin/accounts/organisation/{organisation.pk}/change/"
    client.force_login(cheffe)
    data = change_form_data(client.get(url), is_committee_member="on", description="Présentation")
    assert client.post(url, data).status_code == 302
    organisation.refresh_from_db()
    assert organisation.description == "Présentation"
    assert organisation.is_committee_member is False
    client.force_login(admin_user)
    data = change_form_data(client.get(url), is_committee_member="on")
    assert client.post(url, data).status_code == 302
    organisation.refresh_from_db()
    assert organisation.is_committee_member is True


def test_a_dossier_cannot_be_deleted_in_the_admin(client, admin_user, porteur):
    project = ProjectFactory(owner=porteur)
    client.force_login(admin_user)
    assert client.get(f"/admin/projects/project/{project.pk}/delete/").status_code == 403
    assert Project.objects.filter(pk=project.pk).exists()
